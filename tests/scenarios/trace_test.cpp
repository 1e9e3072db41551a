// Traces from files: FedScale-format device capacities to step times and links, device sampling
// with the seed, availability intervals to leave/join events, speed-over-time rows to slowdown
// events. The errors are in trace_errors_test.cpp.
#include "scenarios/scenario_loader.hpp"
#include "scenarios/sections.hpp"
#include "scenarios/study.hpp"
#include "scenarios/trace_reader.hpp"
#include "sim/error.hpp"
#include "sim/timeline.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using hetsim::scenarios::DeviceSampling;
using hetsim::scenarios::LoadOptions;
using hetsim::scenarios::Scenario;
using hetsim::sim::Time;
using hetsim::sim::WorldEvent;
using hetsim::sim::WorldEventKind;

const fs::path kTraceDir = fs::path(HETSIM_TEST_DATA_DIR) / "traces";
const fs::path kExamples = fs::path(HETSIM_SOURCE_DIR) / "scenarios";

// A timing-only scenario in tests/data/traces/ (trace paths are relative to it).
Scenario parse(const std::string& workers, const std::string& rest = "",
               const LoadOptions& options = {}) {
    const std::string text = "[workers]\n" + workers + "\n" + rest +
                             "\n[algorithm]\nkind = \"async\"\n[run]\nserver_updates = 10\n";
    return hetsim::scenarios::parse_scenario(text, (kTraceDir / "test.toml").string(), options);
}

std::string read(const fs::path& file) {
    std::ifstream in(file, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

// The trace's step time for one worker: ms per sample x samples, as documented.
Time step_time(double ms_per_sample, int samples) {
    return Time{static_cast<std::int64_t>(ms_per_sample * samples * 1e6 + 0.5)};
}

WorldEvent event(WorldEventKind kind, Time at, int worker) {
    WorldEvent e;
    e.kind = kind;
    e.at = at;
    e.workers = {worker};
    return e;
}

// Events as comparable tuples (WorldEvent has no ==).
std::vector<std::string> describe(const std::vector<WorldEvent>& events) {
    std::vector<std::string> out;
    for (const auto& e : events) {
        std::string s = std::string(hetsim::sim::to_string(e.kind)) + " at " +
                        std::to_string(e.at.count()) + " workers";
        for (const int w : e.workers) s += " " + std::to_string(w);
        s += " factor " + std::to_string(e.factor);
        if (e.until) s += " until " + std::to_string(e.until->count());
        out.push_back(s);
    }
    return out;
}

const char* const kThreeDevices = R"(
count = 3
[workers.trace]
devices = "devices-3.csv"
sample = "in-order"
samples_per_step = 8
)";

}  // namespace

TEST_CASE("a FedScale device row maps to ms per sample x samples per step and kbit/s links") {
    // devices-3.csv: phone-a 10 ms/sample 1000 kbit/s; phone-b 2.5, 56; laptop 100, 100000.
    const Scenario s = parse(kThreeDevices);
    REQUIRE(s.world.workers.size() == 3);
    const double ms[] = {10, 2.5, 100};
    const double kbps[] = {1000, 56, 100000};
    for (std::size_t w = 0; w < 3; ++w) {
        CAPTURE(w);
        CHECK(s.world.workers[w].step_time == step_time(ms[w], 8));
        CHECK(s.world.workers[w].multiplier == 1.0);
        CHECK(s.world.workers[w].link.up.bits_per_second == kbps[w] * 1000);
        CHECK(s.world.workers[w].link.down.bits_per_second == kbps[w] * 1000);
    }
    CHECK(s.world.workers[0].step_time == 80ms);  // the documented example
    CHECK(s.world.timeline.events.empty());
}

TEST_CASE("a training scenario's trace step is data.batch_size samples") {
    const Scenario s = parse("count = 3\n[workers.trace]\ndevices = \"devices-3.csv\"\n"
                             "sample = \"in-order\"\n",
                             "[model]\nkind = \"mlp\"\n[data]\nbatch_size = 4\n");
    CHECK(s.world.workers[0].step_time == step_time(10, 4));
    CHECK(s.world.workers[1].step_time == step_time(2.5, 4));
    CHECK(s.world.workers[2].step_time == step_time(100, 4));
}

