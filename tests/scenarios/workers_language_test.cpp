// The worker language: [[workers.group]], heterogeneity presets, step-time sources
// (durations, device_flops x mfu, "measure") and the errors each of them can raise.
#include "scenarios/presets.hpp"
#include "scenarios/scenario_loader.hpp"
#include "scenarios/step_time.hpp"

#include "sim/random_streams.hpp"

#include <doctest/doctest.h>

#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using hetsim::scenarios::Scenario;
using hetsim::scenarios::StepTimeKind;
using hetsim::scenarios::StepTimeSource;
using hetsim::sim::Time;

const fs::path kBadDir = fs::path(HETSIM_TEST_DATA_DIR) / "bad_scenarios";

// `head` (top-level keys), [workers] as given, an async algorithm and a run limit, `rest`.
Scenario parse(const std::string& workers, const std::string& rest = "",
               const std::string& head = "") {
    const std::string text = head + "[workers]\n" + workers +
                             "\n[algorithm]\nkind = \"async\"\n\n[run]\nserver_updates = 10\n" +
                             rest;
    return hetsim::scenarios::parse_scenario(text, "test.toml");
}

std::vector<Time> step_times(const Scenario& s) {
    std::vector<Time> out;
    for (const auto& w : s.world.workers) out.push_back(w.step_time);
    return out;
}

std::vector<double> multipliers(const Scenario& s) {
    std::vector<double> out;
    for (const auto& w : s.world.workers) out.push_back(w.multiplier);
    return out;
}

std::vector<std::string> groups(const Scenario& s) {
    std::vector<std::string> out;
    for (const auto& w : s.world.workers) out.push_back(w.group);
    return out;
}

std::string error_of(const std::string& workers, const std::string& rest = "") {
    try {
        (void)parse(workers, rest);
    } catch (const hetsim::ScenarioError& e) {
        return e.what();
    }
    return "loaded without error";
}

const std::string kThreeGroups = R"(step_time = "200ms"
[[workers.group]]
name = "h100"
count = 2
speed = 4.0
[[workers.group]]
name = "a100"
count = 3
step_time = "120ms"
[[workers.group]]
name = "cpu"
count = 1
)";

}  // namespace

TEST_CASE("groups are laid out in file order with their names and step times") {
    const Scenario s = parse(kThreeGroups);
    CHECK(groups(s) == std::vector<std::string>{"h100", "h100", "a100", "a100", "a100", "cpu"});
    // speed 4 divides [workers] step_time; a group step_time wins; no setting inherits it.
    CHECK(step_times(s) == std::vector<Time>{50ms, 50ms, 120ms, 120ms, 120ms, 200ms});
    CHECK(multipliers(s) == std::vector<double>(6, 1.0));
    CHECK(s.step_time_sources.empty());
}

TEST_CASE("workers.count may be given with groups when it equals their sum") {
    CHECK(parse("count = 6\n" + kThreeGroups).world.workers.size() == 6);
    CHECK(error_of("count = 5\n" + kThreeGroups) ==
          "test.toml:2:9: workers.count: expected 6 (the sum of the [[workers.group]] counts) "
          "or nothing, found integer 5");
}

TEST_CASE("a speed that does not divide the step time exactly rounds to the nearest ns") {
    const Scenario s = parse(
        "step_time = \"100ms\"\n[[workers.group]]\nname = \"g\"\ncount = 1\nspeed = 3.0\n");
    CHECK(s.world.workers[0].step_time == Time{33'333'333});
}

TEST_CASE("group settings override [workers] and [[workers.override]] overrides groups") {
    const Scenario s = parse(R"(step_time = "100ms"
multiplier = 1.5
jitter = { dist = "uniform", low = 0.9, high = 1.1 }
[[workers.group]]
name = "steady"
count = 2
multiplier = [2.0, 3.0]
stragglers = { probability = 0.1, factor = 4.0 }
failures = { mtbf = "1h", downtime = "5m" }
[[workers.group]]
name = "plain"
count = 2
[[workers.override]]
worker = 1
multiplier = 5.0
)");
    CHECK(multipliers(s) == std::vector<double>{2.0, 5.0, 1.5, 1.5});
    CHECK(s.world.workers[0].stragglers.probability == 0.1);
    CHECK(s.world.workers[2].stragglers.probability == 0.0);
    CHECK(s.world.workers[0].jitter.has_value());
    CHECK(s.world.workers[1].failures.mtbf == Time{3600s});
    CHECK(s.world.workers[1].failures.downtime_s.mean() == 300.0);
    CHECK_FALSE(s.world.workers[2].failures.mtbf.has_value());
}

