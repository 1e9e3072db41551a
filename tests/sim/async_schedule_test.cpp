#include "sim/schedule.hpp"
#include "tests/sim/world_builder.hpp"

#include <doctest/doctest.h>

#include <algorithm>

using namespace hetsim::sim;
using hetsim::sim::testing::make_world;
using namespace std::chrono_literals;

namespace {
Time ms(std::int64_t v) { return Time{v * 1000000}; }

std::vector<int> workers_of(const RunResult& r) {
    std::vector<int> out;
    for (const auto& u : r.updates) out.push_back(u.worker);
    return out;
}

void check_tiling(const RunResult& r) {
    for (const WorkerStats& s : r.workers)
        CHECK((s.compute + s.communication + s.idle + s.down) == r.end_time);
}
}  // namespace

TEST_CASE("with MTBF far above the run length nothing fails") {
    WorldSpec spec = make_world(8, ms(100), 5);
    for (auto& w : spec.workers) {
        w.failures.mtbf = 1000000h;
        w.failures.downtime_s = Distribution::constant(60);
    }
    spec.stop.duration = 1h;
    const RunResult r = run_schedule(spec);
    for (const auto& w : r.workers) {
        CHECK(w.failures == 0);
        CHECK(w.rounds_lost == 0);
        CHECK(w.updates == 7200);  // 3600 s / 0.5 s per round
    }
    check_tiling(r);
}

TEST_CASE("a scripted failure loses exactly the round in flight") {
    WorldSpec spec = make_world(2, ms(100), 10);  // rounds of 1 s
    spec.workers[1].failures.scripted = {{ms(2500), ms(700)}};
    spec.stop.duration = 10s;
    const RunResult r = run_schedule(spec, nullptr, true);
    const WorkerStats& w1 = r.workers[1];
    CHECK(w1.failures == 1);
    CHECK(w1.rounds_lost == 1);
    CHECK(w1.lost_compute == ms(500));  // the round started at 2 s
    CHECK(w1.down == ms(700));
    // Back at 3.2 s, it pulls and restarts: updates at 1, 2, 4.2, 5.2, ..., 9.2 s.
    std::vector<Time> times;
    for (const auto& u : r.updates)
        if (u.worker == 1) times.push_back(u.time);
    CHECK(times == std::vector<Time>{1s, 2s, ms(4200), ms(5200), ms(6200), ms(7200), ms(8200),
                                     ms(9200)});
    CHECK(r.workers[0].updates == 10);
    CHECK(w1.updates == 8);
    CHECK(w1.compute == ms(8000) + ms(500) + ms(800));  // 8 rounds, the lost half, 3.2 s..10 s
    check_tiling(r);
    // The trace shows fail, lost, recover in that order at the right times.
    std::vector<TraceKind> kinds;
    for (const auto& e : r.trace)
        if (e.worker == 1 && e.time >= ms(2500) && e.time <= ms(3200)) kinds.push_back(e.kind);
    CHECK(kinds == std::vector<TraceKind>{TraceKind::fail, TraceKind::lost, TraceKind::recover,
                                          TraceKind::pull_start, TraceKind::pull_end,
                                          TraceKind::compute_start});
}

TEST_CASE("a grace period applies every worker arriving in the window, then restarts them together") {
    // Rounds of 1.0, 1.1 and 1.5 s; grace 200 ms. The window opened by worker 0 at 1.0 s takes
    // worker 1 at 1.1 s; worker 2 (1.5 s) falls outside.
    WorldSpec spec = make_world(3, ms(100), 10, {1.0, 1.1, 1.5});
    spec.algorithm.grace_period = ms(200);
    spec.stop.server_updates = 6;
    const RunResult r = run_schedule(spec);
    REQUIRE(r.updates.size() == 6);
    CHECK(workers_of(r) == std::vector<int>{0, 1, 2, 0, 1, 2});
    // Workers 0 and 1 restart together at 1.1 s from version 2: next arrivals 2.1 s and 2.2 s.
    CHECK(r.updates[0].time == ms(1000));
    CHECK(r.updates[1].time == ms(1100));
    CHECK(r.updates[2].time == ms(1500));
    CHECK(r.updates[3].time == ms(2100));
    CHECK(r.updates[3].version_pulled == 2);
    CHECK(r.updates[4].version_pulled == 2);
    CHECK(r.updates[4].time == ms(2200));
    // Worker 2's window (1.5 s) closes at once: nobody else can arrive by 1.7 s.
    CHECK(r.updates[5].time == ms(3000));
    CHECK(r.updates[5].version_pulled == 3);
    // Worker 0 waited 1.0 -> 1.1 s and 2.1 -> 2.2 s for its windows to close.
    CHECK(r.workers[0].idle == ms(200));
}

