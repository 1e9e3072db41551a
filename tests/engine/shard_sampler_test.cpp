#include "engine/shard_sampler.hpp"
#include "sim/error.hpp"

#include <doctest/doctest.h>

#include <algorithm>

using hetsim::engine::DataRange;
using hetsim::engine::ShardSampler;

TEST_CASE("fixed assignment: worker w owns shard w and reads it sequentially") {
    ShardSampler s("fixed", {1000, 1000, 1000}, 3, 1);
    CHECK(s.reserve(1, 5, 8).shard == 1);
    const DataRange second = s.reserve(1, 5, 8);
    CHECK(second.shard == 1);
    CHECK(second.position == 40);  // after the first round's 5 x 8 examples
    CHECK(s.reserve(2, 1, 8).position == 0);
    CHECK(s.reserved() == std::vector<std::int64_t>{0, 80, 8});
}

TEST_CASE("balanced assignment (Eq. 2) keeps the examples taken proportional to shard sizes") {
    // Shards of 1000, 3000 and 6000 examples; one fast worker takes most rounds.
    ShardSampler s("balanced", {1000, 3000, 6000}, 2, 7);
    for (int round = 0; round < 3000; ++round) s.reserve(round % 7 == 0 ? 1 : 0, 10, 4);
    const auto& n = s.reserved();
    const double total = static_cast<double>(n[0] + n[1] + n[2]);
    CHECK(static_cast<double>(n[0]) / total == doctest::Approx(0.1).epsilon(0.02));
    CHECK(static_cast<double>(n[1]) / total == doctest::Approx(0.3).epsilon(0.02));
    CHECK(static_cast<double>(n[2]) / total == doctest::Approx(0.6).epsilon(0.02));
}

TEST_CASE("balanced assignment never picks a shard that is ahead of its share") {
    ShardSampler s("balanced", {100, 100}, 1, 3);
    const DataRange first = s.reserve(0, 1, 10);
    // Shard `first.shard` has all examples taken so far: its weight is 0, the other's 0.5.
    for (int i = 0; i < 20; ++i) {
        ShardSampler t = s;
        CHECK(t.reserve(0, 1, 10).shard == 1 - first.shard);
    }
}

TEST_CASE("least-visited assignment picks uniformly among the shards started least often") {
    ShardSampler s("least-visited", {50, 50, 50, 50}, 2, 9);
    for (int round = 0; round < 400; ++round) {
        s.reserve(round % 2, 1, 1);
        const auto& v = s.visits();
        const auto [lo, hi] = std::minmax_element(v.begin(), v.end());
        CHECK(*hi - *lo <= 1);
    }
    CHECK(s.visits() == std::vector<std::int64_t>{100, 100, 100, 100});
}

TEST_CASE("an unknown assignment policy is rejected") {
    CHECK_THROWS_AS(ShardSampler("round-robin", {1}, 1, 0), hetsim::Error);
}

TEST_CASE("fixed assignment with group shards: a pinned worker reads its own shard") {
    // Workers 0 and 1 keep w mod shards; worker 2 is pinned to shard 0 ([[workers.group]]).
    ShardSampler s("fixed", {1000, 1000, 1000}, 3, 1, {-1, -1, 0});
    CHECK(s.reserve(1, 1, 8).shard == 1);
    CHECK(s.reserve(2, 1, 8).shard == 0);
    CHECK(s.reserve(0, 1, 8).position == 8);  // after worker 2's round on shard 0
    CHECK_THROWS_AS(ShardSampler("fixed", {1000}, 2, 1, {0, 1}), hetsim::Error);
}
