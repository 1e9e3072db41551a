#include "tests/torch_test.hpp"

#include "engine/trainer.hpp"
#include "engine/training_run.hpp"
#include "models/data/synthetic_data.hpp"
#include "models/dataset.hpp"
#include "scenarios/scenario_loader.hpp"
#include "sim/schedule.hpp"

#include <fmt/format.h>

using namespace hetsim;
using hetsim::engine::Trainer;

namespace {

// A linear least-squares world: K workers, one shard each, batch 16.
std::string linear_world(int k, const std::string& algorithm, const std::string& inner,
                         const std::string& run) {
    return fmt::format(R"(
seed = 5
[model]
kind = "linear"
bytes = 0
[data]
source = "linear-synthetic"
dimension = 8
examples = 4096
batch_size = 16
[workers]
count = {}
step_time = "1s"
[algorithm]
{}
[inner]
{}
[outer]
optimizer = "sgd"
lr = 1.0
[run]
{}
)",
                       k, algorithm, inner, run);
}

struct World {
    scenarios::Scenario scenario;
    std::unique_ptr<models::Dataset> data;
    std::unique_ptr<models::Model> model;

    explicit World(const std::string& toml)
        : scenario(scenarios::parse_scenario(toml, "test.toml")),
          data(models::make_dataset(scenario.training.data,
                                    static_cast<int>(scenario.world.workers.size()),
                                    scenario.world.seed, models::default_data_dir(), 0)),
          model(fresh_model()) {}

    std::unique_ptr<models::Model> fresh_model() const {
        return models::make_model(scenario.training.model, data->shape(), 77);
    }
};

std::vector<at::Tensor> detached(const std::vector<at::Tensor>& ps) {
    std::vector<at::Tensor> out;
    for (const auto& p : ps) out.push_back(p.detach().clone());
    return out;
}

void check_close(const std::vector<at::Tensor>& a, const std::vector<at::Tensor>& b, double tol) {
    REQUIRE(a.size() == b.size());
    for (std::size_t i = 0; i < a.size(); ++i) {
        const double diff = (a[i] - b[i]).abs().max().item<double>();
        CAPTURE(i);
        CHECK(diff <= tol);
    }
}

}  // namespace

TEST_CASE("sync Local-SGD with H=1 and outer SGD lr 1 equals mini-batch SGD on K x b examples") {
    at::set_num_threads(1);
    World w(linear_world(4, R"(kind = "sync"
inner_steps = 1)",
                         R"(optimizer = "sgd"
lr = 0.05)",
                         "server_updates = 6"));
    Trainer trainer(w.scenario, *w.model, *w.data);
    const sim::RunResult r = sim::run_schedule(w.scenario.world, &trainer);
    REQUIRE(r.server_version == 6);

    // The reference: one model, SGD on the four workers' batches concatenated.
    auto ref = w.fresh_model();
    std::vector<at::Tensor> params = ref->parameters();
    for (int round = 0; round < 6; ++round) {
        std::vector<at::Tensor> xs, ys;
        for (int k = 0; k < 4; ++k) {
            const models::Batch b = w.data->train_batch(k, round * 16, 16);
            xs.push_back(b.inputs);
            ys.push_back(b.targets);
        }
        const at::Tensor loss = ref->loss(models::Batch{at::cat(xs), at::cat(ys)});
        const auto grads = torch::autograd::grad({loss}, params);
        torch::NoGradGuard no_grad;
        for (std::size_t i = 0; i < params.size(); ++i) params[i].sub_(grads[i], 0.05);
    }
    check_close(trainer.global_parameters(), detached(params), 1e-6);
}

TEST_CASE("async with one worker and outer SGD lr 1 equals plain sequential AdamW training") {
    at::set_num_threads(1);
    World w(linear_world(1, R"(kind = "async"
inner_steps = 5)",
                         R"(optimizer = "adamw"
lr = 0.01
weight_decay = 0.01)",
                         "server_updates = 4"));
    Trainer trainer(w.scenario, *w.model, *w.data);
    sim::run_schedule(w.scenario.world, &trainer);

    auto ref = w.fresh_model();
    std::vector<at::Tensor> params = ref->parameters();
    torch::optim::AdamW adamw(params, torch::optim::AdamWOptions(0.01).weight_decay(0.01));
    for (int step = 0; step < 20; ++step) {
        adamw.zero_grad();
        ref->loss(w.data->train_batch(0, step * 16, 16)).backward();
        adamw.step();
    }
    // The optimizer state carries over between rounds; only the float rounding of
    // theta - (theta - after) separates the two.
    check_close(trainer.global_parameters(), detached(params), 1e-6);
}

