// Loading, resolving and serialising scenarios: the examples in scenarios/, per-worker
// resolution and precedence, distributions drawn from the seed, and to_json.
#include "scenarios/scenario_loader.hpp"
#include "scenarios/study.hpp"

#include "sim/random_streams.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <filesystem>
#include <set>
#include <string>
#include <vector>

namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using hetsim::scenarios::LoadOptions;
using hetsim::scenarios::Scenario;
using hetsim::sim::Time;

const fs::path kExamples = fs::path(HETSIM_SOURCE_DIR) / "scenarios";

// A minimal valid scenario: the tests append the keys they are about to it.
Scenario parse(const std::string& workers_extra, const std::string& rest = "",
               const LoadOptions& options = {}) {
    const std::string text = "[workers]\ncount = 4\nstep_time = \"100ms\"\n" + workers_extra +
                             "\n[algorithm]\nkind = \"async\"\n\n[run]\nserver_updates = 10\n" +
                             rest;
    return hetsim::scenarios::parse_scenario(text, "test.toml", options);
}

std::vector<double> multipliers(const Scenario& s) {
    std::vector<double> out;
    for (const auto& w : s.world.workers) out.push_back(w.multiplier);
    return out;
}

std::vector<Time> step_times(const Scenario& s) {
    std::vector<Time> out;
    for (const auto& w : s.world.workers) out.push_back(w.step_time);
    return out;
}

}  // namespace

TEST_CASE("every example scenario loads and stops after a bounded run") {
    int examples = 0;
    for (const auto& entry : fs::directory_iterator(kExamples)) {
        if (entry.path().extension() != ".toml") continue;
        if (hetsim::scenarios::is_study_file(entry.path())) continue;  // see study_test.cpp
        ++examples;
        CAPTURE(entry.path().string());
        const Scenario s = hetsim::scenarios::load_scenario(entry.path());
        CHECK(s.name == entry.path().stem().string());
        CHECK_FALSE(s.description.empty());
        if (s.training.model.kind == "none") {
            REQUIRE(s.world.stop.server_updates.has_value());
            CHECK(*s.world.stop.server_updates <= 3000);
        } else {  // training examples: a fixed compute budget
            REQUIRE(s.world.stop.inner_steps.has_value());
            CHECK(*s.world.stop.inner_steps <= 10000);
        }
    }
    CHECK(examples == 8);
}

TEST_CASE("asyncdiloco-toy has four workers at 0.58, 0.75, 1.51 and 3.33 s per step with DyLU") {
    const Scenario s = hetsim::scenarios::load_scenario(kExamples / "asyncdiloco-toy.toml");
    CHECK(step_times(s) == std::vector<Time>{580ms, 750ms, 1510ms, 3330ms});
    CHECK(multipliers(s) == std::vector<double>{1.0, 1.0, 1.0, 1.0});
    CHECK(s.world.algorithm.kind == hetsim::sim::ScheduleKind::async);
    CHECK(s.world.algorithm.local_steps == hetsim::sim::LocalStepPolicy::dylu);
    CHECK(s.world.algorithm.inner_steps == 50);
    CHECK(s.world.algorithm.dylu_min_steps == 1);
    CHECK(*s.world.stop.server_updates == 2000);
    CHECK(s.world.workers[0].link.up.unlimited());
}

TEST_CASE("homogeneous-8 has eight identical 100 ms workers on 10 Gbps links") {
    const Scenario s = hetsim::scenarios::load_scenario(kExamples / "homogeneous-8.toml");
    REQUIRE(s.world.workers.size() == 8);
    for (const auto& w : s.world.workers) {
        CHECK(w.effective_step_time() == 100ms);
        CHECK(w.link.latency == 5ms);
        CHECK(w.link.up.bits_per_second == 10e9);
        CHECK(w.link.down.bits_per_second == 10e9);
        CHECK_FALSE(w.jitter.has_value());
    }
    CHECK(s.world.seed == 1);
    CHECK(s.world.model_bytes == 100'000'000);
    CHECK(s.world.algorithm.inner_steps == 50);
}

