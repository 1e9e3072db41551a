#include "sim/schedule.hpp"
#include "tests/sim/world_builder.hpp"

#include <doctest/doctest.h>

using namespace hetsim::sim;
using hetsim::sim::testing::make_world;
using namespace std::chrono_literals;

namespace {
Time ms(std::int64_t v) { return Time{v * 1000000}; }

WorldSpec sync_world(int k, int h, std::initializer_list<double> multipliers = {}) {
    WorldSpec spec = make_world(k, ms(100), h, multipliers);
    spec.algorithm.kind = ScheduleKind::sync;
    return spec;
}

void check_tiling(const RunResult& r) {
    for (const WorkerStats& s : r.workers)
        CHECK((s.compute + s.communication + s.idle + s.down) == r.end_time);
}
}  // namespace

TEST_CASE("a parameter-server sync round is pull + slowest compute + push") {
    WorldSpec spec = sync_world(2, 10, {1.0, 2.0});
    for (auto& w : spec.workers)
        w.link = LinkSpec{ms(10), parse_bandwidth("8Mbps"), parse_bandwidth("8Mbps")};
    spec.model_bytes = 1'000'000;  // 1 s at 8 Mbps
    spec.stop.server_updates = 3;
    const RunResult r = run_schedule(spec);
    // Round = pull 1.01 s + compute 2 s (slowest) + push 1.01 s = 4.02 s.
    CHECK(r.updates[0].time == ms(4020));
    CHECK(r.updates[5].time == ms(3 * 4020));
    CHECK(r.updates[0].bytes == 2'000'000);
    CHECK(r.workers[0].communication == 3 * ms(2020));
    CHECK(r.workers[0].idle == 3 * ms(1000));
    check_tiling(r);
}

TEST_CASE("a ring sync round is the slowest compute plus one all-reduce, with no pulls") {
    WorldSpec spec = sync_world(4, 10, {1.0, 1.0, 1.0, 3.0});
    for (auto& w : spec.workers)
        w.link = LinkSpec{ms(1), parse_bandwidth("8Mbps"), parse_bandwidth("8Mbps")};
    spec.model_bytes = 4'000'000;
    spec.algorithm.collective = Collective::ring;
    spec.stop.server_updates = 2;
    const RunResult r = run_schedule(spec);
    const Time round = ms(3000) + ms(6000 + 6);  // compute + 6 MB at 1 MB/s + 6 latencies
    CHECK(r.updates[0].time == round);
    CHECK(r.updates[4].time == 2 * round);
    CHECK(r.updates[0].bytes == 12'000'000);  // sent + received
    CHECK(r.workers[0].idle == 2 * ms(2000));
    CHECK(r.workers[3].communication == 2 * ms(6006));
    check_tiling(r);
}

TEST_CASE("ddp is a sync schedule with one inner step per round and a ring all-reduce") {
    WorldSpec spec = sync_world(2, 50);
    spec.algorithm.kind = ScheduleKind::ddp;
    spec.algorithm.collective = Collective::ring;
    spec.stop.server_updates = 10;
    const RunResult r = run_schedule(spec);
    CHECK(r.end_time == ms(1000));
    CHECK(r.inner_steps == 20);
    for (const auto& u : r.updates) CHECK(u.inner_steps == 1);
}

TEST_CASE("a failed sync worker is waited for and redoes its round") {
    WorldSpec spec = sync_world(3, 10);  // rounds of 1 s
    spec.workers[2].failures.scripted = {{ms(1500), ms(2000)}};
    spec.stop.server_updates = 3;
    const RunResult r = run_schedule(spec);
    // Round 2 starts at 1 s; worker 2 fails at 1.5 s, is back at 3.5 s, redoes until 4.5 s.
    CHECK(r.updates[3].time == ms(4500));
    CHECK(r.updates[5].time == ms(4500));
    CHECK(r.updates[8].time == ms(5500));
    CHECK(r.workers[2].rounds_lost == 1);
    CHECK(r.workers[2].lost_compute == ms(500));
    CHECK(r.workers[0].idle == ms(2500));
    CHECK(r.server_version == 3);
    check_tiling(r);
}