TEST_CASE("a timing-only run and a real run give the same update order, times and staleness") {
    at::set_num_threads(1);
    const std::string world = R"(
seed = 11
[model]
kind = "linear"
bytes = "1MB"
[data]
source = "linear-synthetic"
dimension = 4
examples = 2048
batch_size = 8
assignment = "balanced"
[workers]
count = 5
step_time = "100ms"
multiplier = { dist = "lognormal", mu = 0.0, sigma = 0.5 }
jitter = { dist = "uniform", low = 0.9, high = 1.1 }
[workers.failures]
mtbf = "30s"
downtime = "5s"
[network]
latency = "10ms"
bandwidth = "100Mbps"
[algorithm]
kind = "async"
inner_steps = 4
local_steps = "dylu"
grace_period = "50ms"
[run]
server_updates = 60
)";
    World real(world);
    Trainer trainer(real.scenario, *real.model, *real.data);
    const sim::RunResult a = sim::run_schedule(real.scenario.world, &trainer);
    scenarios::LoadOptions none;
    none.overrides = {"model.kind=none"};
    const scenarios::Scenario timing = scenarios::parse_scenario(world, "test.toml", none);
    const sim::RunResult b = sim::run_schedule(timing.world);
    REQUIRE(a.updates.size() == b.updates.size());
    for (std::size_t i = 0; i < a.updates.size(); ++i) {
        CAPTURE(i);
        CHECK(a.updates[i].time == b.updates[i].time);
        CHECK(a.updates[i].worker == b.updates[i].worker);
        CHECK(a.updates[i].version_pulled == b.updates[i].version_pulled);
        CHECK(a.updates[i].staleness == b.updates[i].staleness);
        CHECK(a.updates[i].inner_steps == b.updates[i].inner_steps);
        CHECK(std::isfinite(a.updates[i].norm));
    }
    CHECK(a.end_time == b.end_time);
}

TEST_CASE("the same scenario and seed give identical metrics; evaluations follow the grid") {
    at::set_num_threads(1);
    const std::string toml = linear_world(3, R"(kind = "async"
inner_steps = 3)",
                                          R"(optimizer = "sgd"
lr = 0.05)",
                                          "server_updates = 30");
    std::vector<std::vector<double>> losses;
    for (int run = 0; run < 2; ++run) {
        World w(toml + "[eval]\nevery_updates = 10\n");
        Trainer trainer(w.scenario, *w.model, *w.data);
        const sim::RunResult r = sim::run_schedule(w.scenario.world, &trainer);
        trainer.finish(r.end_time);
        std::vector<double> l;
        for (const auto& m : trainer.metrics()) l.push_back(m.loss);
        losses.push_back(l);
        // The initial model at 0 s, then updates 10, 20, 30 (the last is also the final one).
        REQUIRE(trainer.metrics().size() == 4);
        CHECK(trainer.metrics()[0].time == sim::Time{0});
        CHECK(trainer.metrics()[0].server_updates == 0);
        CHECK(trainer.metrics()[1].server_updates == 10);
        CHECK(trainer.metrics()[3].server_updates == 30);
        CHECK(trainer.metrics()[3].time == r.end_time);
        CHECK(trainer.metrics()[3].loss < trainer.metrics()[1].loss);
    }
    CHECK(losses[0] == losses[1]);
}