TEST_CASE("a group's multiplier distribution is drawn per (seed, worker id in the world)") {
    const Scenario s = parse(R"(step_time = "100ms"
[[workers.group]]
name = "first"
count = 3
[[workers.group]]
name = "drawn"
count = 2
multiplier = { dist = "lognormal", mu = 0.0, sigma = 0.5 }
)",
                             "", "seed = 11\n");
    const hetsim::sim::Distribution d{hetsim::sim::Distribution::Kind::lognormal, 0.0, 0.5};
    for (const int w : {3, 4}) {
        hetsim::sim::Rng rng = hetsim::sim::make_stream(11, w, hetsim::sim::Purpose::speed);
        CHECK(s.world.workers[static_cast<std::size_t>(w)].multiplier == d.sample(rng));
    }
    CHECK(s.world.workers[0].multiplier == 1.0);
}

TEST_CASE("a group link sits between [network] and [[network.override]]") {
    const Scenario s = parse(R"(step_time = "100ms"
[[workers.group]]
name = "near"
count = 2
[[workers.group]]
name = "far"
count = 2
link = { latency = "80ms", up_bandwidth = "10Mbps" }
)",
                             R"([network]
latency = "5ms"
bandwidth = "1Gbps"
[[network.override]]
worker = 3
latency = "200ms"
)");
    const auto& w = s.world.workers;
    CHECK(w[0].link.latency == 5ms);
    CHECK(w[2].link.latency == 80ms);
    CHECK(w[2].link.up.bits_per_second == 10e6);
    CHECK(w[2].link.down.bits_per_second == 1e9);  // [network]'s, the group sets only up
    CHECK(w[3].link.latency == 200ms);
}

TEST_CASE("group shards fix the shard each worker of the group reads, cycling the list") {
    const Scenario s = parse(R"(step_time = "100ms"
[[workers.group]]
name = "free"
count = 2
[[workers.group]]
name = "pinned"
count = 3
shards = [4, 1]
)",
                             "", "[model]\nkind = \"linear\"\n[data]\nshards = 5\n");
    CHECK(s.training.data.fixed_shards == std::vector<int>{-1, -1, 4, 1, 4});
    CHECK(parse(kThreeGroups).training.data.fixed_shards.empty());
}

TEST_CASE("each multiplier preset resolves to evenly spaced multipliers from 1 to its ratio") {
    const std::string base = "count = 5\nstep_time = \"100ms\"\nheterogeneity = ";
    CHECK(multipliers(parse(base + "\"none\"")) == std::vector<double>{1, 1, 1, 1, 1});
    CHECK(multipliers(parse(base + "\"slight\"")) ==
          std::vector<double>{1, 1.125, 1.25, 1.375, 1.5});
    CHECK(multipliers(parse(base + "\"moderate\"")) == std::vector<double>{1, 1.5, 2, 2.5, 3});
    CHECK(multipliers(parse("count = 4\nstep_time = \"100ms\"\nheterogeneity = \"very\"")) ==
          std::vector<double>{1, 4, 7, 10});
    CHECK(multipliers(parse("count = 1\nstep_time = \"100ms\"\nheterogeneity = \"very\"")) ==
          std::vector<double>{1});
}

TEST_CASE("the preset table lists the documented fastest/slowest ratios") {
    using hetsim::scenarios::kHeterogeneityPresets;
    REQUIRE(kHeterogeneityPresets.size() == 4);
    CHECK(kHeterogeneityPresets[0].ratio == 1.0);
    CHECK(kHeterogeneityPresets[1].ratio == 1.5);
    CHECK(kHeterogeneityPresets[2].ratio == 3.0);
    CHECK(kHeterogeneityPresets[3].ratio == 10.0);
}

TEST_CASE("a multiplier preset spans groups in worker order") {
    const Scenario s = parse(R"(step_time = "100ms"
heterogeneity = "moderate"
[[workers.group]]
name = "a"
count = 2
[[workers.group]]
name = "b"
count = 3
speed = 2.0
)");
    CHECK(step_times(s) == std::vector<Time>{100ms, 100ms, 50ms, 50ms, 50ms});
    CHECK(multipliers(s) == std::vector<double>{1, 1.5, 2, 2.5, 3});
}