TEST_CASE("with drop_failed_after a failed sync worker is left out of its round") {
    WorldSpec spec = sync_world(3, 10);
    spec.workers[2].failures.scripted = {{ms(1900), ms(2000)}};
    spec.algorithm.drop_failed_after = ms(300);
    spec.stop.server_updates = 4;
    const RunResult r = run_schedule(spec, nullptr, true);
    // Round 2 (1 .. 2 s) closes when worker 2 is dropped at 2.2 s, with two updates. Round 3
    // (2.2 .. 3.2 s) goes on without it (it is down when the round starts), and so does round 4
    // (3.2 .. 4.2 s): it is back at 3.9 s and waits for round 5.
    REQUIRE(r.updates.size() == 3 + 2 + 2 + 2);
    CHECK(r.updates[3].time == ms(2200));
    CHECK(r.updates[4].time == ms(2200));
    CHECK(r.updates[5].time == ms(3200));
    CHECK(r.updates[8].time == ms(4200));
    CHECK(r.workers[2].updates == 1);
    CHECK(r.workers[2].idle == ms(300));  // 3.9 .. 4.2 s
    CHECK(r.workers[0].idle == ms(200));  // 2.0 .. 2.2 s, waiting for the drop
    int drops = 0;
    for (const auto& e : r.trace) drops += e.kind == TraceKind::drop && e.worker == 2;
    CHECK(drops == 1);
    check_tiling(r);
}

TEST_CASE("a sync worker back before its drop redoes its round; dropped while redoing, it is lost") {
    WorldSpec spec = sync_world(2, 10);
    spec.workers[1].failures.scripted = {{ms(1500), ms(200)}};  // back at 1.7 s
    spec.algorithm.drop_failed_after = ms(1000);                // drop at 2.5 s
    spec.stop.server_updates = 2;
    const RunResult r = run_schedule(spec);
    // It redoes its round 1.7 .. 2.7 s but is dropped at 2.5 s: round 2 closes then.
    REQUIRE(r.updates.size() == 3);
    CHECK(r.updates[2].worker == 0);
    CHECK(r.updates[2].time == ms(2500));
    CHECK(r.workers[1].rounds_lost == 2);
    CHECK(r.workers[1].lost_compute == ms(500) + ms(800));
    check_tiling(r);
}

TEST_CASE("a sync round with every worker down waits for the first to come back") {
    WorldSpec spec = sync_world(2, 10);
    spec.workers[0].failures.scripted = {{ms(500), ms(3000)}};
    spec.workers[1].failures.scripted = {{ms(500), ms(1000)}};
    spec.algorithm.drop_failed_after = ms(100);
    spec.stop.server_updates = 1;
    const RunResult r = run_schedule(spec);
    // Both dropped at 0.6 s (empty round, no step); worker 1 back at 1.5 s starts round alone.
    REQUIRE(r.updates.size() == 1);
    CHECK(r.updates[0].worker == 1);
    CHECK(r.updates[0].time == ms(2500));
    CHECK(r.server_version == 1);
    check_tiling(r);
}

TEST_CASE("a ring worker that fails holding a computed result loses it and stays down") {
    WorldSpec spec = sync_world(2, 10, {1.0, 3.0});
    spec.algorithm.collective = Collective::ring;
    spec.workers[0].failures.scripted = {{ms(2000), ms(5000)}};  // computed at 1 s, waiting
    spec.stop.server_updates = 4;
    const RunResult r = run_schedule(spec);
    // Rounds: w1 alone at 3, 6, 9 s (w0 down until 7 s, then waits for the round at 9 s);
    // round 4 has both, ending at 12 s.
    REQUIRE(r.updates.size() == 5);
    CHECK(r.updates[0].worker == 1);
    CHECK(r.updates[0].time == ms(3000));
    CHECK(r.updates[2].time == ms(9000));
    CHECK(r.updates[3].worker == 0);
    CHECK(r.updates[3].time == ms(12000));
    CHECK(r.workers[0].rounds_lost == 1);
    CHECK(r.workers[0].lost_compute == ms(1000));
    CHECK(r.workers[0].down == ms(5000));
    CHECK(r.workers[0].idle == ms(1000) + ms(2000) + ms(2000));  // 1-2 s, 7-9 s, 10-12 s
    check_tiling(r);
}