TEST_CASE("linear least squares trained by async Local-SGD approaches the closed-form optimum") {
    at::set_num_threads(1);
    World w(linear_world(4, R"(kind = "async"
inner_steps = 10)",
                         R"(optimizer = "sgd"
lr = 0.05
schedule = { kind = "cosine", min_lr = 0.0005 })",
                         "server_updates = 200") +
            "[eval]\nevery_updates = 50\n");
    Trainer trainer(w.scenario, *w.model, *w.data);
    const sim::RunResult r = sim::run_schedule(w.scenario.world, &trainer);
    trainer.finish(r.end_time);
    const auto* linear = dynamic_cast<const models::LinearSyntheticDataset*>(w.data.get());
    REQUIRE(linear != nullptr);
    const at::Tensor optimum = linear->least_squares_solution();
    const at::Tensor learned = trainer.global_parameters().front().reshape({-1});
    // The annealed learning rate brings it close to the optimum: within 2% of |w*|.
    const double distance = (learned - optimum).norm().item<double>();
    CAPTURE(distance);
    CHECK(distance < 0.02 * optimum.norm().item<double>());
    // ... much closer than where it started.
    CHECK(distance < 0.05 * (w.fresh_model()->parameters().front().reshape({-1}) - optimum)
                                .norm()
                                .item<double>());
}

TEST_CASE("a nano GPT trained on Brown lowers validation perplexity by a set factor") {
    // A learning check, not a timing check: 4 workers, sync DiLoCo, 400 inner steps in all.
    at::set_num_threads(1);
    scenarios::Scenario s = scenarios::parse_scenario(R"(
seed = 2
[model]
kind = "gpt"
preset = "nano"
context = 32
[data]
source = "brown"
batch_size = 16
validation_examples = 128
[workers]
count = 4
step_time = "100ms"
[algorithm]
kind = "sync"
inner_steps = 10
[inner]
optimizer = "adamw"
lr = 3e-3
[outer]
optimizer = "nesterov"
[eval]
every_updates = 5
[run]
server_updates = 10
)",
                                                      "brown.toml");
    const engine::TrainingRun run = engine::run_training(s, {});
    REQUIRE(run.metrics.size() >= 2);
    const double first = run.metrics.front().perplexity;
    const double last = run.metrics.back().perplexity;
    CAPTURE(first);
    CAPTURE(last);
    CHECK(first > 200);        // untrained: about the byte vocabulary, 256
    CHECK(last < first / 10);  // trained: more than ten times better
    CHECK(run.info.at("parameters").get<std::int64_t>() > 50'000);
    CHECK(s.world.model_bytes == 4 * run.info.at("parameters").get<std::int64_t>());
}

TEST_CASE("ddp averages the workers' gradients and takes one AdamW step per round") {
    at::set_num_threads(1);
    World w(linear_world(3, R"(kind = "ddp")", R"(optimizer = "adamw"
lr = 0.01)",
                         "server_updates = 5"));
    Trainer trainer(w.scenario, *w.model, *w.data);
    sim::run_schedule(w.scenario.world, &trainer);
    auto ref = w.fresh_model();
    std::vector<at::Tensor> params = ref->parameters();
    // The scenario's weight_decay defaults to 0 (torch's AdamW default is 0.01).
    torch::optim::AdamW adamw(params, torch::optim::AdamWOptions(0.01).weight_decay(0.0));
    for (int step = 0; step < 5; ++step) {
        std::vector<at::Tensor> xs, ys;
        for (int k = 0; k < 3; ++k) {
            const models::Batch b = w.data->train_batch(k, step * 16, 16);
            xs.push_back(b.inputs);
            ys.push_back(b.targets);
        }
        adamw.zero_grad();
        ref->loss(models::Batch{at::cat(xs), at::cat(ys)}).backward();
        adamw.step();
    }
    check_close(trainer.global_parameters(), detached(params), 1e-6);
}

TEST_CASE("QSR lengthens rounds as the cosine learning rate decays") {
    at::set_num_threads(1);
    World w(linear_world(2, R"(kind = "async"
inner_steps = 2
local_steps = "qsr"
qsr = { alpha = 0.02 })",
                         R"(optimizer = "sgd"
lr = 0.05
schedule = { kind = "cosine", total_steps = 40, min_lr = 0.001 })",
                         "server_updates = 30"));
    Trainer trainer(w.scenario, *w.model, *w.data);
    const sim::RunResult r = sim::run_schedule(w.scenario.world, &trainer);
    // H = max(2, floor((0.02 / lr)^2)): 2 while lr > 0.0141, then growing to 400 at min_lr.
    CHECK(r.updates.front().inner_steps == 2);
    int previous = 0;
    for (const auto& u : r.updates) {
        if (u.worker != 0) continue;
        CHECK(u.inner_steps >= previous);  // lr only decays, so H never shrinks
        previous = u.inner_steps;
    }
    CHECK(previous > 2);
}