TEST_CASE("straggler-8 makes worker 7 four times slower and every round straggle at 5%") {
    const Scenario s = hetsim::scenarios::load_scenario(kExamples / "straggler-8.toml");
    REQUIRE(s.world.workers.size() == 8);
    CHECK(multipliers(s) == std::vector<double>{1, 1, 1, 1, 1, 1, 1, 4});
    CHECK(s.world.workers[7].effective_step_time() == 400ms);
    for (const auto& w : s.world.workers) {
        CHECK(w.stragglers.probability == 0.05);
        CHECK(w.stragglers.factor == 3.0);
    }
    CHECK(s.world.algorithm.kind == hetsim::sim::ScheduleKind::sync);
    CHECK(s.world.algorithm.collective == hetsim::sim::Collective::parameter_server);
}

TEST_CASE("lognormal-64 draws 64 distinct positive speeds and a uniform jitter") {
    const Scenario s = hetsim::scenarios::load_scenario(kExamples / "lognormal-64.toml");
    REQUIRE(s.world.workers.size() == 64);
    const std::vector<double> m = multipliers(s);
    CHECK(std::set<double>(m.begin(), m.end()).size() == 64);
    for (const double v : m) CHECK(v > 0);
    REQUIRE(s.world.workers[5].jitter.has_value());
    CHECK(s.world.workers[5].jitter->kind == hetsim::sim::Distribution::Kind::uniform);
    CHECK(s.world.workers[5].jitter->a == 0.95);
    CHECK(s.world.workers[5].jitter->b == 1.05);
}

TEST_CASE("flaky-16 fails every worker randomly and worker 3 also at one minute") {
    const Scenario s = hetsim::scenarios::load_scenario(kExamples / "flaky-16.toml");
    REQUIRE(s.world.workers.size() == 16);
    for (const auto& w : s.world.workers) {
        CHECK(w.failures.mtbf == Time{10min});
        CHECK(w.failures.downtime_s.kind == hetsim::sim::Distribution::Kind::exponential);
        CHECK(w.failures.downtime_s.a == 30.0);
    }
    REQUIRE(s.world.workers[3].failures.scripted.size() == 1);
    CHECK(s.world.workers[3].failures.scripted[0].at == Time{1min});
    CHECK(s.world.workers[3].failures.scripted[0].downtime == Time{2min});
    CHECK(s.world.workers[2].failures.scripted.empty());
    CHECK(s.world.algorithm.drop_failed_after == Time{20s});
    CHECK(s.world.algorithm.collective == hetsim::sim::Collective::ring);
    CHECK(s.world.stop.duration == Time{1h});
}

TEST_CASE("the scenario name defaults to the file stem and the description to empty") {
    const Scenario s = hetsim::scenarios::parse_scenario(
        "[workers]\ncount = 1\nstep_time = \"1s\"\n[algorithm]\nkind = \"sync\"\n"
        "[run]\nduration = \"1h\"\n",
        "some/dir/my-world.toml");
    CHECK(s.name == "my-world");
    CHECK(s.description.empty());
    CHECK(s.source == "some/dir/my-world.toml");
    CHECK(s.world.seed == 0);
}

TEST_CASE("step_times sets the worker count and a list multiplier applies per worker") {
    const Scenario s = hetsim::scenarios::parse_scenario(
        "[workers]\nstep_times = [\"1s\", \"2s\", \"500ms\"]\nmultiplier = [1, 1.5, 4]\n"
        "[algorithm]\nkind = \"async\"\n[run]\nserver_updates = 5\n",
        "list.toml");
    CHECK(step_times(s) == std::vector<Time>{1s, 2s, 500ms});
    CHECK(multipliers(s) == std::vector<double>{1.0, 1.5, 4.0});
    CHECK(s.world.workers[1].effective_step_time() == 3s);
    CHECK(s.world.workers[2].effective_step_time() == 2s);
}

TEST_CASE("later overrides win over earlier ones, and overrides win over the base values") {
    const Scenario s = parse("multiplier = [1, 2, 3, 4]\n",
                             "[[workers.override]]\nworkers = [1, 2]\nmultiplier = 5.0\n"
                             "step_time = \"1s\"\n"
                             "[[workers.override]]\nworker = 2\nmultiplier = 7\n");
    CHECK(multipliers(s) == std::vector<double>{1, 5, 7, 4});
    CHECK(step_times(s) == std::vector<Time>{100ms, 1s, 1s, 100ms});
}