TEST_CASE("without count every device is used, and [workers] and [network] settings apply on top") {
    SUBCASE("count defaults to the number of devices, sampled as a permutation") {
        const Scenario s = parse("[workers.trace]\ndevices = \"devices-3.csv\"\n"
                                 "samples_per_step = 8\n");
        std::vector<Time> times;
        for (const auto& w : s.world.workers) times.push_back(w.step_time);
        std::sort(times.begin(), times.end());
        CHECK(times == std::vector<Time>{step_time(2.5, 8), step_time(10, 8), step_time(100, 8)});
    }
    SUBCASE("multiplier scales the trace; an override's step time and link win for its worker") {
        const Scenario s = parse("multiplier = 3.0\n" + std::string(kThreeDevices) +
                                     "[[workers.override]]\nworker = 0\nstep_time = \"1s\"\n",
                                 "[network]\nlatency = \"30ms\"\n[[network.override]]\n"
                                 "worker = 1\nbandwidth = \"1Gbps\"\n");
        CHECK(s.world.workers[0].step_time == 1s);
        CHECK(s.world.workers[2].effective_step_time() == 3 * step_time(100, 8));
        CHECK(s.world.workers[1].link.up.bits_per_second == 1e9);
        CHECK(s.world.workers[2].link.up.bits_per_second == 100000 * 1000.0);
        for (const auto& w : s.world.workers) CHECK(w.link.latency == 30ms);
    }
}

TEST_CASE("devices are sampled with the seed, without replacement, keeping earlier picks") {
    const auto trace = hetsim::scenarios::parse_device_trace(
        read(kExamples / "traces" / "fedscale-devices-64.csv"), "fedscale-devices-64.csv");
    REQUIRE(trace.devices.size() == 64);
    using hetsim::scenarios::sample_devices;
    const auto a = sample_devices(trace, 16, 11, DeviceSampling::random);
    CHECK(a == sample_devices(trace, 16, 11, DeviceSampling::random));
    CHECK(a != sample_devices(trace, 16, 12, DeviceSampling::random));
    CHECK(std::set<std::size_t>(a.begin(), a.end()).size() == 16);
    const auto all = sample_devices(trace, 64, 11, DeviceSampling::random);
    CHECK(std::set<std::size_t>(all.begin(), all.end()).size() == 64);
    // Growing the world from 16 to 64 workers keeps the devices of workers 0..15.
    CHECK(std::vector<std::size_t>(all.begin(), all.begin() + 16) == a);

    SUBCASE("with replacement when the trace has fewer devices than workers") {
        const auto three = hetsim::scenarios::parse_device_trace(
            read(kTraceDir / "devices-3.csv"), "devices-3.csv");
        const auto many = sample_devices(three, 30, 5, DeviceSampling::random);
        CHECK(many == sample_devices(three, 30, 5, DeviceSampling::random));
        CHECK(std::set<std::size_t>(many.begin(), many.end()) == std::set<std::size_t>{0, 1, 2});
    }
    SUBCASE("in order: worker w gets device w mod N") {
        const auto ordered = sample_devices(trace, 70, 11, DeviceSampling::in_order);
        for (std::size_t w = 0; w < 70; ++w) CHECK(ordered[w] == w % 64);
    }
}

TEST_CASE("fedscale-devices-16 gives each worker a distinct trace device, changing with the seed") {
    const auto trace = hetsim::scenarios::parse_device_trace(
        read(kExamples / "traces" / "fedscale-devices-64.csv"), "fedscale-devices-64.csv");
    const auto devices_of = [&](const Scenario& s) {
        std::vector<std::size_t> out;
        for (const auto& w : s.world.workers) {
            // The device whose ms x 20 and kbit/s x 1000 the worker has.
            std::size_t found = trace.devices.size();
            for (std::size_t d = 0; d < trace.devices.size(); ++d)
                if (w.step_time == step_time(trace.devices[d].computation_ms_per_sample, 20) &&
                    w.link.up.bits_per_second == trace.devices[d].communication_kbps * 1000)
                    found = d;
            out.push_back(found);
        }
        return out;
    };
    const Scenario s = hetsim::scenarios::load_scenario(kExamples / "fedscale-devices-16.toml");
    REQUIRE(s.world.workers.size() == 16);
    const auto devices = devices_of(s);
    CHECK(std::set<std::size_t>(devices.begin(), devices.end()).size() == 16);
    CHECK(std::count(devices.begin(), devices.end(), trace.devices.size()) == 0);
    CHECK(devices == hetsim::scenarios::sample_devices(trace, 16, 11, DeviceSampling::random));
    CHECK_FALSE(s.world.timeline.events.empty());
    LoadOptions other;
    other.seed = 12;
    CHECK(devices_of(hetsim::scenarios::load_scenario(kExamples / "fedscale-devices-16.toml",
                                                      other)) !=
          devices);
}

