#include "tests/torch_test.hpp"

#include "models/data/data_random.hpp"
#include "models/data/partition.hpp"
#include "models/data/read_order.hpp"
#include "sim/error.hpp"

#include <algorithm>
#include <numeric>

using namespace hetsim::models;

namespace {

using Shards = std::vector<std::vector<std::int64_t>>;

// True when the shards hold 0..n-1, each exactly once.
bool exact_cover(const Shards& shards, std::int64_t n) {
    std::vector<int> seen(static_cast<std::size_t>(n), 0);
    for (const auto& shard : shards)
        for (std::int64_t i : shard) {
            if (i < 0 || i >= n) return false;
            ++seen[static_cast<std::size_t>(i)];
        }
    return std::all_of(seen.begin(), seen.end(), [](int c) { return c == 1; });
}

// 10 classes of 1000 examples each, interleaved.
std::vector<std::int64_t> ten_classes() {
    std::vector<std::int64_t> labels(10000);
    for (std::size_t i = 0; i < labels.size(); ++i) labels[i] = static_cast<std::int64_t>(i % 10);
    return labels;
}

// Per shard, the fraction of its examples in its two most frequent labels.
std::vector<double> top_two_share(const Shards& shards, const std::vector<std::int64_t>& labels) {
    std::vector<double> out;
    for (const auto& shard : shards) {
        std::vector<std::int64_t> counts(10, 0);
        for (std::int64_t i : shard)
            ++counts[static_cast<std::size_t>(labels[static_cast<std::size_t>(i)])];
        std::sort(counts.rbegin(), counts.rend());
        out.push_back(static_cast<double>(counts[0] + counts[1]) /
                      static_cast<double>(shard.size()));
    }
    return out;
}

}  // namespace

TEST_CASE("even_boundaries and apportion split totals exactly") {
    CHECK(even_boundaries(10, 3) == std::vector<std::int64_t>{0, 4, 7, 10});
    CHECK(even_boundaries(2, 4) == std::vector<std::int64_t>{0, 1, 2, 2, 2});
    for (int i = 0; i <= 3; ++i)
        CHECK(even_boundary(10, 3, i) == even_boundaries(10, 3)[static_cast<std::size_t>(i)]);
    CHECK(apportion({1.0, 1.0, 1.0}, 10) == std::vector<std::int64_t>{4, 3, 3});
    CHECK(apportion({0.5, 0.3, 0.2}, 7) == std::vector<std::int64_t>{4, 2, 1});
    CHECK(apportion({0.0, 0.0}, 5) == std::vector<std::int64_t>{5, 0});
}

TEST_CASE("evenly_spaced and held_out_per_group follow the documented rule") {
    CHECK(evenly_spaced(10, 2) == std::vector<std::int64_t>{2, 7});
    CHECK(evenly_spaced(3, 5) == std::vector<std::int64_t>{0, 1, 2});
    CHECK(evenly_spaced(3, 0).empty());
    // Group 0: 10 members, k = 2 at positions 2 and 7; group 1: 3 members, k = round(0.6) = 1
    // at position 1 (index 11); group 2: a single member stays in training.
    const std::vector<std::int64_t> groups = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 2};
    const std::vector<bool> held = held_out_per_group(groups, 0.2);
    std::vector<std::size_t> held_indices;
    for (std::size_t i = 0; i < held.size(); ++i)
        if (held[i]) held_indices.push_back(i);
    CHECK(held_indices == std::vector<std::size_t>{2, 7, 11});
    CHECK(held_out_per_group(groups, 0.0) == std::vector<bool>(groups.size(), false));
}

TEST_CASE("the iid partition is a random equal split, deterministic per seed") {
    const Shards a = iid_partition(103, 10, 42);
    CHECK(exact_cover(a, 103));
    for (const auto& shard : a) CHECK((shard.size() == 10 || shard.size() == 11));
    CHECK(a == iid_partition(103, 10, 42));
    CHECK(a != iid_partition(103, 10, 43));
    CHECK(a[0] != std::vector<std::int64_t>{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10});  // shuffled
    CHECK_THROWS_AS(iid_partition(5, 6, 1), hetsim::ConfigError);
}

