#include "tests/torch_test.hpp"

#include "engine/optim/delta_sgd.hpp"
#include "engine/optim/inner_adamw.hpp"
#include "engine/optim/inner_optimizer.hpp"
#include "engine/optim/tensor_list.hpp"
#include "sim/error.hpp"

#include <cmath>
#include <string>
#include <vector>

namespace {

using hetsim::engine::DeltaSgd;
using hetsim::engine::DeltaSgdOptions;
using hetsim::engine::InnerOptimizer;
using hetsim::engine::make_inner_optimizer;
using hetsim::scenarios::InnerOptimizerSpec;
using TensorList = std::vector<at::Tensor>;

constexpr int kSteps = 20;

// Two parameters of different shapes, so that per-parameter state is exercised.
TensorList random_params(std::uint64_t seed) {
    torch::manual_seed(seed);
    return {torch::randn({3, 4}), torch::randn({5})};
}

std::vector<TensorList> random_grads(std::uint64_t seed, int steps, const TensorList& like) {
    torch::manual_seed(seed);
    std::vector<TensorList> out;
    for (int s = 0; s < steps; ++s) {
        TensorList g;
        for (const auto& p : like) g.push_back(torch::randn(p.sizes()));
        out.push_back(g);
    }
    return out;
}

double max_abs_diff(const TensorList& a, const TensorList& b) {
    REQUIRE(a.size() == b.size());
    double worst = 0.0;
    for (std::size_t i = 0; i < a.size(); ++i)
        worst = std::max(worst, (a[i] - b[i]).abs().max().item<double>());
    return worst;
}

// Runs a torch::optim optimizer over the gradient sequence, one step per entry.
template <class TorchOptimizer, class Options>
TensorList run_torch(const TensorList& init, const std::vector<TensorList>& grads,
                     const Options& options) {
    TensorList params;
    for (const auto& p : init) params.push_back(p.clone().requires_grad_(true));
    TorchOptimizer optimizer(params, options);
    for (const auto& g : grads) {
        for (std::size_t i = 0; i < params.size(); ++i) params[i].mutable_grad() = g[i].clone();
        optimizer.step();
    }
    TensorList out;
    for (const auto& p : params) out.push_back(p.detach().clone());
    return out;
}

TensorList run_ours(InnerOptimizer& optimizer, const TensorList& init,
                    const std::vector<TensorList>& grads, double lr) {
    auto params = hetsim::engine::tensor_list::clone(init);
    for (const auto& g : grads) optimizer.step(params, g, lr);
    return params;
}

InnerOptimizerSpec spec_of(const std::string& kind) {
    InnerOptimizerSpec spec;
    spec.kind = kind;
    return spec;
}

}  // namespace

TEST_CASE("inner SGD matches torch::optim::SGD step for step") {
    at::set_num_threads(1);
    const auto init = random_params(1);
    const auto grads = random_grads(2, kSteps, init);
    auto spec = spec_of("sgd");
    spec.lr = 0.1;
    auto options = torch::optim::SGDOptions(spec.lr);

    SUBCASE("plain") {}
    SUBCASE("weight decay") {
        spec.weight_decay = 0.1;
        options.weight_decay(0.1);
    }
    SUBCASE("momentum") {
        spec.momentum = 0.9;
        options.momentum(0.9);
    }
    SUBCASE("nesterov with weight decay") {
        spec.momentum = 0.9;
        spec.nesterov = true;
        spec.weight_decay = 0.01;
        options.momentum(0.9).nesterov(true).weight_decay(0.01);
    }
    auto ours = make_inner_optimizer(spec);
    const auto got = run_ours(*ours, init, grads, spec.lr);
    const auto want = run_torch<torch::optim::SGD>(init, grads, options);
    CHECK(max_abs_diff(got, want) <= 1e-6);
    CHECK(ours->steps() == kSteps);
}

TEST_CASE("inner AdamW matches torch::optim::AdamW step for step") {
    at::set_num_threads(1);
    const auto init = random_params(3);
    const auto grads = random_grads(4, kSteps, init);
    auto spec = spec_of("adamw");
    spec.lr = 1e-2;
    spec.weight_decay = 0.0;  // torch's AdamW defaults to 1e-2: always set it explicitly
    SUBCASE("no weight decay") {}
    SUBCASE("decoupled weight decay") { spec.weight_decay = 0.1; }
    SUBCASE("other betas and eps") {
        spec.beta1 = 0.8;
        spec.beta2 = 0.95;
        spec.eps = 1e-6;
        spec.weight_decay = 0.01;
    }
    const auto options = torch::optim::AdamWOptions(spec.lr)
                             .betas(std::make_tuple(spec.beta1, spec.beta2))
                             .eps(spec.eps)
                             .weight_decay(spec.weight_decay);
    auto ours = make_inner_optimizer(spec);
    const auto got = run_ours(*ours, init, grads, spec.lr);
    const auto want = run_torch<torch::optim::AdamW>(init, grads, options);
    CHECK(max_abs_diff(got, want) <= 1e-6);
}