TEST_CASE("availability intervals become leave and join events") {
    SUBCASE("by client_id, through the devices the workers got") {
        // phone-a (worker 0): 60-120 s and 200-300 s; laptop (worker 2): 0-50 and 50-90 s, one
        // stretch; phone-b (worker 1) has no rows and stays.
        const Scenario s = parse(std::string(kThreeDevices) + "availability = \"availability-3.csv\"\n");
        using K = WorldEventKind;
        CHECK(describe(s.world.timeline.events) ==
              describe({event(K::leave, 0s, 0), event(K::join, 60s, 0), event(K::leave, 120s, 0),
                        event(K::join, 200s, 0), event(K::leave, 300s, 0),
                        event(K::leave, 90s, 2)}));
    }
    SUBCASE("by worker index, and a device drawn twice gives both workers its events") {
        using hetsim::scenarios::availability_events;
        const auto by_worker = hetsim::scenarios::parse_availability_trace(
            "# comment\r\nworker,start_s,end_s\r\n\r\n01, 10 ,20.5\r\n", "w.csv");
        using K = WorldEventKind;
        CHECK(describe(availability_events(by_worker, 2, {})) ==
              describe({event(K::leave, 0s, 1), event(K::join, 10s, 1),
                        event(K::leave, 20500ms, 1)}));
        // Columns in any order; workers 0 and 2 drew device b, worker 1 device a (no rows).
        const auto by_client = hetsim::scenarios::parse_availability_trace(
            "end_s,client_id,start_s\n30,b,0\n", "c.csv");
        CHECK(describe(availability_events(by_client, 3, {"b", "a", "b"})) ==
              describe({event(K::leave, 30s, 0), event(K::leave, 30s, 2)}));
    }
}

TEST_CASE("a speed trace becomes slowdowns that hold until the worker's next row") {
    // speed-3.csv: worker 0 x2 from 10 s to 20 s (back to 1 at 20 s: no event), worker 2 x1.5
    // from 5 s on.
    const Scenario s = parse("count = 3\nstep_time = \"1s\"\n[workers.trace]\n"
                             "speed = \"speed-3.csv\"\n");
    WorldEvent slow = event(WorldEventKind::slowdown, 10s, 0);
    slow.factor = 2;
    slow.until = 20s;
    WorldEvent dusk = event(WorldEventKind::slowdown, 5s, 2);
    dusk.factor = 1.5;
    CHECK(describe(s.world.timeline.events) == describe({slow, dusk}));
    CHECK(s.world.workers[0].step_time == 1s);  // the base speed itself is unchanged
}

TEST_CASE("a study resolves a device trace once per seed, each run as a single load would") {
    // The study resolves one parsed file many times: each seed must draw its own devices from
    // the file as written (the trace's step times never stick to the parsed table).
    const std::string text = "[workers]\ncount = 2\n[workers.trace]\ndevices = \"devices-3.csv\"\n"
                             "samples_per_step = 8\n[algorithm]\nkind = \"async\"\n[run]\n"
                             "server_updates = 10\n[study]\nrepeats = 6\n"
                             "[[variant]]\nlabel = \"a\"\n[[variant]]\nlabel = \"b\"\n";
    const std::string source = (kTraceDir / "study.toml").string();
    const auto study = hetsim::scenarios::parse_study(text, source);
    REQUIRE(study.runs.size() == 12);
    std::set<std::vector<Time>> distinct;
    for (const auto& run : study.runs) {
        CAPTURE(run.index);
        LoadOptions same;
        same.seed = run.seed;
        const Scenario single = parse("count = 2\n[workers.trace]\ndevices = \"devices-3.csv\"\n"
                                      "samples_per_step = 8\n",
                                      "", same);
        std::vector<Time> times;
        for (std::size_t w = 0; w < 2; ++w) {
            CHECK(run.scenario.world.workers[w].step_time == single.world.workers[w].step_time);
            times.push_back(run.scenario.world.workers[w].step_time);
        }
        distinct.insert(times);
    }
    CHECK(distinct.size() > 1);  // the seeds do draw different devices
}

TEST_CASE("resolving a device trace reads the parsed file and never writes into it") {
    // The trace's step times reach read_workers as an input: the parsed table a study resolves
    // once per run stays exactly as the file wrote it.
    const std::string source = (kTraceDir / "test.toml").string();
    const toml::table root = hetsim::scenarios::detail::parse_scenario_toml(
        "[workers]\n" + std::string(kThreeDevices) +
            "[algorithm]\nkind = \"async\"\n[run]\nserver_updates = 10\n",
        source);
    const toml::table pristine = root;
    const Scenario first = hetsim::scenarios::detail::resolve_scenario(root, source, {});
    CHECK(root == pristine);
    CHECK(root["workers"]["step_times"].node() == nullptr);
    const Scenario again = hetsim::scenarios::detail::resolve_scenario(root, source, {});
    for (std::size_t w = 0; w < 3; ++w)
        CHECK(again.world.workers[w].step_time == first.world.workers[w].step_time);
    CHECK(root == pristine);
}

