#include "tests/torch_test.hpp"

#include "models/gpt.hpp"
#include "models/model.hpp"
#include "models/torch_compat.hpp"
#include "sim/error.hpp"

#include <cmath>
#include <memory>

using hetsim::models::Batch;
using hetsim::models::DataShape;
using hetsim::models::Gpt;
using hetsim::models::Model;

namespace {

std::unique_ptr<Model> nano(std::int64_t vocab = 256, std::uint64_t seed = 3) {
    hetsim::scenarios::ModelSpec s;
    s.kind = "gpt";
    s.preset = "nano";
    s.context = 64;
    return hetsim::models::make_model(s, DataShape{.task = "lm", .vocab = vocab, .context = 64},
                                      seed);
}

Gpt& as_gpt(Model& m) { return dynamic_cast<Gpt&>(m); }

// Uniform random tokens [B, T + 1] from a private generator, split into inputs and targets.
Batch random_tokens(std::int64_t batch, std::int64_t t, std::int64_t vocab, std::uint64_t seed) {
    at::Generator gen = hetsim::models::compat::make_cpu_generator(seed);
    const at::Tensor tokens = at::randint(vocab, {batch, t + 1}, gen, at::kLong);  // [B, T+1]
    return {tokens.narrow(1, 0, t), tokens.narrow(1, 1, t)};
}

}  // namespace

TEST_CASE("an untrained gpt's loss on random tokens is ln(vocab) within 2%") {
    const auto model = nano();
    const double loss = model->loss(random_tokens(4, 64, 256, 11)).item<double>();
    CHECK(loss == doctest::Approx(std::log(256.0)).epsilon(0.02));
}

TEST_CASE("gpt logits at positions up to t do not depend on later tokens") {
    const auto model = nano();
    Gpt& gpt = as_gpt(*model);
    const at::NoGradGuard no_grad;
    const at::Tensor a = random_tokens(2, 32, 256, 21).inputs;  // [2, 32]
    for (std::int64_t t : {0, 9, 30}) {
        CAPTURE(t);
        at::Tensor b = a.clone();
        // Shift every later token by 1..255 (mod 256), so each one really changes.
        b.narrow(1, t + 1, 32 - t - 1).add_(1 + t).remainder_(256);
        const at::Tensor la = gpt.logits(a), lb = gpt.logits(b);  // [2, 32, V]
        CHECK(at::allclose(la.narrow(1, 0, t + 1), lb.narrow(1, 0, t + 1), 0.0, 1e-6));
        CHECK(la.narrow(1, t + 1, 32 - t - 1)
                  .sub(lb.narrow(1, t + 1, 32 - t - 1))
                  .abs()
                  .max()
                  .item<double>() > 1e-3);
    }
}

TEST_CASE("gpt evaluate sums the loss over tokens and counts next-token argmax hits") {
    const auto model = nano();
    const Batch batch = random_tokens(3, 40, 256, 31);
    const hetsim::models::EvalSums sums = model->evaluate(batch);
    CHECK(sums.count == 3 * 40);
    CHECK(sums.loss_sum / double(sums.count) ==
          doctest::Approx(model->loss(batch).item<double>()).epsilon(1e-5));
    const at::NoGradGuard no_grad;
    const at::Tensor hits = as_gpt(*model).logits(batch.inputs).argmax(-1).eq(batch.targets);
    CHECK(sums.correct == hits.sum().item<std::int64_t>());
}

TEST_CASE("gpt gradients reach every parameter") {
    const auto model = nano();
    auto params = model->parameters();
    model->loss(random_tokens(2, 16, 256, 41)).backward();
    for (const at::Tensor& p : params) {
        REQUIRE(p.grad().defined());
        CHECK(p.grad().abs().sum().item<double>() > 0.0);
    }
    hetsim::models::compat::clear_grads(params);
    for (const at::Tensor& p : params) CHECK_FALSE(p.grad().defined());
    CHECK(at::equal(hetsim::models::compat::grad_or_zeros(params[0]), at::zeros_like(params[0])));
}

TEST_CASE("gpt refuses inputs longer than its context") {
    const auto model = nano();
    CHECK_THROWS_AS((void)model->loss(random_tokens(1, 65, 256, 51)), hetsim::Error);
}

TEST_CASE("nano gpt learns a repeated token sequence with Adam") {
    const auto model = nano(256, 8);
    // Period-8 sequence; example b starts at phase b, so every bigram appears in the batch.
    const at::Tensor pattern = at::tensor({3, 17, 42, 99, 5, 200, 77, 12}, at::kLong);
    const at::Tensor index = (at::arange(8).unsqueeze(1) + at::arange(33).unsqueeze(0)) % 8;
    const at::Tensor tokens = pattern.index({index});  // [8, 33]
    const Batch batch{tokens.narrow(1, 0, 32), tokens.narrow(1, 1, 32)};
    torch::optim::Adam adam(model->parameters(), torch::optim::AdamOptions(1e-2));
    const double initial = model->loss(batch).item<double>();
    double last = initial;
    for (int step = 0; step < 150; ++step) {
        adam.zero_grad();
        at::Tensor loss = model->loss(batch);
        loss.backward();
        adam.step();
        last = loss.item<double>();
    }
    CAPTURE(initial);
    CAPTURE(last);
    CHECK(last < 0.3 * initial);
}
