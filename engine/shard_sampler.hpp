#pragma once
// Which data shard a worker trains on in a round, and which examples of it. A shard is read
// sequentially through its own shuffled order, whoever trains on it: a round reserves the next
// `steps x batch` positions of its shard when it starts, so its data is fixed then.

#include "sim/random_streams.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace hetsim::engine {

/// The examples a round trains on: positions [position, position + steps x batch) of `shard`.
struct DataRange {
    int shard = 0;
    std::int64_t position = 0;
    int steps = 0;
    int batch = 0;
};

class ShardSampler {
public:
    /// `policy`: "fixed" (worker w owns shard w mod shards), "balanced" (Liu et al. 2024, Eq. 2)
    /// or "least-visited" (the public toy example). `shard_examples`: examples per shard.
    /// `fixed_shards` (policy "fixed"): worker w's shard when >= 0 (a [[workers.group]]'s
    /// `shards`); empty or -1 = w mod shards.
    ShardSampler(std::string policy, std::vector<std::int64_t> shard_examples, int workers,
                 std::uint64_t seed, std::vector<int> fixed_shards = {});

    /// Chooses worker w's shard for a round of `steps` steps of `batch` examples and reserves
    /// the range. Call in virtual-time order of round starts (the schedule's order).
    DataRange reserve(int worker, int steps, int batch);

    /// Examples reserved so far from each shard (n_i of Eq. 2).
    const std::vector<std::int64_t>& reserved() const { return reserved_; }
    /// Rounds started on each shard.
    const std::vector<std::int64_t>& visits() const { return visits_; }

private:
    int choose_balanced(int worker);
    int choose_least_visited(int worker);

    std::string policy_;
    std::vector<std::int64_t> sizes_;
    std::vector<std::int64_t> reserved_;
    std::vector<std::int64_t> visits_;
    std::vector<sim::Rng> rng_;  // one stream per worker
    std::vector<int> fixed_;     // "fixed": a worker's own shard, or -1
};

}  // namespace hetsim::engine