TEST_CASE("each worker's trace device is recorded, in run.json's scenario too") {
    const Scenario s = parse(kThreeDevices);  // in order: phone-a, phone-b, laptop
    CHECK(s.trace_devices == std::vector<std::string>{"phone-a", "phone-b", "laptop"});
    const auto json = hetsim::scenarios::to_json(s);
    CHECK(json["workers"]["list"][0]["device"] == "phone-a");
    CHECK(json["workers"]["list"][1]["device"] == "phone-b");
    CHECK(json["workers"]["list"][2]["device"] == "laptop");
    // Without a device trace, no worker has a device.
    const Scenario plain = parse("count = 2\nstep_time = \"1s\"\n");
    CHECK(plain.trace_devices.empty());
    CHECK(hetsim::scenarios::to_json(plain)["workers"]["list"][1]["device"].is_null());
}

TEST_CASE("an availability trace and an elastic pool combine: a worker is there when both say so") {
    // The pool: workers 0-1 from 0 s, all 4 from 200 s, only worker 0 from 450 s. The trace
    // (availability-pool-4.csv): worker 1 there 0-100 s and 300-500 s, worker 2 50-400 s.
    const Scenario s = parse("count = 4\nstep_time = \"1s\"\n[workers.trace]\n"
                             "availability = \"availability-pool-4.csv\"\n",
                             "[[elastic.schedule]]\nat = \"0s\"\nactive = 2\n"
                             "[[elastic.schedule]]\nat = \"200s\"\nactive = 4\n"
                             "[[elastic.schedule]]\nat = \"450s\"\nactive = 1\n");
    using K = WorldEventKind;
    const auto both = [](K kind, Time at, std::vector<int> workers) {
        WorldEvent e = event(kind, at, 0);
        e.workers = std::move(workers);
        return e;
    };
    // Worker 1: trace [0,100) u [300,500), pool [0,450): there [0,100) u [300,450); its trace
    // leave at 500 s finds it gone. Worker 2: trace [50,400), pool [200,450): there [200,400);
    // the trace's join at 50 s does not bring it into a pool that has no room for it. Worker 3:
    // the pool alone, [200,450). Worker 0: always.
    CHECK(describe(s.world.timeline.events) ==
          describe({both(K::leave, 0s, {2, 3}), both(K::leave, 100s, {1}),
                    both(K::join, 200s, {2, 3}), both(K::join, 300s, {1}),
                    both(K::leave, 400s, {2}), both(K::leave, 450s, {1, 3})}));
    // Without the pool, the trace's own events are kept as they are (and the other way round).
    const Scenario trace_only = parse("count = 4\nstep_time = \"1s\"\n[workers.trace]\n"
                                      "availability = \"availability-pool-4.csv\"\n");
    CHECK(describe(trace_only.world.timeline.events) ==
          describe({event(K::leave, 100s, 1), event(K::join, 300s, 1), event(K::leave, 500s, 1),
                    event(K::leave, 0s, 2), event(K::join, 50s, 2), event(K::leave, 400s, 2)}));
}

TEST_CASE("intersect_presence reads each source in order and reports only combined changes") {
    using K = WorldEventKind;
    using hetsim::sim::intersect_presence;
    // Source a: worker 0 leaves at 10 s and joins at 20 s; a second join at 30 s does nothing.
    // Source b: worker 0 leaves at 15 s and joins at 25 s; worker 1 leaves and joins at 5 s
    // (back by the end of the instant: no change), then leaves at 40 s.
    const std::vector<WorldEvent> a = {event(K::leave, 10s, 0), event(K::join, 20s, 0),
                                       event(K::join, 30s, 0)};
    std::vector<WorldEvent> b = {event(K::leave, 15s, 0), event(K::join, 25s, 0),
                                 event(K::leave, 5s, 1),  event(K::join, 5s, 1),
                                 event(K::leave, 40s, 1)};
    b.push_back(event(K::slowdown, 1s, 0));  // not presence: ignored
    CHECK(describe(intersect_presence(a, b, 2)) ==
          describe({event(K::leave, 10s, 0), event(K::join, 25s, 0), event(K::leave, 40s, 1)}));
    CHECK(intersect_presence(a, {}, 2).size() == 2);  // a alone: the redundant join drops
    CHECK_THROWS_AS(intersect_presence(a, b, 1), hetsim::Error);
}
