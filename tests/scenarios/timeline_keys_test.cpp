// The time-varying keys of a scenario: [[timeline]], [elastic], [workers.preemption] and
// algorithm.drop_probability. Values read back, elastic pools over a run, and every error with
// its file:line:column (fixtures tests/data/bad_scenarios/timeline-*.toml).
#include "scenarios/scenario_loader.hpp"
#include "sim/schedule.hpp"

#include <doctest/doctest.h>

#include <filesystem>
#include <map>
#include <string>

namespace {

namespace fs = std::filesystem;
using hetsim::scenarios::Scenario;
using hetsim::sim::Time;
using hetsim::sim::WorldEvent;
using hetsim::sim::WorldEventKind;

Time ms(std::int64_t v) {
    return Time{v * 1'000'000};
}

// Four 100 ms async workers for an hour; `extra` is appended (its first line is line 10).
Scenario parse(const std::string& extra, const std::string& algorithm = "kind = \"async\"") {
    const std::string text = "[workers]\ncount = 4\nstep_time = \"100ms\"\n\n[algorithm]\n" +
                             algorithm + "\n\n[run]\nduration = \"1h\"\n" + extra;
    return hetsim::scenarios::parse_scenario(text, "timeline.toml");
}

std::string error_of(const std::string& extra, const std::string& algorithm = "kind = \"async\"") {
    try {
        (void)parse(extra, algorithm);
    } catch (const hetsim::Error& e) {
        return e.what();
    }
    return "(loaded)";
}

const fs::path kBadDir = fs::path(HETSIM_TEST_DATA_DIR) / "bad_scenarios";

// Fixture -> its message after the directory.
const std::map<std::string, std::string> kFixtures = {
    {"timeline-unknown-action.toml",
     R"(timeline-unknown-action.toml:14:10: timeline[0].action: expected one of "slowdown", )"
     R"("link", "leave", "join", "server_outage", "periodic" (did you mean "slowdown"?), found )"
     R"(string "slowdwn")"},
    {"timeline-until-before-at.toml",
     R"(timeline-until-before-at.toml:17:9: timeline[0].until: expected a time after `at` )"
     R"((10m), found string "5m")"},
    {"timeline-worker-out-of-range.toml",
     R"(timeline-worker-out-of-range.toml:15:10: timeline[0].worker: expected a worker index )"
     R"(in 0..1 (workers.count = 2), found integer 2)"},
    {"timeline-ramp-without-duration.toml",
     R"(timeline-ramp-without-duration.toml:12:1: elastic.over: expected how long the ramp )"
     R"(lasts, a duration > 0 (needed when run.duration is not set), found nothing)"},
    {"timeline-preemption-rate.toml",
     R"(timeline-preemption-rate.toml:7:8: workers.preemption.rate: expected a rate like )"
     R"("2/h" or "0.5/d" (preemptions per unit of time), found string "2")"},
    {"timeline-drop-probability-one.toml",
     R"(timeline-drop-probability-one.toml:8:20: algorithm.drop_probability: expected a )"
     R"(number in [0, 1), found float 1.0)"},
};

}  // namespace