TEST_CASE("inner AdamW is torch::optim::AdamW bit for bit, with or without the one-pass kernel") {
    // Tensors long enough for ATen's vector loops and their tails; the published results were
    // computed with ATen's AdamW, so every path must give its bits: the one-pass kernel
    // (used by default where it matches ATen, required by inner.fused) and ATen's operations
    // (taken with coordinate clipping at fraction 0+: here through non-contiguous gradients).
    at::set_num_threads(1);
    torch::manual_seed(11);
    const TensorList init = {torch::randn({37, 29}), torch::randn({101}), torch::randn({3}),
                             torch::randn({4099})};
    const auto grads = random_grads(12, kSteps, init);
    auto spec = spec_of("adamw");
    spec.lr = 1e-2;
    spec.weight_decay = 0.01;
    const auto want = run_torch<torch::optim::AdamW>(
        init, grads, torch::optim::AdamWOptions(spec.lr).weight_decay(spec.weight_decay));

    auto plain = make_inner_optimizer(spec);
    const auto got = run_ours(*plain, init, grads, spec.lr);  // packed, as a model's are
    for (std::size_t i = 0; i < got.size(); ++i) CHECK(torch::equal(got[i], want[i]));

    // ATen's operations: non-contiguous gradients (the same values) rule the kernel out.
    std::vector<TensorList> strided;
    for (const TensorList& g : grads) {
        TensorList s;
        for (const auto& t : g) s.push_back(torch::stack({t, t}, -1).select(-1, 0));
        strided.push_back(s);
    }
    auto aten = make_inner_optimizer(spec);
    const auto got_aten = run_ours(*aten, init, strided, spec.lr);
    for (std::size_t i = 0; i < got.size(); ++i) CHECK(torch::equal(got_aten[i], want[i]));

    spec.fused = true;
    auto fused = make_inner_optimizer(spec);
    if (hetsim::engine::InnerAdamW::one_pass_matches_aten()) {
        const auto got_fused = run_ours(*fused, init, grads, spec.lr);
        for (std::size_t i = 0; i < got.size(); ++i) CHECK(torch::equal(got_fused[i], want[i]));
        CHECK(fused->steps() == kSteps);
        // Required but impossible (non-contiguous gradients): an error, not a silent fallback.
        auto fused_again = make_inner_optimizer(spec);
        CHECK_THROWS_AS(run_ours(*fused_again, init, strided, spec.lr), hetsim::Error);
    } else {
        MESSAGE("this CPU's ATen kernels round AdamW differently: inner.fused is refused");
        CHECK_THROWS_AS(run_ours(*fused, init, grads, spec.lr), hetsim::Error);
    }
}

TEST_CASE("inner.fused is refused for other optimizers and with coordinate clipping") {
    auto spec = spec_of("sgd");
    spec.fused = true;
    CHECK_THROWS_AS(make_inner_optimizer(spec), hetsim::ConfigError);
    spec.kind = "adamw";
    spec.clip_fraction = 0.01;
    CHECK_THROWS_AS(make_inner_optimizer(spec), hetsim::ConfigError);
}

TEST_CASE("inner RMSProp matches torch::optim::RMSprop step for step") {
    at::set_num_threads(1);
    const auto init = random_params(5);
    const auto grads = random_grads(6, kSteps, init);
    auto spec = spec_of("rmsprop");
    spec.lr = 1e-2;
    SUBCASE("plain") {}
    SUBCASE("weight decay and momentum") {
        spec.weight_decay = 0.01;
        spec.momentum = 0.9;
    }
    SUBCASE("alpha 0.9") { spec.alpha = 0.9; }
    const auto options = torch::optim::RMSpropOptions(spec.lr)
                             .alpha(spec.alpha)
                             .eps(spec.eps)
                             .weight_decay(spec.weight_decay)
                             .momentum(spec.momentum);
    auto ours = make_inner_optimizer(spec);
    const auto got = run_ours(*ours, init, grads, spec.lr);
    const auto want = run_torch<torch::optim::RMSprop>(init, grads, options);
    CHECK(max_abs_diff(got, want) <= 1e-6);
}