TEST_CASE("an override replaces a multiplier drawn from a distribution") {
    const Scenario s = parse("multiplier = { dist = \"uniform\", low = 1.0, high = 2.0 }\n",
                             "[[workers.override]]\nworker = 0\nmultiplier = 10\n");
    CHECK(s.world.workers[0].multiplier == 10.0);
    CHECK(s.world.workers[1].multiplier >= 1.0);
    CHECK(s.world.workers[1].multiplier <= 2.0);
}

TEST_CASE("distribution multipliers are drawn from each worker's speed stream") {
    const std::string dist = "multiplier = { dist = \"lognormal\", mu = 0.0, sigma = 0.5 }\n";
    const Scenario a = parse(dist, "", LoadOptions{{}, 11});
    SUBCASE("the same seed gives the same draws, equal to the stream's own draw") {
        CHECK(multipliers(parse(dist, "", LoadOptions{{}, 11})) == multipliers(a));
        const hetsim::sim::Distribution d{hetsim::sim::Distribution::Kind::lognormal, 0.0, 0.5};
        for (std::size_t w = 0; w < 4; ++w) {
            auto rng = hetsim::sim::make_stream(11, static_cast<std::int64_t>(w),
                                                hetsim::sim::Purpose::speed);
            CHECK(a.world.workers[w].multiplier == d.sample(rng));
        }
    }
    SUBCASE("another seed gives other draws") {
        const std::vector<double> other = multipliers(parse(dist, "", LoadOptions{{}, 12}));
        for (std::size_t w = 0; w < 4; ++w) CHECK(other[w] != a.world.workers[w].multiplier);
    }
    SUBCASE("worker 3 draws the same when the world grows from 4 to 8 workers") {
        const Scenario eight = parse(dist, "", LoadOptions{{"workers.count=8"}, 11});
        REQUIRE(eight.world.workers.size() == 8);
        CHECK(eight.world.workers[3].multiplier == a.world.workers[3].multiplier);
    }
}

TEST_CASE("links take bandwidth for both directions unless a direction is set") {
    const Scenario s = parse("",
                             "[network]\nlatency = \"10ms\"\nbandwidth = \"1Gbps\"\n"
                             "up_bandwidth = \"100Mbps\"\n"
                             "[[network.override]]\nworker = 3\nlatency = \"200ms\"\n"
                             "bandwidth = \"10MB/s\"\n");
    CHECK(s.world.workers[0].link.latency == 10ms);
    CHECK(s.world.workers[0].link.up.bits_per_second == 100e6);
    CHECK(s.world.workers[0].link.down.bits_per_second == 1e9);
    CHECK(s.world.workers[3].link.latency == 200ms);
    CHECK(s.world.workers[3].link.up.bits_per_second == 80e6);
    CHECK(s.world.workers[3].link.down.bits_per_second == 80e6);
    CHECK_FALSE(s.world.network.shared_server_link);
}

TEST_CASE("algorithm defaults depend on the kind") {
    const auto algorithm = [](const std::string& table) {
        return hetsim::scenarios::parse_scenario(
                   "[workers]\ncount = 2\nstep_time = \"1s\"\n[algorithm]\n" + table +
                       "[run]\ninner_steps = 100\n",
                   "a.toml")
            .world.algorithm;
    };
    CHECK(algorithm("kind = \"sync\"\n").collective == hetsim::sim::Collective::parameter_server);
    CHECK(algorithm("kind = \"sync\"\n").inner_steps == 50);
    CHECK(algorithm("kind = \"ddp\"\n").collective == hetsim::sim::Collective::ring);
    CHECK(algorithm("kind = \"ddp\"\n").inner_steps == 1);
    CHECK(algorithm("kind = \"ddp\"\ninner_steps = 1\n").inner_steps == 1);
    CHECK(algorithm("kind = \"fedbuff\"\nbuffer = 3\n").buffer == 3);
    CHECK(algorithm("kind = \"async\"\ngrace_period = \"2s\"\n").grace_period == 2s);
    CHECK_FALSE(algorithm("kind = \"sync\"\n").drop_failed_after.has_value());
}