TEST_CASE("asyncdiloco-toy sets four step times with count 4 or absent") {
    for (const std::string count : {"", "count = 4\n"}) {
        const Scenario s = parse(count + "heterogeneity = \"asyncdiloco-toy\"");
        CHECK(step_times(s) == std::vector<Time>{580ms, 750ms, 1510ms, 3330ms});
        CHECK(multipliers(s) == std::vector<double>(4, 1.0));
    }
}

TEST_CASE("device_flops and measure are recorded as sources for the engine to resolve") {
    const std::string model = "[model]\nkind = \"linear\"\n";
    SUBCASE("device_flops x mfu at the workers level, a group speed scales it") {
        const Scenario s = parse(R"(device_flops = "989TFLOP/s"
mfu = 0.4
[[workers.group]]
name = "big"
count = 1
[[workers.group]]
name = "half"
count = 2
speed = 0.5
[[workers.group]]
name = "own"
count = 1
device_flops = "312TFLOP/s"
[[workers.group]]
name = "fixed"
count = 1
step_time = "1s"
)",
                                 model);
        REQUIRE(s.step_time_sources.size() == 5);
        CHECK(s.step_time_sources[0] == StepTimeSource{StepTimeKind::flops, 989e12, 0.4, 1.0});
        CHECK(s.step_time_sources[1] == StepTimeSource{StepTimeKind::flops, 989e12, 0.4, 0.5});
        CHECK(s.step_time_sources[3] == StepTimeSource{StepTimeKind::flops, 312e12, 0.4, 1.0});
        CHECK(s.step_time_sources[4] == StepTimeSource{});
        CHECK(step_times(s) == std::vector<Time>{0ns, 0ns, 0ns, 0ns, 1s});
    }
    SUBCASE("measure, and an override's step time replaces it") {
        const Scenario s = parse(
            "count = 3\nstep_time = \"measure\"\n[[workers.override]]\nworker = 2\n"
            "step_time = \"2s\"\n",
            model);
        REQUIRE(s.step_time_sources.size() == 3);
        CHECK(s.step_time_sources[0].kind == StepTimeKind::measure);
        CHECK(s.step_time_sources[2].kind == StepTimeKind::duration);
        CHECK(s.world.workers[2].step_time == 2s);
    }
}

TEST_CASE("compute rates parse with k, M, G, T, P, E prefixes and nothing else") {
    using hetsim::scenarios::parse_flop_rate;
    CHECK(parse_flop_rate("989TFLOP/s") == 989e12);
    CHECK(parse_flop_rate("1.5PFLOP/s") == 1.5e15);
    CHECK(parse_flop_rate("312e12FLOP/s") == 312e12);
    CHECK(parse_flop_rate("20 GFLOP/s") == 20e9);
    CHECK(parse_flop_rate("7kFLOP/s") == 7e3);
    for (const char* bad : {"", "TFLOP/s", "0TFLOP/s", "-1TFLOP/s", "inf", "nanFLOP/s",
                            "1e400EFLOP/s", "989TFLOPS", "989tflop/s"}) {
        CAPTURE(bad);
        CHECK_THROWS_AS(parse_flop_rate(bad), hetsim::Error);
    }
    CHECK(hetsim::scenarios::format_flop_rate(989e12) == "989TFLOP/s");
}

TEST_CASE("a FLOP-derived step time is FLOPs per step over device_flops x mfu x speed") {
    using hetsim::scenarios::flops_per_step;
    using hetsim::scenarios::flops_step_time;
    CHECK(flops_per_step(6e9, 16) == 9.6e10);
    const StepTimeSource source{StepTimeKind::flops, 1e15, 0.5, 1.0};
    CHECK(flops_step_time(1e14, source) == 200ms);
    CHECK(flops_step_time(1e14, StepTimeSource{StepTimeKind::flops, 1e15, 0.5, 4.0}) == 50ms);
    CHECK_THROWS_AS(flops_step_time(1e40, source), hetsim::Error);
    CHECK_THROWS_AS(flops_step_time(0.0, source), hetsim::Error);
}