TEST_CASE("a worker that joins late bias-corrects AdamW from its own step count") {
    at::set_num_threads(1);
    auto spec = spec_of("adamw");
    spec.lr = 1e-2;
    spec.weight_decay = 0.1;
    const auto init = random_params(7);
    const auto grads = random_grads(8, 6, init);

    // An early worker has taken five steps already.
    auto early = make_inner_optimizer(spec);
    run_ours(*early, init, {grads.begin(), grads.begin() + 5}, spec.lr);
    REQUIRE(early->steps() == 5);

    // The late worker's first step is a fresh AdamW's first step (t = 1), not t = 6.
    auto late = make_inner_optimizer(spec);
    const auto got = run_ours(*late, init, {grads[5]}, spec.lr);
    const auto want = run_torch<torch::optim::AdamW>(
        init, {grads[5]},
        torch::optim::AdamWOptions(spec.lr).weight_decay(spec.weight_decay));
    CHECK(late->steps() == 1);
    CHECK(max_abs_diff(got, want) <= 1e-6);
}

TEST_CASE("after reset the next step equals a fresh optimizer's first step") {
    at::set_num_threads(1);
    auto spec = spec_of("sgd");
    SUBCASE("sgd with momentum") { spec.momentum = 0.9; }
    SUBCASE("adamw") { spec.kind = "adamw"; }
    SUBCASE("rmsprop with momentum") {
        spec.kind = "rmsprop";
        spec.momentum = 0.5;
    }
    SUBCASE("delta-sgd") { spec.kind = "delta-sgd"; }
    const auto init = random_params(9);
    const auto grads = random_grads(10, 5, init);

    auto used = make_inner_optimizer(spec);
    run_ours(*used, init, {grads.begin(), grads.begin() + 3}, 0.05);
    used->reset();
    CHECK(used->steps() == 0);
    const auto after_reset = run_ours(*used, init, {grads[3], grads[4]}, 0.05);

    auto fresh = make_inner_optimizer(spec);
    const auto want = run_ours(*fresh, init, {grads[3], grads[4]}, 0.05);
    CHECK(max_abs_diff(after_reset, want) == 0.0);
}

TEST_CASE("begin_round resets only when the spec asks for it, and always for Delta-SGD") {
    at::set_num_threads(1);
    auto spec = spec_of("adamw");
    CHECK_FALSE(make_inner_optimizer(spec)->resets_each_round());
    spec.reset_each_round = true;
    CHECK(make_inner_optimizer(spec)->resets_each_round());
    CHECK(make_inner_optimizer(spec_of("delta-sgd"))->resets_each_round());

    const auto init = random_params(11);
    const auto grads = random_grads(12, 2, init);
    spec.reset_each_round = false;
    auto keeps = make_inner_optimizer(spec);
    run_ours(*keeps, init, {grads[0]}, 1e-2);
    keeps->begin_round();
    CHECK(keeps->steps() == 1);

    spec.reset_each_round = true;
    auto resets = make_inner_optimizer(spec);
    run_ours(*resets, init, {grads[0]}, 1e-2);
    resets->begin_round();
    CHECK(resets->steps() == 0);
}

// f(x) = 0.5 L ||x||^2, so g = L x and ||x_k - x_{k-1}|| / ||g_k - g_{k-1}|| = 1 / L exactly.
// With L = 4.5 and the paper's defaults (eta_0 0.2, theta_0 1, gamma 2, delta 0.1), Algorithm 1
// gives, by hand:
//   eta_0 = 0.2
//   eta_1 = min(gamma / (2 L) = 0.2222..., sqrt(1 + 0.1 * 1) * 0.2 = 0.2097617696...)
//         = 0.2097617696340303,  theta_1 = sqrt(1.1) = 1.0488088482
//   eta_2 = min(0.2222..., sqrt(1 + 0.1 * 1.0488088482) * 0.2097617696 = 0.2204875482...)
//         = 0.2204875482469445
//   eta_3 = min(0.2222..., sqrt(1 + 0.1 * 1.0511331...) * 0.2204875482 = 0.23179...)
//         = 1 / 4.5 = 0.2222222222  (the smoothness bound takes over)
TEST_CASE("Delta-SGD step sizes follow Algorithm 1 on a quadratic and it converges") {
    at::set_num_threads(1);
    constexpr double kL = 4.5;
    DeltaSgd optimizer;  // the paper's defaults
    TensorList x = {torch::tensor({1.0, -2.0}, torch::kDouble),
                    torch::tensor({0.5}, torch::kDouble)};
    const std::vector<double> expected = {0.2, 0.2097617696340303, 0.2204875482469445,
                                          1.0 / kL};
    std::vector<double> etas;
    std::vector<double> thetas;
    for (int k = 0; k < 40; ++k) {
        TensorList g = {x[0] * kL, x[1] * kL};
        optimizer.step(x, g, /*lr, ignored=*/123.0);
        etas.push_back(optimizer.step_size());
        thetas.push_back(optimizer.theta());
    }
    for (std::size_t k = 0; k < expected.size(); ++k) {
        CAPTURE(k);
        CHECK(etas[k] == doctest::Approx(expected[k]).epsilon(1e-12));
    }
    CHECK(thetas[0] == 1.0);
    CHECK(thetas[1] == doctest::Approx(std::sqrt(1.1)).epsilon(1e-12));
    CHECK(thetas[3] == doctest::Approx(expected[3] / expected[2]).epsilon(1e-12));
    CHECK(hetsim::engine::tensor_list::global_norm(x) < 1e-12);
}

