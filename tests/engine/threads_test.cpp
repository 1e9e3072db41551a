// Concurrent rounds never change an answer: every scenario kind run with run.threads = 1
// (rounds computed inline, one at a time, when their result is needed) and run.threads = 4
// (rounds queued on a RoundPool when they start) writes the same updates.csv and metrics.csv,
// byte for byte. The scenarios cover what can make a concurrent round differ from a sequential
// one: optimizer state carried across rounds (AdamW), rounds lost before their result was
// needed (failures: their task may have run, but must leave no trace) and after (dropped
// updates: their state was committed), staleness weights, buffers, DyLU and QSR round lengths.
// Evaluations of the global model run on the pool too (EvaluationQueue): the eval-heavy cases
// evaluate after every server update and on a time grid.

#include "tests/torch_test.hpp"

#include "analysis/metrics.hpp"
#include "analysis/run_files.hpp"
#include "engine/optim/inner_optimizer.hpp"
#include "engine/trainer.hpp"
#include "models/dataset.hpp"
#include "engine/training_run.hpp"
#include "scenarios/scenario_loader.hpp"
#include "sim/error.hpp"
#include "sim/schedule.hpp"
#include "tests/engine/training_worlds.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <sstream>
#include <string>
#include <vector>

using namespace hetsim;
using hetsim::test::kAdamW;
using hetsim::test::mlp_world;

namespace {

struct Outputs {
    std::string updates;  // updates.csv
    std::string metrics;  // metrics.csv (without host time)
    int round_threads = 0;
    std::int64_t rounds_lost = 0;
    std::int64_t updates_dropped = 0;
};

Outputs run_with_threads(const std::string& toml, int threads) {
    test::RunText run = test::run_with(toml, fmt::format("run.threads={}", threads));
    return {std::move(run.updates), std::move(run.metrics),
            run.info.at("round_threads").get<int>(), run.rounds_lost, run.updates_dropped};
}

// Runs `toml` (K workers) with 1 and 4 round threads and compares the files' text.
Outputs check_same_bytes(const std::string& toml, int workers) {
    const Outputs one = run_with_threads(toml, 1);
    const Outputs four = run_with_threads(toml, 4);
    CHECK(one.round_threads == 1);
    CHECK(four.round_threads == std::min(4, workers));
    // Not vacuous: updates were applied and the model was evaluated more than once.
    CHECK(std::count(one.updates.begin(), one.updates.end(), '\n') > 5);
    CHECK(std::count(one.metrics.begin(), one.metrics.end(), '\n') > 2);
    CHECK(one.updates == four.updates);
    CHECK(one.metrics == four.metrics);
    CHECK(one.rounds_lost == four.rounds_lost);
    return one;
}

}  // namespace

TEST_CASE("sync rounds give the same bytes on 1 and 4 threads") {
    check_same_bytes(mlp_world("kind = \"sync\"\ninner_steps = 4"), 5);
}

TEST_CASE("async rounds give the same bytes on 1 and 4 threads") {
    check_same_bytes(mlp_world("kind = \"async\"\ninner_steps = 4"), 5);
}

TEST_CASE("fedbuff rounds give the same bytes on 1 and 4 threads") {
    check_same_bytes(mlp_world("kind = \"fedbuff\"\ninner_steps = 4\nbuffer = 2"), 5);
}

TEST_CASE("ddp gradients give the same bytes on 1 and 4 threads") {
    check_same_bytes(mlp_world("kind = \"ddp\""), 5);
}

TEST_CASE("async with a grace period, DyLU or QSR gives the same bytes on 1 and 4 threads") {
    SUBCASE("grace period") {
        check_same_bytes(mlp_world("kind = \"async\"\ninner_steps = 4\ngrace_period = \"2s\""),
                         5);
    }
    SUBCASE("DyLU") {
        check_same_bytes(mlp_world("kind = \"async\"\ninner_steps = 6\nlocal_steps = \"dylu\""),
                         5);
    }
    SUBCASE("QSR") {
        // H = max(2, floor((0.05 / lr)^2)): 2 while lr > 0.035, longer as the cosine decays.
        const Outputs one = check_same_bytes(
            mlp_world("kind = \"async\"\ninner_steps = 2\nlocal_steps = \"qsr\"\n"
                      "qsr = { alpha = 0.05 }",
                      "", R"(optimizer = "adamw"
lr = 0.05
schedule = { kind = "cosine", total_steps = 40, min_lr = 0.005 })"),
            5);
        CHECK(one.updates.find(",2,") != std::string::npos);
    }
}