namespace {

// Fixture (tests/data/bad_scenarios/workers-*.toml) -> its exact message after the folder.
const std::map<std::string, std::string> kExpected = {
    {"workers-bad-flop-rate.toml",
     R"x(workers-bad-flop-rate.toml:7:16: workers.device_flops: expected a compute rate with )x"
     R"x(a unit like "989TFLOP/s", found string "989TFLOPS": unknown unit "TFLOPS" (use )x"
     R"x(FLOP/s, kFLOP/s, MFLOP/s, GFLOP/s, TFLOP/s, PFLOP/s, EFLOP/s))x"},
    {"workers-flops-without-mfu.toml",
     R"x(workers-flops-without-mfu.toml:5:1: workers.mfu: expected the model FLOPs )x"
     R"x(utilisation in (0, 1] that goes with device_flops, e.g. mfu = 0.4, found nothing)x"},
    {"workers-flops-without-model.toml",
     R"x(workers-flops-without-model.toml:4:16: workers.device_flops: expected no )x"
     R"x(device_flops with model.kind = "none" (the FLOPs of a step are counted on the )x"
     R"x(model; write step_time instead), found string "989TFLOP/s")x"},
    {"workers-group-count-mismatch.toml",
     R"x(workers-group-count-mismatch.toml:3:9: workers.count: expected 6 (the sum of the )x"
     R"x([[workers.group]] counts) or nothing, found integer 8)x"},
    {"workers-group-duplicate-name.toml",
     R"x(workers-group-duplicate-name.toml:10:8: workers.group[1].name: expected a name no )x"
     R"x(other group has, found "a100", the name of workers.group[0])x"},
    {"workers-group-empty-link.toml",
     R"x(workers-group-empty-link.toml:8:8: workers.group[0].link: expected at least one of )x"
     R"x(latency, bandwidth, up_bandwidth, down_bandwidth, found an empty table)x"},
    {"workers-group-huge-counts.toml",
     R"x(workers-group-huge-counts.toml:11:9: workers.group[1].count: expected groups of at )x"
     R"x(most 1000000 workers in all, found 1200000 workers up to this group)x"},
    {"workers-group-missing-name.toml",
     R"x(workers-group-missing-name.toml:5:1: workers.group[0].name: expected the group's )x"
     R"x(name, a non-empty string, found nothing)x"},
    {"workers-group-missing-step-time.toml",
     R"x(workers-group-missing-step-time.toml:4:1: workers.group[0].step_time: expected )x"
     R"x(`step_time`, `device_flops`, or `speed` with a [workers] step_time, found nothing)x"},
    {"workers-group-mtbf-without-downtime.toml",
     R"x(workers-group-mtbf-without-downtime.toml:5:1: workers.group[0].failures: expected a )x"
     R"x(downtime with the group's mtbf (in its `failures` or in [workers.failures]), found )x"
     R"x(nothing)x"},
    {"workers-group-nan-speed.toml",
     R"x(workers-group-nan-speed.toml:8:9: workers.group[0].speed: expected a number > 0, )x"
     R"x(found float nan)x"},
    {"workers-group-negative-step-time.toml",
     R"x(workers-group-negative-step-time.toml:7:13: workers.group[0].step_time: expected a )x"
     R"x(duration with a unit like "50ms", found string "-5ms")x"},
    {"workers-group-shard-out-of-range.toml",
     R"x(workers-group-shard-out-of-range.toml:14:14: workers.group[0].shards[1]: expected a )x"
     R"x(shard index in 0..1 (data.shards = 2), found integer 2)x"},
    {"workers-group-shards-balanced.toml",
     R"x(workers-group-shards-balanced.toml:14:10: workers.group[0].shards: expected no shards )x"
     R"x(with data.assignment = "balanced" (group shards fix the shard each worker reads: )x"
     R"x("fixed" only), found a list of 1 value)x"},
    {"workers-group-shards-without-model.toml",
     R"x(workers-group-shards-without-model.toml:8:10: workers.group[0].shards: expected no )x"
     R"x(shards with model.kind = "none" (shards are the data a model trains on), found a )x"
     R"x(list of 1 value)x"},
    {"workers-group-speed-and-step-time.toml",
     R"x(workers-group-speed-and-step-time.toml:9:9: workers.group[0].speed: expected either )x"
     R"x(`step_time` or `speed`, not both, found both)x"},
    {"workers-group-speed-without-base.toml",
     R"x(workers-group-speed-without-base.toml:12:9: workers.group[1].speed: expected a )x"
     R"x([workers] step_time or device_flops as well (speed divides it), found speed = 0.5 )x"
     R"x(without one)x"},
    {"workers-group-unknown-key.toml",
     R"x(workers-group-unknown-key.toml:8:1: workers.group[0].sped: expected one of name, )x"
     R"x(count, step_time, device_flops, mfu, speed, multiplier, jitter, stragglers, link, )x"
     R"x(failures, shards (did you mean `speed`?), found unknown key `sped`)x"},
    {"workers-group-zero-count.toml",
     R"x(workers-group-zero-count.toml:7:9: workers.group[0].count: expected an integer in )x"
     R"x(1..1000000, found integer 0)x"},
    {"workers-groups-with-step-times.toml",
     R"x(workers-groups-with-step-times.toml:3:14: workers.step_times: expected no step_times )x"
     R"x(with [[workers.group]] (each group sets its step time or speed), found a list of 2 )x"
     R"x(values)x"},
    {"workers-infinite-group-multiplier.toml",
     R"x(workers-infinite-group-multiplier.toml:8:14: workers.group[0].multiplier: expected a )x"
     R"x(number > 0, found float inf)x"},
    {"workers-measure-without-model.toml",
     R"x(workers-measure-without-model.toml:4:13: workers.step_time: expected a duration )x"
     R"x((step_time = "measure" times the model's inner step, and model.kind = "none" has no )x"
     R"x(model), found string "measure")x"},
    {"workers-mfu-above-one.toml",
     R"x(workers-mfu-above-one.toml:8:7: workers.mfu: expected a number in (0, 1], found )x"
     R"x(float 1.5)x"},
    {"workers-mfu-without-device-flops.toml",
     R"x(workers-mfu-without-device-flops.toml:5:7: workers.mfu: expected no mfu without )x"
     R"x(device_flops (it scales device_flops), found float 0.4)x"},
    {"workers-preset-with-group-multiplier.toml",
     R"x(workers-preset-with-group-multiplier.toml:9:14: workers.group[0].multiplier: )x"
     R"x(expected no multiplier with heterogeneity = "slight" (the preset sets every )x"
     R"x(worker's speed), found float 2.0)x"},
    {"workers-preset-with-multiplier.toml",
     R"x(workers-preset-with-multiplier.toml:6:14: workers.multiplier: expected no multiplier )x"
     R"x(with heterogeneity = "moderate" (the preset sets every worker's speed), found a list )x"
     R"x(of 4 values)x"},
    {"workers-step-time-and-device-flops.toml",
     R"x(workers-step-time-and-device-flops.toml:8:16: workers.device_flops: expected either )x"
     R"x(`step_time` or `device_flops`, not both, found both)x"},
    {"workers-toy-preset-count.toml",
     R"x(workers-toy-preset-count.toml:3:9: workers.count: expected 4 or nothing with )x"
     R"x(heterogeneity = "asyncdiloco-toy" (the preset sets the 4 step times), found integer 8)x"},
    {"workers-toy-preset-with-step-time.toml",
     R"x(workers-toy-preset-with-step-time.toml:3:13: workers.step_time: expected no )x"
     R"x(step_time with heterogeneity = "asyncdiloco-toy" (the preset sets the 4 step times), )x"
     R"x(found string "1s")x"},
    {"workers-unknown-preset.toml",
     R"x(workers-unknown-preset.toml:5:17: workers.heterogeneity: expected one of "none", )x"
     R"x("slight", "moderate", "very", "asyncdiloco-toy" (did you mean "moderate"?), found )x"
     R"x(string "moderat")x"},
};

}  // namespace

TEST_CASE("every workers-* fixture fails with its exact position and message") {
    int files = 0;
    for (const auto& entry : fs::directory_iterator(kBadDir)) {
        const std::string file = entry.path().filename().string();
        if (!file.starts_with("workers-") || entry.path().extension() != ".toml") continue;
        ++files;
        CAPTURE(file);
        REQUIRE(kExpected.count(file) == 1);
        std::string message = "loaded without error";
        try {
            (void)hetsim::scenarios::load_scenario(entry.path());
        } catch (const hetsim::ScenarioError& e) {
            message = e.what();
        }
        CHECK(message == (kBadDir / "").string() + kExpected.at(file));
    }
    CHECK(files == static_cast<int>(kExpected.size()));
}