TEST_CASE("Delta-SGD restarts from eta_0 at the start of a round") {
    at::set_num_threads(1);
    DeltaSgd optimizer;
    TensorList x = {torch::tensor({1.0, -2.0}, torch::kDouble)};
    for (int k = 0; k < 3; ++k) {
        TensorList g = {x[0] * 4.5};
        optimizer.step(x, g, 0.0);
    }
    REQUIRE(optimizer.step_size() != 0.2);
    optimizer.begin_round();
    CHECK(optimizer.step_size() == 0.2);
    CHECK(optimizer.theta() == 1.0);
    TensorList g = {x[0] * 4.5};
    optimizer.step(x, g, 0.0);
    CHECK(optimizer.step_size() == 0.2);
}

TEST_CASE("global-norm clipping inside step scales a copy of the gradients") {
    at::set_num_threads(1);
    auto spec = spec_of("sgd");
    spec.clip_norm = 6.5;
    auto optimizer = make_inner_optimizer(spec);
    TensorList params = {torch::zeros({2}), torch::zeros({1})};
    const TensorList grads = {torch::tensor({3.0f, 4.0f}), torch::tensor({12.0f})};  // norm 13
    optimizer->step(params, grads, 1.0);
    REQUIRE(optimizer->last_grad_norm().has_value());
    CHECK(*optimizer->last_grad_norm() == doctest::Approx(13.0));
    // lr 1: params = -grads / 2.
    CHECK(torch::allclose(params[0], torch::tensor({-1.5f, -2.0f})));
    CHECK(torch::allclose(params[1], torch::tensor({-6.0f})));
    CHECK(torch::equal(grads[0], torch::tensor({3.0f, 4.0f})));  // the caller's are untouched
}

TEST_CASE("coordinate clipping inside step clamps the largest update coordinates") {
    at::set_num_threads(1);
    auto spec = spec_of("sgd");
    spec.clip_fraction = 0.3;  // 7 coordinates: the top floor(2.1) = 2 are clipped
    auto optimizer = make_inner_optimizer(spec);
    TensorList params = {torch::zeros({3}), torch::zeros({2, 2})};
    const TensorList grads = {torch::tensor({1.0f, -8.0f, 3.0f}),
                              torch::tensor({-2.0f, 6.0f, 0.5f, -4.0f}).reshape({2, 2})};
    optimizer->step(params, grads, 1.0);
    CHECK(torch::equal(params[0], torch::tensor({-1.0f, 4.0f, -3.0f})));
    CHECK(torch::equal(params[1], torch::tensor({2.0f, -4.0f, -0.5f, 4.0f}).reshape({2, 2})));
}

TEST_CASE("make_inner_optimizer rejects unknown kinds and bad values naming the key") {
    auto message_of = [](const InnerOptimizerSpec& spec) {
        try {
            make_inner_optimizer(spec);
        } catch (const hetsim::ConfigError& e) {
            return std::string(e.what());
        }
        return std::string("no error");
    };
    CHECK(message_of(spec_of("adagrad")).find("inner.kind") != std::string::npos);
    auto spec = spec_of("sgd");
    spec.clip_fraction = 1.0;
    CHECK(message_of(spec).find("inner.clip_fraction") != std::string::npos);
    spec = spec_of("sgd");
    spec.nesterov = true;
    CHECK(message_of(spec).find("inner.nesterov") != std::string::npos);
    spec = spec_of("adamw");
    spec.beta2 = 1.0;
    CHECK(message_of(spec).find("inner.beta2") != std::string::npos);
}
