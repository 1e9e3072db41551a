// Step times from FLOPs and from a measurement, resolved by the engine once the model exists.
#include "tests/torch_test.hpp"

#include "engine/training_run.hpp"
#include "scenarios/scenario_loader.hpp"

#include <fmt/format.h>

using namespace hetsim;
using namespace std::chrono_literals;

namespace {

// A linear least-squares world of 3 workers (dimension 8, batch 16) with `workers` keys.
scenarios::Scenario linear(const std::string& workers) {
    const std::string text = fmt::format(R"(
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
{}
[algorithm]
kind = "async"
inner_steps = 2
[run]
server_updates = 3
)",
                                         workers);
    return scenarios::parse_scenario(text, "linear.toml");
}

}  // namespace

TEST_CASE("device_flops x mfu gives FLOPs per step over the achieved rate, per group") {
    // linear: 6 x 8 = 48 FLOPs per example, x 16 = 768 FLOPs per step.
    scenarios::Scenario s = linear(R"(device_flops = "1.536kFLOP/s"
mfu = 0.5
[[workers.group]]
name = "base"
count = 2
[[workers.group]]
name = "fast"
count = 1
speed = 4.0
)");
    const engine::TrainingRun run = engine::run_training(s, {});
    CHECK(s.world.workers[0].step_time == 1s);  // 768 / (1536 x 0.5)
    CHECK(s.world.workers[1].step_time == 1s);
    CHECK(s.world.workers[2].step_time == 250ms);
    const auto& j = run.info["step_time"];
    CHECK(j["kind"] == "resolved");
    REQUIRE(j["sources"].size() == 2);
    CHECK(j["sources"][0]["kind"] == "flops");
    CHECK(j["sources"][0]["flops_per_step"] == 768.0);
    CHECK(j["sources"][0]["device_flops"] == "1.536kFLOP/s");
    CHECK(j["sources"][0]["step_time"] == "1s");
    CHECK(j["sources"][1]["step_time"] == "250ms");
}

TEST_CASE("a measured step time is positive, recorded, and leaves the initial model unchanged") {
    scenarios::Scenario measured = linear("count = 3\nstep_time = \"measure\"\n");
    scenarios::Scenario fixed = linear("count = 3\nstep_time = \"1s\"\n");
    const engine::TrainingRun a = engine::run_training(measured, {});
    const engine::TrainingRun b = engine::run_training(fixed, {});
    CHECK(measured.world.workers[0].step_time > 0ns);
    CHECK(measured.world.workers[0].step_time == measured.world.workers[2].step_time);
    CHECK(a.info["step_time"]["sources"][0]["kind"] == "measure");
    CHECK(a.info["step_time"]["sources"][0]["timed_steps"] == 9);
    CHECK(b.info["step_time"]["kind"] == "duration");
    // Both runs evaluate the initial model at time 0: the measurement's steps were undone.
    REQUIRE(!a.metrics.empty());
    REQUIRE(!b.metrics.empty());
    CHECK(a.metrics.front().loss == b.metrics.front().loss);
}
