#pragma once
// The order in which a shard's examples are read: epoch e = position / shard size is a random
// permutation of the shard drawn from (seed, shard, e), so any range of positions can be read
// without reading what comes before it, by any thread, in any order.

#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

namespace hetsim::models {

class ReadOrder {
public:
    /// `shard_sizes[s]` examples in shard s (each > 0).
    ReadOrder(std::uint64_t seed, std::vector<std::int64_t> shard_sizes);

    int num_shards() const { return static_cast<int>(sizes_.size()); }
    /// Examples in `shard`; throws ConfigError for a shard outside [0, num_shards()).
    std::int64_t shard_size(int shard) const;

    /// Indices within `shard` (in [0, shard_size)) of read positions [position, position +
    /// count); the range may span several epochs. Throws ConfigError for a bad shard, a
    /// negative position or count. Thread-safe.
    std::vector<std::int64_t> indices(int shard, std::int64_t position, std::int64_t count) const;

private:
    using Permutation = std::shared_ptr<const std::vector<std::int64_t>>;
    Permutation permutation(int shard, std::int64_t epoch) const;

    std::uint64_t seed_;
    std::vector<std::int64_t> sizes_;
    // The last permutation used per shard: workers read one shard's epochs in order, so this
    // avoids drawing a permutation per batch.
    mutable std::mutex mutex_;
    mutable std::vector<std::pair<std::int64_t, Permutation>> cache_;
};

}  // namespace hetsim::models