TEST_CASE("timeline entries resolve to world events with their settings") {
    const Scenario s = parse(R"(
[[timeline]]
at = "10m"
action = "slowdown"
workers = [2, 0]
factor = 2.5
until = "20m"

[[timeline]]
at = "15m"
action = "link"
worker = 1
bandwidth_factor = 0.5
latency = "80ms"

[[timeline]]
at = "30m"
action = "leave"
worker = 3

[[timeline]]
at = "40m"
action = "join"
worker = 3

[[timeline]]
at = "50m"
action = "server_outage"
duration = "2m"

[[timeline]]
action = "periodic"
workers = [0, 1]
period = "24h"
amplitude = 0.3
phase = 1.5
)");
    const auto& events = s.world.timeline.events;
    REQUIRE(events.size() == 5);
    CHECK(events[0].kind == WorldEventKind::slowdown);
    CHECK(events[0].at == ms(600'000));
    CHECK(events[0].workers == std::vector<int>{0, 2});
    CHECK(events[0].factor == 2.5);
    CHECK(events[0].until == ms(1'200'000));
    CHECK(events[1].kind == WorldEventKind::link);
    CHECK(events[1].factor == 0.5);
    CHECK(events[1].latency == ms(80));
    CHECK_FALSE(events[1].until.has_value());
    CHECK(events[2].kind == WorldEventKind::leave);
    CHECK(events[2].workers == std::vector<int>{3});
    CHECK(events[3].kind == WorldEventKind::join);
    CHECK(events[4].kind == WorldEventKind::server_outage);
    CHECK(events[4].workers.empty());
    CHECK(events[4].duration == ms(120'000));
    const auto& patterns = s.world.timeline.patterns;
    REQUIRE(patterns.size() == 1);
    CHECK(patterns[0].period == ms(86'400'000));
    CHECK(patterns[0].amplitude == 0.3);
    CHECK(patterns[0].phase == 1.5);
    CHECK(patterns[0].resolution == ms(86'400'000) / 48);
}

TEST_CASE("a timeline event can target a worker group") {
    const std::string text = R"(
[workers]
[[workers.group]]
name = "fast"
count = 2
step_time = "100ms"
[[workers.group]]
name = "slow"
count = 3
step_time = "300ms"

[algorithm]
kind = "async"

[run]
duration = "1h"

[[timeline]]
at = "1m"
action = "slowdown"
group = "slow"
factor = 2.0

[[timeline]]
at = "2m"
action = "leave"
group = "fsat"
)";
    try {
        (void)hetsim::scenarios::parse_scenario(text, "groups.toml");
        FAIL("loaded");
    } catch (const hetsim::Error& e) {
        CHECK(std::string(e.what()) ==
              "groups.toml:27:9: timeline[1].group: expected one of the [[workers.group]] "
              "names: fast, slow (did you mean `fast`?), found string \"fsat\"");
    }
    const std::string good = text.substr(0, text.find("[[timeline]]\nat = \"2m\""));
    const Scenario s = hetsim::scenarios::parse_scenario(good, "groups.toml");
    REQUIRE(s.world.timeline.events.size() == 1);
    CHECK(s.world.timeline.events[0].workers == std::vector<int>{2, 3, 4});
}

TEST_CASE("preemption and drop probability are read with their units") {
    SUBCASE("rate") {
        const Scenario s = parse("[workers.preemption]\nrate = \"2/h\"\ndelay = \"5m\"\n");
        for (const auto& w : s.world.workers) {
            CHECK(w.preemption.mean_interval == ms(1'800'000));
            CHECK(w.preemption.delay_s.a == 300.0);
        }
    }
    SUBCASE("mean interval and a delay distribution") {
        const Scenario s = parse("[workers.preemption]\nmean_interval = \"45m\"\n"
                                 "delay = { dist = \"exponential\", mean = \"10m\" }\n");
        CHECK(s.world.workers[0].preemption.mean_interval == ms(2'700'000));
        CHECK(s.world.workers[0].preemption.delay_s.kind ==
              hetsim::sim::Distribution::Kind::exponential);
    }
    SUBCASE("drop probability") {
        CHECK(parse("", "kind = \"sync\"\ndrop_probability = 0.25")
                  .world.algorithm.drop_probability == 0.25);
        CHECK(parse("").world.algorithm.drop_probability == 0.0);
    }
}

TEST_CASE("timeline key errors name the file, line, column and key") {
    CHECK(error_of("[[timeline]]\nat = \"1m\"\naction = \"leave\"\nworker = 0\nfactor = 2\n") ==
          "timeline.toml:14:10: timeline[0].factor: expected no `factor` with action = "
          "\"leave\", found integer 2");
    CHECK(error_of("[[timeline]]\nat = \"1m\"\naction = \"slowdown\"\nfactor = 2\n") ==
          "timeline.toml:10:1: timeline[0].workers: expected the event's targets: `worker = "
          "<index>`, `workers = [<index>, ...]` or `group = \"<name>\"`, found nothing");
    CHECK(error_of("[[timeline]]\nat = \"1m\"\naction = \"server_outage\"\nworker = 1\n"
                   "duration = \"1m\"\n") ==
          "timeline.toml:13:10: timeline[0].worker: expected no target with action = "
          "\"server_outage\" (the server is out for everyone), found integer 1");
    CHECK(error_of("[[timeline]]\nat = \"1m\"\naction = \"slowdown\"\nworker = 1\nfactor = 0\n") ==
          "timeline.toml:14:10: timeline[0].factor: expected a number in (0, 1e+06], found "
          "integer 0");
    CHECK(error_of("[[timeline]]\nat = \"100000d\"\naction = \"server_outage\"\n"
                   "duration = \"10000d\"\n") ==
          "timeline.toml:13:12: timeline[0].duration: expected an outage that ends within about "
          "292 years, found string \"10000d\"");
    CHECK(error_of("[[timeline]]\naction = \"periodic\"\nworker = 1\nperiod = \"1d\"\n"
                   "amplitude = 1.2\n") ==
          "timeline.toml:14:13: timeline[0].amplitude: expected a number in [0, 1), found "
          "float 1.2");
    CHECK(error_of("[[timeline]]\naction = \"periodic\"\nworker = 1\nperiod = \"1d\"\n"
                   "amplitude = 0.2\nresolution = \"10ms\"\n") ==
          "timeline.toml:15:14: timeline[0].resolution: expected at least period / 100000 "
          "(864ms), so that a period has at most 100000 slices, found string \"10ms\"");
    CHECK(error_of("[[timeline]]\nat = \"1m\"\naction = \"link\"\nworker = 1\n") ==
          "timeline.toml:10:1: timeline[0].bandwidth_factor: expected `bandwidth_factor` (a "
          "number > 0) or `latency` (a duration), or both, found nothing");
    CHECK(error_of("[[timeline]]\nat = \"1m\"\naction = \"leave\"\nworker = 1\nwhen = 3\n")
              .starts_with("timeline.toml:14:1: timeline[0].when: expected one of "));
    CHECK(error_of("[elastic]\npreset = \"ramp-up\"\nschedule = []\n") ==
          "timeline.toml:12:12: elastic.schedule: expected either `preset` or `schedule`, not "
          "both, found both");
    CHECK(
        error_of(
            "[elastic]\nschedule = [{ at = \"0s\", active = 2 }, { at = \"0s\", active = 3 }]\n") ==
        "timeline.toml:11:47: elastic.schedule[1].at: expected a time after the previous "
        "entry's (0s), found string \"0s\"");
    CHECK(error_of("[elastic]\nschedule = [{ at = \"0s\", active = 5 }]\n") ==
          "timeline.toml:11:35: elastic.schedule[0].active: expected an integer in 0..4, found "
          "integer 5");
    CHECK(error_of(
              "[workers.preemption]\nrate = \"2/h\"\nmean_interval = \"1h\"\ndelay = \"1m\"\n") ==
          "timeline.toml:12:17: workers.preemption.mean_interval: expected either `rate` or "
          "`mean_interval`, not both, found both");
    CHECK(error_of("[workers.preemption]\nrate = \"2/h\"\n") ==
          "timeline.toml:10:1: workers.preemption.delay: expected how long a preempted worker "
          "is away (a duration > 0 or a distribution table), found nothing");
}

TEST_CASE("every timeline fixture fails with its expected position and message") {
    int files = 0;
    for (const auto& entry : fs::directory_iterator(kBadDir))
        if (entry.path().filename().string().starts_with("timeline-")) ++files;
    CHECK(files == static_cast<int>(kFixtures.size()));
    for (const auto& [file, message] : kFixtures) {
        CAPTURE(file);
        std::string what = "(loaded)";
        try {
            (void)hetsim::scenarios::load_scenario(kBadDir / file);
        } catch (const hetsim::ScenarioError& e) {
            what = e.what();
        }
        CHECK(what ==
              (kBadDir / file).string().substr(0, (kBadDir / "").string().size()) + message);
    }
}

TEST_CASE("elastic pools give the documented number of live workers at each time") {
    // The pool size at t from the run's leave/join trace (all 8 start in the pool).
    auto live_at = [](const hetsim::sim::RunResult& r, Time t) {
        int live = 8;
        for (const auto& e : r.trace) {
            if (e.time > t) break;
            if (e.kind == hetsim::sim::TraceKind::leave) --live;
            if (e.kind == hetsim::sim::TraceKind::join) ++live;
        }
        return live;
    };
    auto run = [](const std::string& elastic) {
        const std::string text = "[workers]\ncount = 8\nstep_time = \"1s\"\n[algorithm]\n"
                                 "kind = \"sync\"\ninner_steps = 1\n[run]\nduration = \"8h\"\n" +
                                 elastic;
        static Scenario s;  // the schedule keeps a reference to the world
        s = hetsim::scenarios::parse_scenario(text, "elastic.toml");
        return hetsim::sim::run_schedule(s.world, nullptr, hetsim::sim::RecordOptions(true));
    };
    const Time h = ms(3'600'000);
    SUBCASE("ramp-up: 1 -> 8, one more every hour") {
        const auto r = run("[elastic]\npreset = \"ramp-up\"\n");
        for (int i = 0; i < 8; ++i) {
            CAPTURE(i);
            CHECK(live_at(r, i * h) == i + 1);
            CHECK(live_at(r, i * h + h - ms(1)) == i + 1);
        }
    }
    SUBCASE("ramp-down: 8 -> 1") {
        const auto r = run("[elastic]\npreset = \"ramp-down\"\n");
        for (int i = 0; i < 8; ++i)
            CHECK(live_at(r, i * h) == 8 - i);
    }
    SUBCASE("doubling: 4 -> 8 at half time") {
        const auto r = run("[elastic]\npreset = \"doubling\"\n");
        CHECK(live_at(r, Time{0}) == 4);
        CHECK(live_at(r, 4 * h - ms(1)) == 4);
        CHECK(live_at(r, 4 * h) == 8);
    }
    SUBCASE("halving with explicit counts and span") {
        const auto r = run("[elastic]\npreset = \"halving\"\nfrom = 6\nto = 2\nover = \"2h\"\n");
        CHECK(live_at(r, Time{0}) == 6);
        CHECK(live_at(r, h) == 2);
    }
    SUBCASE("an explicit schedule") {
        const auto r = run("[elastic]\nschedule = [{ at = \"0s\", active = 3 }, "
                           "{ at = \"90m\", active = 8 }, { at = \"5h\", active = 0 }]\n");
        CHECK(live_at(r, Time{0}) == 3);
        CHECK(live_at(r, 90 * ms(60'000)) == 8);
        CHECK(live_at(r, 5 * h) == 0);
        // Sync rounds of 1 s: the workers in the pool take part in every one. A pool change
        // acts before a round ending at the same instant: the round ending at 5 h is lost, and
        // worker 7, joining at 90 min, takes part from the round after the one ending then.
        const auto& w = r.workers;
        CHECK(w[0].updates == 5 * 3600 - 1);
        CHECK(w[0].rounds_lost == 1);
        CHECK(w[7].updates == 5 * 3600 - 5400 - 1);
    }
}
