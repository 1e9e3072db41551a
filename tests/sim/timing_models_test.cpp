#include "sim/compute_model.hpp"
#include "sim/failure_model.hpp"
#include "sim/network_model.hpp"
#include "tests/sim/world_builder.hpp"

#include <doctest/doctest.h>

using namespace hetsim::sim;
using hetsim::sim::testing::make_world;

namespace {
Time ms(std::int64_t v) { return Time{v * 1000000}; }
}  // namespace

TEST_CASE("a transfer takes latency plus bytes over bandwidth exactly") {
    CHECK(NetworkModel::transfer_time(1'000'000, ms(20), parse_bandwidth("8Mbps")) ==
          ms(1020));
    CHECK(NetworkModel::transfer_time(125'000'000, ms(0), parse_bandwidth("1Gbps")) == ms(1000));
    CHECK(NetworkModel::transfer_time(12345, ms(5), Bandwidth{}) == ms(5));
    // 3 bytes at 7 bit/s: 24/7 s = 3.428571428571... s, rounded up to whole ns.
    CHECK(NetworkModel::transfer_time(3, Time{0}, Bandwidth{7}) == Time{3'428'571'429});
}

TEST_CASE("pushes and pulls use each worker's own up and down links") {
    WorldSpec spec = make_world(2, ms(10), 1);
    spec.workers[0].link = LinkSpec{ms(10), parse_bandwidth("8Mbps"), parse_bandwidth("80Mbps")};
    spec.workers[1].link = LinkSpec{ms(50), parse_bandwidth("80Mbps"), parse_bandwidth("8Mbps")};
    NetworkModel net(spec);
    CHECK(net.push_arrival(0, 1'000'000, ms(100)) == ms(100 + 10 + 1000));
    CHECK(net.pull_arrival(0, 1'000'000, ms(100)) == ms(100 + 10 + 100));
    CHECK(net.push_arrival(1, 1'000'000, ms(0)) == ms(50 + 100));
    CHECK(net.pull_arrival(1, 1'000'000, ms(0)) == ms(50 + 1000));
}

TEST_CASE("a shared server link delays the second simultaneous push by one transfer time") {
    WorldSpec spec = make_world(3, ms(10), 1);
    for (auto& w : spec.workers)
        w.link = LinkSpec{ms(10), parse_bandwidth("1Gbps"), parse_bandwidth("1Gbps")};
    spec.network.shared_server_link = true;
    spec.network.server_bandwidth = parse_bandwidth("8Mbps");  // the bottleneck
    NetworkModel net(spec);
    const Time one = ms(10 + 1000);  // latency + 1 MB at 8 Mbps
    CHECK(net.push_arrival(0, 1'000'000, ms(0)) == one);
    CHECK(net.push_arrival(1, 1'000'000, ms(0)) == 2 * one);
    CHECK(net.push_arrival(2, 1'000'000, 5 * one) == 6 * one);  // link free again: no wait
    // Pulls queue on the other direction and are not delayed by pushes.
    CHECK(net.pull_arrival(0, 1'000'000, ms(0)) == one);
}

TEST_CASE("a ring all-reduce costs 2(K-1)/K bytes over the slowest link plus 2(K-1) latencies") {
    WorldSpec spec = make_world(4, ms(10), 1);
    for (auto& w : spec.workers)
        w.link = LinkSpec{ms(1), parse_bandwidth("8Mbps"), parse_bandwidth("8Mbps")};
    spec.workers[2].link.latency = ms(3);
    const NetworkModel net(spec);
    const std::vector<int> all{0, 1, 2, 3};
    // 2 * 3/4 * 4 MB = 6 MB at 1 MB/s = 6 s, plus 6 x 3 ms.
    CHECK(net.ring_allreduce_time(all, 4'000'000) == ms(6000 + 18));
    CHECK(NetworkModel::ring_bytes_per_worker(4'000'000, 4) == 6'000'000);
    const std::vector<int> one{1};
    CHECK(net.ring_allreduce_time(one, 4'000'000) == Time{0});
}

TEST_CASE("DyLU gives every worker H at equal speeds and floor(H v_w / v_max) otherwise") {
    WorldSpec spec = make_world(3, ms(100), 10);
    spec.algorithm.local_steps = LocalStepPolicy::dylu;
    CHECK(local_steps(spec) == std::vector<int>{10, 10, 10});
    spec = make_world(2, ms(100), 10, {1.0, 4.0});  // speeds 1 and 0.25
    spec.algorithm.local_steps = LocalStepPolicy::dylu;
    CHECK(local_steps(spec) == std::vector<int>{10, 2});  // floor(10 / 4)
    spec.algorithm.dylu_min_steps = 3;
    CHECK(local_steps(spec) == std::vector<int>{10, 3});
    spec = make_world(4, ms(580), 20);
    spec.workers[1].step_time = ms(750);
    spec.workers[2].step_time = ms(1510);
    spec.workers[3].step_time = ms(3330);
    spec.algorithm.local_steps = LocalStepPolicy::dylu;
    // floor(20 x 580/750) = 15, floor(20 x 580/1510) = 7, floor(20 x 580/3330) = 3.
    CHECK(local_steps(spec) == std::vector<int>{20, 15, 7, 3});
    spec.algorithm.local_steps = LocalStepPolicy::fixed;
    CHECK(local_steps(spec) == std::vector<int>{20, 20, 20, 20});
    spec.algorithm.kind = ScheduleKind::ddp;
    CHECK(local_steps(spec) == std::vector<int>{1, 1, 1, 1});
}

TEST_CASE("a round takes n x step time x multiplier, times the straggler factor when it straggles") {
    WorldSpec spec = make_world(2, ms(100), 1, {1.0, 2.5});
    ComputeModel plain(spec);
    CHECK(plain.round_time(0, 7) == ms(700));
    CHECK(plain.round_time(1, 4) == ms(1000));
    spec.workers[0].stragglers = StragglerSpec{1.0, 3.0};  // always straggles
    ComputeModel always(spec);
    CHECK(always.round_time(0, 2) == ms(600));
    spec.workers[0].stragglers = StragglerSpec{0.25, 3.0};
    ComputeModel sometimes(spec);
    int slow = 0;
    for (int i = 0; i < 4000; ++i) {
        const Time t = sometimes.round_time(0, 1);
        CHECK((t == ms(100) || t == ms(300)));
        slow += t == ms(300);
    }
    CHECK(slow > 850);   // expected 1000, sd ~27
    CHECK(slow < 1150);
}

TEST_CASE("jitter is redrawn every round from the worker's own stream") {
    WorldSpec spec = make_world(2, ms(100), 1);
    for (auto& w : spec.workers) w.jitter = Distribution{Distribution::Kind::uniform, 0.5, 1.5};
    ComputeModel a(spec);
    ComputeModel b(spec);
    std::vector<Time> first;
    for (int i = 0; i < 50; ++i) first.push_back(a.round_time(0, 1));
    for (int i = 0; i < 50; ++i) (void)b.round_time(1, 1);  // another worker drawing first
    for (int i = 0; i < 50; ++i) CHECK(b.round_time(0, 1) == first[static_cast<std::size_t>(i)]);
    for (const Time t : first) CHECK((t >= ms(50) && t <= ms(150)));
    CHECK(first[0] != first[1]);
}

TEST_CASE("failures: none without MTBF, scripted ones in time order, random ones after `from`") {
    WorldSpec spec = make_world(2, ms(100), 1);
    spec.workers[0].failures.scripted = {{ms(500), ms(50)}, {ms(200), ms(10)}};
    spec.workers[1].failures.mtbf = ms(1000);
    spec.workers[1].failures.downtime_s = Distribution::constant(0.25);
    FailureModel model(spec);
    Failure f = model.next_failure(0, Time{0});
    CHECK(f.at == ms(200));
    CHECK(f.downtime == ms(10));
    f = model.next_failure(0, ms(210));
    CHECK(f.at == ms(500));
    CHECK(model.next_failure(0, ms(550)).at == kNever);
    Time from{0};
    double sum = 0;
    for (int i = 0; i < 2000; ++i) {
        const Failure r = model.next_failure(1, from);
        CHECK(r.at >= from);
        CHECK(r.downtime == ms(250));
        sum += to_seconds(r.at - from);
        from = r.at + r.downtime;
    }
    CHECK(sum / 2000 == doctest::Approx(1.0).epsilon(0.08));  // mean time to failure = MTBF
}
