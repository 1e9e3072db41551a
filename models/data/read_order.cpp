#include "models/data/read_order.hpp"

#include "models/data/data_random.hpp"
#include "sim/error.hpp"

namespace hetsim::models {

ReadOrder::ReadOrder(std::uint64_t seed, std::vector<std::int64_t> shard_sizes)
    : seed_(seed), sizes_(std::move(shard_sizes)), cache_(sizes_.size(), {-1, nullptr}) {
    for (std::int64_t size : sizes_) HETSIM_ASSERT(size > 0, "empty shard");
}

std::int64_t ReadOrder::shard_size(int shard) const {
    if (shard < 0 || shard >= num_shards())
        throw ConfigError(fmt::format("shard {} outside [0, {})", shard, num_shards()));
    return sizes_[static_cast<std::size_t>(shard)];
}

ReadOrder::Permutation ReadOrder::permutation(int shard, std::int64_t epoch) const {
    {
        std::lock_guard lock(mutex_);
        const auto& [cached_epoch, cached] = cache_[shard];
        if (cached_epoch == epoch) return cached;
    }
    // Drawn outside the lock; two threads racing for the same epoch draw the same permutation.
    sim::Rng rng = data_stream(seed_, DataStream::read_order, shard, epoch);
    auto drawn =
        std::make_shared<const std::vector<std::int64_t>>(shuffled_range(sizes_[shard], rng));
    std::lock_guard lock(mutex_);
    cache_[shard] = {epoch, drawn};
    return drawn;
}

std::vector<std::int64_t> ReadOrder::indices(int shard, std::int64_t position,
                                             std::int64_t count) const {
    const std::int64_t size = shard_size(shard);
    if (position < 0 || count < 0)
        throw ConfigError(fmt::format("bad read range: position {}, count {}", position, count));
    std::vector<std::int64_t> out;
    out.reserve(static_cast<std::size_t>(count));
    std::int64_t p = position;
    while (p < position + count) {
        const std::int64_t epoch = p / size;
        const Permutation order = permutation(shard, epoch);
        const std::int64_t end = std::min(position + count, (epoch + 1) * size);
        for (; p < end; ++p) out.push_back((*order)[p - epoch * size]);
    }
    return out;
}

}  // namespace hetsim::models