TEST_CASE("rounds lost to failures leave no trace on 4 threads: same bytes as on 1") {
    // Workers 1 and 3 fail in the middle of a round: lost before its result was needed, while
    // its task may already be running or done.
    const std::string failures = R"(
[[workers.failures.scripted]]
worker = 1
at = "6.5s"
downtime = "3s"
[[workers.failures.scripted]]
worker = 3
at = "3s"
downtime = "10s"
)";
    SUBCASE("async") {
        const Outputs one =
            check_same_bytes(mlp_world("kind = \"async\"\ninner_steps = 4", failures), 5);
        CHECK(one.rounds_lost >= 2);
    }
    SUBCASE("sync, dropping failed workers") {
        const Outputs one = check_same_bytes(
            mlp_world("kind = \"sync\"\ninner_steps = 4\ndrop_failed_after = \"1s\"", failures),
            5);
        CHECK(one.rounds_lost >= 1);
    }
}

TEST_CASE("updates dropped at the server after their result was needed: same bytes") {
    // A dropped update's round was computed (its optimizer state moved on) and then lost.
    const std::string toml =
        mlp_world("kind = \"async\"\ninner_steps = 3\ndrop_probability = 0.3");
    const Outputs one = run_with_threads(toml, 1);
    const Outputs four = check_same_bytes(toml, 5);
    CHECK(one.updates_dropped > 0);
    CHECK(one.updates_dropped == four.updates_dropped);
}

TEST_CASE("a round's error surfaces when its result is needed, with the same message") {
    // SGD at lr 1e30 diverges within a round: the first non-finite loss ends the run.
    const std::string toml = mlp_world("kind = \"async\"\ninner_steps = 4", "",
                                       "optimizer = \"sgd\"\nlr = 1e30");
    std::vector<std::string> messages;
    for (int threads : {1, 4}) {
        try {
            run_with_threads(toml, threads);
            messages.emplace_back("no error");
        } catch (const Error& e) {
            messages.emplace_back(e.what());
        }
    }
    CAPTURE(messages[0]);
    CHECK(messages[0].starts_with("worker "));
    CHECK(messages[0].find(": the loss is ") != std::string::npos);
    CHECK(messages[0] == messages[1]);
}

TEST_CASE("linear least squares with SGD momentum: same bytes on 1 and 4 threads") {
    check_same_bytes(R"(seed = 9
[model]
kind = "linear"
[data]
source = "linear-synthetic"
dimension = 8
examples = 2048
batch_size = 8
[workers]
count = 6
step_time = "100ms"
multiplier = { dist = "lognormal", mu = 0.0, sigma = 0.5 }
[workers.failures]
mtbf = "5s"
downtime = "1s"
[algorithm]
kind = "async"
inner_steps = 3
[inner]
optimizer = "sgd"
lr = 0.05
momentum = 0.9
[outer]
optimizer = "sgd"
lr = 1.0
[eval]
every = "1s"
[run]
server_updates = 40
)",
                     6);
}

TEST_CASE("a nano GPT gives the same bytes on 1 and 4 threads") {
    check_same_bytes(test::nano_gpt_world("1.0, 1.3, 1.7, 2.5"), 4);
}

TEST_CASE("evaluations after every update and on a time grid give the same bytes") {
    // Evaluations queued on the pool between rounds, several rows sharing one model version
    // (the time grid falls between updates), collected in order.
    const std::string eval = "every_updates = 1\nevery = \"700ms\"";
    SUBCASE("async") {
        const Outputs one =
            check_same_bytes(mlp_world("kind = \"async\"\ninner_steps = 4", "", kAdamW, eval), 5);
        CHECK(std::count(one.metrics.begin(), one.metrics.end(), '\n') > 40);
    }
    SUBCASE("sync") {
        check_same_bytes(mlp_world("kind = \"sync\"\ninner_steps = 4", "", kAdamW, eval), 5);
    }
    SUBCASE("fedbuff with a failure") {
        const std::string failure = R"(
[[workers.failures.scripted]]
worker = 2
at = "4s"
downtime = "3s"
)";
        check_same_bytes(
            mlp_world("kind = \"fedbuff\"\ninner_steps = 4\nbuffer = 2", failure, kAdamW, eval),
            5);
    }
}