TEST_CASE("a grace period of 0 restarts each worker right after its own apply") {
    WorldSpec spec = make_world(3, ms(100), 10, {1.0, 1.1, 1.5});
    spec.stop.server_updates = 5;
    const RunResult r = run_schedule(spec);
    CHECK(workers_of(r) == std::vector<int>{0, 1, 2, 0, 1});
    CHECK(r.updates[3].time == ms(2000));
    CHECK(r.updates[3].version_pulled == 1);
    CHECK(r.updates[4].time == ms(2200));
    CHECK(r.workers[0].idle == Time{0});
}

TEST_CASE("fedbuff applies a server step once `buffer` updates have arrived") {
    WorldSpec spec = make_world(4, ms(100), 10, {1.0, 2.0, 3.0, 4.0});
    spec.algorithm.kind = ScheduleKind::fedbuff;
    spec.algorithm.buffer = 3;
    spec.stop.server_updates = 3;
    const RunResult r = run_schedule(spec);
    REQUIRE(r.server_version == 3);
    REQUIRE(r.updates.size() == 9);
    // Arrivals: w0 at 1,2,3,4,5,6 s; w1 at 2,4,6 s; w2 at 3,6 s; w3 at 4 s.
    // Buffers: {w0@1, w0@2, w1@2} at 2 s; {w0@3, w2@3, w0@4} at 4 s; {w1@4, w3@4, w0@5} at 5 s.
    CHECK(workers_of(r) == std::vector<int>{0, 0, 1, 0, 2, 0, 1, 3, 0});
    for (int i = 0; i < 3; ++i) CHECK(r.updates[static_cast<std::size_t>(i)].time == 2s);
    CHECK(r.updates[3].time == 4s);
    CHECK(r.updates[8].time == 5s);
    for (const auto& u : r.updates) CHECK(u.staleness == u.version_applied - u.version_pulled);
    CHECK(r.updates[7].version_pulled == 0);  // w3 pulled version 0 at time 0
    CHECK(r.updates[7].staleness == 2);
}

TEST_CASE("stop conditions: server updates, inner steps, virtual time") {
    WorldSpec spec = make_world(2, ms(100), 10, {1.0, 2.0});
    spec.stop.inner_steps = 55;
    RunResult r = run_schedule(spec);
    CHECK(r.stop_reason == "inner_steps");
    CHECK(r.inner_steps == 60);
    CHECK(r.end_time == 4s);  // w0 at 1,2,3,4 s; w1 at 2,4 s -> 60 steps at 4 s
    spec.stop = StopSpec{};
    spec.stop.duration = ms(3500);
    r = run_schedule(spec);
    CHECK(r.stop_reason == "duration");
    CHECK(r.end_time == ms(3500));
    CHECK(r.updates.size() == 4);
    check_tiling(r);
}

TEST_CASE("the same world and seed give the same run; another seed gives another") {
    auto world = [](std::uint64_t seed) {
        WorldSpec spec = make_world(16, ms(100), 5);
        spec.seed = seed;
        for (auto& w : spec.workers) {
            w.jitter = Distribution{Distribution::Kind::lognormal, 0.0, 0.3};
            w.stragglers = StragglerSpec{0.1, 4.0};
            w.failures.mtbf = 2min;
            w.failures.downtime_s = Distribution{Distribution::Kind::exponential, 10.0, 0};
        }
        spec.stop.duration = 30min;
        return spec;
    };
    const RunResult a = run_schedule(world(1));
    const RunResult b = run_schedule(world(1));
    const RunResult c = run_schedule(world(2));
    REQUIRE(a.updates.size() == b.updates.size());
    bool same = true;
    for (std::size_t i = 0; i < a.updates.size(); ++i)
        same = same && a.updates[i].time == b.updates[i].time &&
               a.updates[i].worker == b.updates[i].worker &&
               a.updates[i].staleness == b.updates[i].staleness;
    CHECK(same);
    CHECK(a.updates.size() != c.updates.size());
    std::int64_t failures = 0;
    for (const auto& w : a.workers) failures += w.failures;
    CHECK(failures > 100);  // 16 workers x 30 min / 2 min MTBF ~ 220
    check_tiling(a);
}
