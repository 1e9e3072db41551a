// The CLI's --set overrides and --seed, applied by the loader before validation.
#include "scenarios/scenario_loader.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

namespace {

using namespace std::chrono_literals;
using hetsim::scenarios::LoadOptions;
using hetsim::scenarios::Scenario;

const std::string kBase = R"(seed = 3

[workers]
count = 4
step_time = "100ms"

[algorithm]
kind = "async"

[run]
server_updates = 10
)";

Scenario with(std::vector<std::string> overrides, std::optional<std::uint64_t> seed = {}) {
    return hetsim::scenarios::parse_scenario(kBase, "base.toml",
                                             LoadOptions{std::move(overrides), seed});
}

// The message of the ScenarioError that `overrides` cause, or "no error".
std::string error_with(std::vector<std::string> overrides) {
    try {
        (void)with(std::move(overrides));
    } catch (const hetsim::ScenarioError& e) {
        return e.what();
    }
    return "no error";
}

}  // namespace

TEST_CASE("--set replaces integers, quoted strings and bare strings") {
    CHECK(with({"workers.count=16"}).world.workers.size() == 16);
    CHECK(with({"algorithm.kind=\"sync\""}).world.algorithm.kind ==
          hetsim::sim::ScheduleKind::sync);
    CHECK(with({"algorithm.kind=ddp"}).world.algorithm.kind == hetsim::sim::ScheduleKind::ddp);
    CHECK(with({"workers.step_time=250ms"}).world.workers[0].step_time == 250ms);
    CHECK(with({" workers . step_time = 1.5s "}).world.workers[0].step_time == 1500ms);
    CHECK(with({"name=hello world"}).name == "hello world");
}

TEST_CASE("--set creates missing tables and accepts inline tables and lists") {
    const Scenario s = with({"network.server.shared=true", "network.server.bandwidth=10Gbps",
                             "workers.jitter={ dist = \"uniform\", low = 0.9, high = 1.1 }",
                             "workers.multiplier=[1, 2, 3, 4]"});
    CHECK(s.world.network.shared_server_link);
    CHECK(s.world.network.server_bandwidth.bits_per_second == 10e9);
    REQUIRE(s.world.workers[2].jitter.has_value());
    CHECK(s.world.workers[2].jitter->b == 1.1);
    CHECK(s.world.workers[3].multiplier == 4.0);
}

TEST_CASE("--set overrides apply in order, the last one winning") {
    CHECK(with({"workers.count=2", "workers.count=6"}).world.workers.size() == 6);
}

TEST_CASE("the seed option wins over the file's seed and over --set seed=") {
    CHECK(with({}).world.seed == 3);
    CHECK(with({"seed=4"}).world.seed == 4);
    CHECK(with({"seed=4"}, 5).world.seed == 5);
    CHECK(with({}, 18446744073709551615ULL).world.seed == 18446744073709551615ULL);
}

TEST_CASE("a malformed --set is a ScenarioError from file --set") {
    CHECK(error_with({"noequals"}) == R"(--set: expected key.path=value, found "noequals")");
    CHECK(error_with({"=5"}) == R"(--set: expected a key before `=` (key.path=value), found "=5")");
    CHECK(error_with({"workers..count=5"}) ==
          R"(--set: workers..count: expected a dotted key of letters, digits, `_` and `-`, )"
          R"(found "workers..count=5")");
    CHECK(error_with({"seed.value=1"}) ==
          R"(--set: seed: expected a table to set `value` in, found "seed.value=1")");
}

TEST_CASE("a bad value from --set is reported at its position in the override text") {
    CHECK(error_with({"workers.count=0"}) ==
          "--set:1:15: workers.count: expected an integer in 1..1000000, found integer 0");
    CHECK(error_with({"workers.step_time=5"}) ==
          R"(--set:1:19: workers.step_time: expected a duration with a unit like "50ms", )"
          "found integer 5");
    CHECK(error_with({"algorithm.kind=asynk"}) ==
          R"(--set:1:16: algorithm.kind: expected one of "sync", "async", "fedbuff", "ddp" )"
          R"((did you mean "async"?), found string "asynk")");
}

TEST_CASE("an unknown key from --set gets a suggestion like one in the file") {
    CHECK(error_with({"workers.step_tme=1s"}) ==
          "--set:1:9: workers.step_tme: expected one of trace, count, step_time, device_flops, "
          "mfu, step_times, heterogeneity, group, multiplier, jitter, stragglers, failures, "
          "preemption, override (did you mean `step_time`?), found unknown key `step_tme`");
}

TEST_CASE("a bad value in the file is still reported in the file after --set") {
    const std::string text = kBase + "\n[network]\nlatency = 5\n";
    CHECK_THROWS_WITH_AS(
        hetsim::scenarios::parse_scenario(text, "f.toml", LoadOptions{{"workers.count=8"}, {}}),
        R"(f.toml:14:11: network.latency: expected a duration with a unit like "50ms", )"
        "found integer 5",
        hetsim::ScenarioError);
}