TEST_CASE("downtime distributions are written in durations and stored in seconds") {
    const Scenario s = parse("",
                             "[workers.failures]\nmtbf = \"2h\"\n"
                             "downtime = { dist = \"lognormal\", median = \"5m\", sigma = 0.3 }\n"
                             "[[workers.override]]\nworker = 1\nmtbf = \"30m\"\n");
    CHECK(s.world.workers[0].failures.mtbf == Time{2h});
    CHECK(s.world.workers[1].failures.mtbf == Time{30min});
    CHECK(s.world.workers[0].failures.downtime_s.kind ==
          hetsim::sim::Distribution::Kind::lognormal);
    CHECK(s.world.workers[0].failures.downtime_s.a == doctest::Approx(std::log(300.0)));
    CHECK(s.world.workers[0].failures.downtime_s.b == 0.3);
    CHECK(parse("", "[workers.failures]\nmtbf = \"1h\"\ndowntime = \"90s\"\n")
              .world.workers[2]
              .failures.downtime_s.a == 90.0);
}

TEST_CASE("an unreadable scenario file is a ScenarioError naming the path") {
    CHECK_THROWS_WITH_AS(hetsim::scenarios::load_scenario("no/such/file.toml"),
                         "no/such/file.toml: expected a readable scenario file, found an "
                         "unreadable file (No such file or directory)",
                         hetsim::ScenarioError);
    const std::string dir = kExamples.string();
    CHECK_THROWS_WITH_AS(hetsim::scenarios::load_scenario(kExamples),
                         (dir + ": expected a scenario file, found a directory").c_str(),
                         hetsim::ScenarioError);
}

TEST_CASE("to_json holds the worker count and every worker's resolved values with units") {
    const Scenario s = hetsim::scenarios::load_scenario(kExamples / "asyncdiloco-toy.toml");
    const nlohmann::json j = hetsim::scenarios::to_json(s);
    CHECK(j["name"] == "asyncdiloco-toy");
    CHECK(j["workers"]["count"] == 4);
    REQUIRE(j["workers"]["list"].size() == 4);
    CHECK(j["workers"]["list"][0]["step_time"] == "580ms");
    CHECK(j["workers"]["list"][3]["step_time"] == "3330ms");
    CHECK(j["workers"]["list"][2]["effective_step_time"] == "1510ms");
    CHECK(j["workers"]["list"][1]["link"]["up_bandwidth"] == "unlimited");
    CHECK(j["algorithm"]["local_steps"] == "dylu");
    CHECK(j["run"]["server_updates"] == 2000);
    CHECK(j["run"]["duration"].is_null());

    const nlohmann::json flaky =
        hetsim::scenarios::to_json(hetsim::scenarios::load_scenario(kExamples / "flaky-16.toml"));
    CHECK(flaky["workers"]["list"][3]["failures"]["scripted"][0]["at"] == "1m");
    CHECK(flaky["workers"]["list"][0]["failures"]["mtbf"] == "10m");
    CHECK(flaky["workers"]["list"][0]["failures"]["downtime"]["mean_s"] == 30.0);
    CHECK(flaky["network"]["server"]["bandwidth"] == "unlimited");
    CHECK(flaky["run"]["duration"] == "1h");
}

TEST_CASE("errors are reported in file order: a typo in [workers] before a missing [run]") {
    CHECK_THROWS_WITH_AS(
        hetsim::scenarios::parse_scenario("[workers]\ncount = 4\nstep_tme = \"1s\"\n", "t.toml"),
        "t.toml:3:1: workers.step_tme: expected a known key (did you mean `step_time`?), found "
        "unknown key `step_tme`",
        hetsim::ScenarioError);
}

TEST_CASE("straggler-8 and lognormal-64 switch schedules with --set algorithm.kind") {
    const LoadOptions to_async{{"algorithm.kind=async"}, {}};
    CHECK(hetsim::scenarios::load_scenario(kExamples / "straggler-8.toml", to_async)
              .world.algorithm.kind == hetsim::sim::ScheduleKind::async);
    const LoadOptions to_sync{{"algorithm.kind=sync"}, 7};
    const Scenario s = hetsim::scenarios::load_scenario(kExamples / "lognormal-64.toml", to_sync);
    CHECK(s.world.algorithm.kind == hetsim::sim::ScheduleKind::sync);
    CHECK(s.world.seed == 7);
}
