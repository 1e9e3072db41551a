#include "sim/error.hpp"
#include "sim/schedule.hpp"
#include "tests/sim/world_builder.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <map>

using namespace hetsim::sim;
using hetsim::sim::testing::make_world;
using namespace std::chrono_literals;

namespace {
Time ms(std::int64_t v) { return Time{v * 1000000}; }

std::int64_t total(const WorkerStats& s) {
    return (s.compute + s.communication + s.idle + s.down).count();
}
}  // namespace

TEST_CASE("equal async workers have staleness exactly K-1 after the first round") {
    for (const int k : {1, 2, 4, 8}) {
        CAPTURE(k);
        WorldSpec spec = make_world(k, ms(100), 5);
        spec.stop.server_updates = 20 * k;
        const RunResult r = run_schedule(spec);
        REQUIRE(r.updates.size() == static_cast<std::size_t>(20 * k));
        std::map<int, int> seen;
        for (const UpdateRecord& u : r.updates) {
            const int n = ++seen[u.worker];  // this worker's n-th update
            CHECK(u.time == n * 5 * ms(100));
            if (n == 1)
                CHECK(u.staleness == u.worker);  // first round: ties applied by worker id
            else
                CHECK(u.staleness == k - 1);
        }
        // Ties at the same instant go to the lower worker id.
        for (std::size_t i = 1; i < r.updates.size(); ++i)
            if (r.updates[i].time == r.updates[i - 1].time)
                CHECK(r.updates[i].worker > r.updates[i - 1].worker);
    }
}

TEST_CASE("async update counts are proportional to worker speeds") {
    WorldSpec spec = make_world(3, ms(10), 1, {1.0, 2.0, 4.0});
    spec.stop.duration = 40s;
    const RunResult r = run_schedule(spec);
    // 4000, 2000 and 1000 rounds fit exactly in 40 s.
    CHECK(r.workers[0].updates == 4000);
    CHECK(r.workers[1].updates == 2000);
    CHECK(r.workers[2].updates == 1000);
    CHECK(r.end_time == 40s);
    for (const auto& w : r.workers) CHECK(total(w) == r.end_time.count());
}

TEST_CASE("a sync round lasts as long as its slowest worker and the others wait") {
    WorldSpec spec = make_world(3, ms(10), 10, {1.0, 2.0, 4.0});
    spec.algorithm.kind = ScheduleKind::sync;
    spec.stop.server_updates = 5;
    const RunResult r = run_schedule(spec);
    REQUIRE(r.server_version == 5);
    REQUIRE(r.updates.size() == 15);
    for (std::size_t i = 0; i < r.updates.size(); ++i) {
        CHECK(r.updates[i].time == static_cast<std::int64_t>(i / 3 + 1) * ms(400));
        CHECK(r.updates[i].staleness == 0);
    }
    CHECK(r.end_time == ms(2000));
    CHECK(r.workers[0].idle == 5 * ms(300));
    CHECK(r.workers[1].idle == 5 * ms(200));
    CHECK(r.workers[2].idle == Time{0});
    CHECK(r.workers[0].compute == 5 * ms(100));
}

TEST_CASE("the worker timeline tiles every worker's run and sums to its totals") {
    // Every schedule kind, with a network, jitter and failures, so all four states occur.
    for (const ScheduleKind kind :
         {ScheduleKind::sync, ScheduleKind::async, ScheduleKind::fedbuff, ScheduleKind::ddp}) {
        CAPTURE(to_string(kind));
        WorldSpec spec = make_world(4, ms(100), 5, {1.0, 1.5, 2.0, 3.0});
        spec.algorithm.kind = kind;
        spec.algorithm.buffer = 2;
        if (kind == ScheduleKind::ddp) spec.algorithm.inner_steps = 1;
        spec.model_bytes = 1'000'000;
        for (auto& w : spec.workers) {
            w.link.latency = ms(7);
            w.link.up = Bandwidth{80e6};
            w.link.down = Bandwidth{160e6};
        }
        spec.workers[2].failures.scripted.push_back({ms(1234), ms(900)});
        // Time-varying effects (sim/timeline.hpp) keep the tiling too.
        spec.workers[0].preemption.mean_interval = ms(4000);
        spec.workers[0].preemption.delay_s = Distribution::constant(0.5);
        spec.algorithm.drop_probability = 0.25;
        WorldEvent leave{.at = ms(3000), .kind = WorldEventKind::leave, .workers = {1}};
        WorldEvent join{.at = ms(6000), .kind = WorldEventKind::join, .workers = {1}};
        WorldEvent slow{.at = ms(2000), .kind = WorldEventKind::slowdown, .workers = {3},
                        .factor = 1.5, .until = ms(9000)};
        spec.timeline.events = {leave, join, slow};
        spec.stop.duration = ms(20'000);
        RecordOptions record;
        record.timeline = true;
        const RunResult r = run_schedule(spec, nullptr, record);
        REQUIRE_FALSE(r.timeline.empty());
        for (int w = 0; w < 4; ++w) {
            CAPTURE(w);
            std::vector<WorkerInterval> mine;
            for (const WorkerInterval& i : r.timeline)
                if (i.worker == w) mine.push_back(i);
            std::sort(mine.begin(), mine.end(),
                      [](const auto& a, const auto& b) { return a.start < b.start; });
            std::map<WorkerState, Time> sums;
            Time at{0};
            for (const WorkerInterval& i : mine) {
                CHECK(i.start == at);  // no gap, no overlap
                CHECK(i.end > i.start);
                sums[i.state] += i.end - i.start;
                at = i.end;
            }
            CHECK(at == r.end_time);
            const WorkerStats& s = r.workers[static_cast<std::size_t>(w)];
            CHECK(sums[WorkerState::compute] == s.compute);
            CHECK(sums[WorkerState::communicate] == s.communication);
            CHECK(sums[WorkerState::idle] == s.idle);
            CHECK(sums[WorkerState::down] == s.down);
        }
        CHECK(r.workers[2].down == ms(900));
    }
    // Not asked for: not recorded.
    WorldSpec spec = make_world(2, ms(100), 5);
    spec.stop.server_updates = 10;
    CHECK(run_schedule(spec).timeline.empty());
}