TEST_CASE("Dirichlet partitions cover every example once and skew with small alpha") {
    const std::vector<std::int64_t> labels = ten_classes();
    SUBCASE("small alpha: most shards are dominated by a few labels") {
        const Shards shards = dirichlet_partition(labels, 10, 10, 0.05, 1);
        CHECK(exact_cover(shards, 10000));
        const std::vector<double> share = top_two_share(shards, labels);
        const auto dominated =
            std::count_if(share.begin(), share.end(), [](double s) { return s >= 0.8; });
        CHECK(dominated >= 7);
    }
    SUBCASE("large alpha: near-uniform label counts") {
        const Shards shards = dirichlet_partition(labels, 10, 10, 1000.0, 1);
        CHECK(exact_cover(shards, 10000));
        for (const auto& shard : shards) {
            std::vector<std::int64_t> counts(10, 0);
            for (std::int64_t i : shard)
                ++counts[static_cast<std::size_t>(labels[static_cast<std::size_t>(i)])];
            for (std::int64_t c : counts) CHECK((c >= 70 && c <= 130));  // 100 each on average
        }
    }
    SUBCASE("deterministic per seed") {
        CHECK(dirichlet_partition(labels, 10, 8, 0.5, 3) ==
              dirichlet_partition(labels, 10, 8, 0.5, 3));
        CHECK(dirichlet_partition(labels, 10, 8, 0.5, 3) !=
              dirichlet_partition(labels, 10, 8, 0.5, 4));
    }
    SUBCASE("no shard is left empty, even with tiny alpha and many shards") {
        const Shards shards = dirichlet_partition(labels, 10, 500, 0.001, 2);
        CHECK(exact_cover(shards, 10000));
        for (const auto& shard : shards) CHECK_FALSE(shard.empty());
    }
    CHECK_THROWS_AS(dirichlet_partition(labels, 10, 4, 0.0, 1), hetsim::ConfigError);
    CHECK_THROWS_AS(dirichlet_partition({0, 1, 0}, 2, 4, 0.5, 1), hetsim::ConfigError);
}

TEST_CASE("group_partition gives whole groups to few shards and slices to many") {
    const std::vector<std::int64_t> sizes = {80, 75, 48, 44, 36, 30, 6};
    SUBCASE("fewer shards than groups: largest first to the least loaded shard") {
        const auto shards = group_partition(sizes, 3);
        REQUIRE(shards.size() == 3);
        std::vector<std::int64_t> load(3, 0);
        std::vector<int> seen(sizes.size(), 0);
        for (std::size_t s = 0; s < 3; ++s)
            for (const GroupSlice& slice : shards[s]) {
                CHECK(slice.parts == 1);
                ++seen[static_cast<std::size_t>(slice.group)];
                load[s] += sizes[static_cast<std::size_t>(slice.group)];
            }
        CHECK(seen == std::vector<int>(sizes.size(), 1));
        CHECK(load == std::vector<std::int64_t>{80 + 30, 75 + 36, 48 + 44 + 6});
    }
    SUBCASE("more shards than groups: slices in proportion to size") {
        const auto shards = group_partition(sizes, 10);
        REQUIRE(shards.size() == 10);
        std::vector<int> parts(sizes.size(), 0);
        for (const auto& shard : shards) {
            REQUIRE(shard.size() == 1);
            parts[static_cast<std::size_t>(shard[0].group)] = shard[0].parts;
        }
        CHECK(parts == std::vector<int>{2, 2, 2, 1, 1, 1, 1});  // 80/2, 75/2, 48/2 beat 44
        CHECK(shards[1].front().group == 0);
        CHECK(shards[1].front().part == 1);
    }
}

TEST_CASE("the read order is a fresh permutation of the shard in each epoch") {
    const ReadOrder order(5, {7, 50});
    const std::vector<std::int64_t> e0 = order.indices(1, 0, 50);
    const std::vector<std::int64_t> e1 = order.indices(1, 50, 50);
    CHECK(e0 != e1);
    std::vector<std::int64_t> sorted = e1;
    std::sort(sorted.begin(), sorted.end());
    std::vector<std::int64_t> all(50);
    std::iota(all.begin(), all.end(), 0);
    CHECK(sorted == all);
    // Crossing the boundary: the tail of epoch 0 then the head of epoch 1.
    const std::vector<std::int64_t> across = order.indices(1, 48, 4);
    CHECK(across == std::vector<std::int64_t>{e0[48], e0[49], e1[0], e1[1]});
    CHECK(order.indices(0, 3, 2) == ReadOrder(5, {7, 50}).indices(0, 3, 2));
    CHECK(order.indices(0, 0, 7) != ReadOrder(6, {7, 50}).indices(0, 0, 7));
}
