#pragma once
// How examples are split into shards (one shard per worker unless data.shards says otherwise).
// Every function returns each example exactly once and is a pure function of its arguments and
// the seed (streams from data_random.hpp).

#include <cstdint>
#include <vector>

namespace hetsim::models {

/// Boundaries of `parts` contiguous ranges covering [0, n) whose sizes differ by at most one
/// (the first n % parts are the larger): parts + 1 increasing values from 0 to n.
std::vector<std::int64_t> even_boundaries(std::int64_t n, int parts);

/// Boundary `i` (0 <= i <= parts) of even_boundaries(n, parts), in constant time.
std::int64_t even_boundary(std::int64_t n, int parts, int i);

/// Splits `total` into integer counts proportional to `weights` (largest remainder; ties go to
/// the lower index). The counts sum to `total`. All weights zero: everything to index 0.
std::vector<std::int64_t> apportion(const std::vector<double>& weights, std::int64_t total);

/// iid: examples 0..n-1 in a random order (from the seed), cut into `shards` contiguous chunks
/// whose sizes differ by at most one. Throws ConfigError when shards > n.
std::vector<std::vector<std::int64_t>> iid_partition(std::int64_t n, int shards,
                                                     std::uint64_t seed);

/// Label skew (Hsu et al. 2019): for each class, shard proportions p ~ Dirichlet(alpha, ...,
/// alpha) (normalised Boost.Random gamma draws), and the class's examples, in a random order,
/// are dealt out in those proportions (largest remainder). A shard left empty then takes one
/// example from the largest shard, so that every shard can be read. Small alpha: each shard
/// holds few labels; large alpha: near-uniform. Each shard's indices are sorted. Throws
/// ConfigError when alpha <= 0 or shards > number of examples.
std::vector<std::vector<std::int64_t>> dirichlet_partition(const std::vector<std::int64_t>& labels,
                                                           int classes, int shards, double alpha,
                                                           std::uint64_t seed);

/// A held-out set without randomness, so that every seed validates on the same examples: in
/// each group (e.g. Brown genre or MNIST digit; members in index order), k = round(fraction *
/// n) members, at least 1 when fraction > 0 and at most n - 1, at the evenly spaced positions
/// floor((i + 1/2) n / k). Returns one flag per member.
std::vector<bool> held_out_per_group(const std::vector<std::int64_t>& groups, double fraction);

/// Slice `part` of `parts` equal slices (even_boundaries) of group `group`.
struct GroupSlice {
    int group = 0;
    int part = 0;
    int parts = 1;
};

/// Groups (Brown genres) to shards, without randomness. shards <= groups: whole groups, the
/// largest first, each to the shard with the least so far (ties: lower index), so that shard
/// sizes stay close. shards > groups: each group is cut into equal slices, one shard per slice;
/// the slice counts start at one per group and each further slice goes to the group with the
/// largest size per slice (ties: lower index). Returns each shard's slices.
std::vector<std::vector<GroupSlice>> group_partition(const std::vector<std::int64_t>& group_sizes,
                                                     int shards);

}  // namespace hetsim::models