namespace {

// A model that refuses to compute with a parameter above 1e3 (in loss and in evaluate), to
// make an evaluation fail: its error must surface as when evaluations ran inline, also when a
// round that pulled the same model fails too.
class Guarded final : public models::Model {
public:
    explicit Guarded(std::unique_ptr<models::Model> inner) : inner_(std::move(inner)) {}
    std::vector<at::Tensor> parameters() override { return inner_->parameters(); }
    at::Tensor loss(const models::Batch& b) override {
        check("loss");
        return inner_->loss(b);
    }
    models::EvalSums evaluate(const models::Batch& b) override {
        check("evaluate");
        return inner_->evaluate(b);
    }
    double flops_per_example() const override { return inner_->flops_per_example(); }
    std::string describe() const override { return inner_->describe(); }

private:
    void check(const char* what) {
        const double largest = inner_->parameters()[0].abs().max().item<double>();
        if (largest > 1e3) throw Error(fmt::format("{}: a parameter of {:g}", what, largest));
    }
    std::unique_ptr<models::Model> inner_;
};

// Runs `toml` with Guarded models (the run's and the round threads' replicas): the error's
// message, or "no error".
std::string guarded_run(const std::string& toml, int threads) {
    scenarios::LoadOptions options;
    options.overrides = {fmt::format("run.threads={}", threads)};
    scenarios::Scenario s = scenarios::parse_scenario(toml, "threads.toml", options);
    at::set_num_threads(1);
    const auto data = models::make_dataset(s.training.data, 5, s.world.seed,
                                           models::default_data_dir(), s.training.model.context);
    const auto make = [&]() -> std::unique_ptr<models::Model> {
        return std::make_unique<Guarded>(models::make_model(s.training.model, data->shape(), 1));
    };
    const auto model = make();
    s.world.model_bytes = model->parameter_count() * 4;
    try {
        engine::Trainer trainer(s, *model, *data, make);
        const sim::RunResult r = sim::run_schedule(s.world, &trainer);
        trainer.finish(r.end_time);
        return "no error";
    } catch (const Error& e) {
        return e.what();
    }
}

}  // namespace

TEST_CASE("an evaluation's error surfaces as when evaluations ran inline") {
    // Outer SGD at lr 1e6 throws the global model far out at the first update: its evaluation
    // fails, and so do the rounds that pulled it.
    std::string toml =
        mlp_world("kind = \"async\"\ninner_steps = 2", "", kAdamW, "every_updates = 1");
    const std::string outer = "[outer]\noptimizer = \"nesterov\"\nlr = 0.7\nmomentum = 0.9";
    toml.replace(toml.find(outer), outer.size(),
                 "[outer]\noptimizer = \"sgd\"\nlr = 1e6\nmomentum = 0");
    const std::string one = guarded_run(toml, 1);
    const std::string four = guarded_run(toml, 4);
    CAPTURE(one);
    CHECK(one.starts_with("evaluate: a parameter of "));
    CHECK(one == four);
}

TEST_CASE("a cloned inner optimizer continues exactly like the original and shares no state") {
    // Concurrent rounds run on a clone of the worker's optimizer (kept only if the round's
    // result is needed), so a clone must step exactly like the original, independently.
    at::set_num_threads(1);
    for (const char* kind : {"sgd", "adamw", "rmsprop", "delta-sgd"}) {
        CAPTURE(kind);
        scenarios::InnerOptimizerSpec spec;
        spec.kind = kind;
        spec.lr = 0.01;
        spec.momentum = std::string(kind) == "adamw" ? 0.0 : 0.9;
        const auto original = engine::make_inner_optimizer(spec);
        const auto params_at = [](double v) {
            return std::vector<at::Tensor>{at::full({3, 2}, v), at::full({4}, -v)};
        };
        const auto grads_at = [](int step) {
            const double scale = step + 1;
            return std::vector<at::Tensor>{at::arange(6).reshape({3, 2}).to(at::kFloat) * scale,
                                           at::linspace(-1, 1, 4) / scale};
        };
        std::vector<at::Tensor> a = params_at(1.0);
        for (int step = 0; step < 3; ++step) original->step(a, grads_at(step), 0.01);
        const auto copy = original->clone();
        std::vector<at::Tensor> b = {a[0].clone(), a[1].clone()};
        // The copy steps first: if it shared state with the original, the original would see it.
        for (int step = 3; step < 6; ++step) copy->step(b, grads_at(step), 0.01);
        for (int step = 3; step < 6; ++step) original->step(a, grads_at(step), 0.01);
        CHECK(copy->steps() == original->steps());
        CHECK(at::equal(a[0], b[0]));
        CHECK(at::equal(a[1], b[1]));
    }
}
