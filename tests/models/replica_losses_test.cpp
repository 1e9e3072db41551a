// Batched replicas (issue 7, run.replica_batch): Model::replica_losses on R stacked replicas
// gives each replica the loss and the gradient that loss() gives it alone, within float
// rounding, for every model kind. The replicas have different parameters and batches, so a
// replica reading another's slice (a wrong stride, a mixed-up group) shows.

#include "tests/torch_test.hpp"

#include "models/model.hpp"
#include "models/torch_compat.hpp"

#include <functional>
#include <memory>
#include <string>
#include <vector>

using hetsim::models::Batch;
using hetsim::models::DataShape;
using hetsim::models::Model;
using hetsim::scenarios::ModelSpec;

namespace {

using MakeBatch = std::function<Batch(at::Generator&)>;

// R replicas of `spec` (seeds 11, 12, ...), each with its own batch: replica_losses of the stack
// against loss() one by one.
void check_replicas(const ModelSpec& spec, const DataShape& shape, const MakeBatch& make_batch,
                    int replicas = 3) {
    at::Generator gen = hetsim::models::compat::make_cpu_generator(5);
    std::vector<std::unique_ptr<Model>> models;
    std::vector<Batch> batches;
    std::vector<double> losses;
    std::vector<std::vector<at::Tensor>> grads;
    for (int r = 0; r < replicas; ++r) {
        models.push_back(hetsim::models::make_model(spec, shape, 11 + static_cast<std::uint64_t>(r)));
        batches.push_back(make_batch(gen));
        const at::Tensor loss = models.back()->loss(batches.back());
        losses.push_back(loss.item<double>());
        grads.push_back(torch::autograd::grad({loss}, models.back()->parameters()));
    }
    const std::size_t count = models.front()->parameters().size();
    std::vector<at::Tensor> stacked;
    for (std::size_t i = 0; i < count; ++i) {
        std::vector<at::Tensor> slices;
        for (auto& m : models) slices.push_back(m->parameters()[i].detach());
        stacked.push_back(at::stack(slices).requires_grad_(true));
    }
    std::vector<at::Tensor> inputs, targets;
    for (const Batch& b : batches) {
        inputs.push_back(b.inputs);
        targets.push_back(b.targets);
    }
    // Any replica's model object computes the stack: the parameters come from `stacked`.
    const at::Tensor batched = models.back()->replica_losses(stacked, {at::stack(inputs),
                                                                        at::stack(targets)});
    REQUIRE(batched.sizes() == at::IntArrayRef{replicas});
    const std::vector<at::Tensor> batched_grads = torch::autograd::grad({batched.sum()}, stacked);
    for (int r = 0; r < replicas; ++r) {
        CAPTURE(r);
        CHECK(batched[r].item<double>() == doctest::Approx(losses[static_cast<std::size_t>(r)])
                                               .epsilon(1e-6));
        for (std::size_t i = 0; i < count; ++i) {
            CAPTURE(i);
            const at::Tensor expected = grads[static_cast<std::size_t>(r)][i];
            const at::Tensor got = batched_grads[i][r];
            REQUIRE(got.sizes() == expected.sizes());
            // Tolerance against the tensor's own scale: batched matmuls add in another order.
            const double scale = expected.abs().max().item<double>() + 1e-12;
            CHECK((got - expected).abs().max().item<double>() <= 1e-5 * scale);
        }
    }
    // Not vacuous: the replicas differ in what they compute.
    if (replicas > 1) CHECK(losses[0] != losses[1]);
}

ModelSpec spec_of(const std::string& kind) {
    ModelSpec s;
    s.kind = kind;
    return s;
}

}  // namespace

TEST_CASE("mlp: batched replicas give each replica its own loss and gradient") {
    ModelSpec s = spec_of("mlp");
    s.hidden = {32, 24};
    check_replicas(s, DataShape{.task = "classification", .input_dim = 16, .classes = 4},
                   [](at::Generator& gen) {
                       return Batch{at::randn({20, 16}, gen), at::randint(4, {20}, gen, at::kLong)};
                   });
}

TEST_CASE("linear least squares: batched replicas give each replica its own loss and gradient") {
    check_replicas(spec_of("linear"), DataShape{.task = "regression", .input_dim = 7},
                   [](at::Generator& gen) {
                       return Batch{at::randn({9, 7}, gen), at::randn({9}, gen)};
                   });
}

TEST_CASE("cnn: batched replicas (grouped convolutions) give each replica its own loss and "
          "gradient") {
    check_replicas(spec_of("cnn"),
                   DataShape{.task = "classification", .input_dim = 784, .classes = 10,
                             .image = true},
                   [](at::Generator& gen) {
                       return Batch{at::rand({4, 1, 28, 28}, gen),
                                    at::randint(10, {4}, gen, at::kLong)};
                   });
}

TEST_CASE("gpt: batched replicas give each replica its own loss and gradient") {
    ModelSpec s = spec_of("gpt");
    s.preset = "nano";
    s.context = 16;
    check_replicas(s, DataShape{.task = "lm", .vocab = 64, .context = 16}, [](at::Generator& gen) {
        const at::Tensor tokens = at::randint(64, {3, 13}, gen, at::kLong);  // T = 12 < context
        return Batch{tokens.narrow(1, 0, 12), tokens.narrow(1, 1, 12)};
    }, 4);
}

TEST_CASE("a single replica is the model itself") {
    ModelSpec s = spec_of("mlp");
    s.hidden = {8};
    check_replicas(s, DataShape{.task = "classification", .input_dim = 5, .classes = 3},
                   [](at::Generator& gen) {
                       return Batch{at::randn({6, 5}, gen), at::randint(3, {6}, gen, at::kLong)};
                   }, 1);
}
