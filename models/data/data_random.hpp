#pragma once
// Random streams and digests for the data layer. Every random choice about data (read order,
// partitions, synthetic examples) draws from its own stream, derived from the run seed and a
// fixed use tag with sim::make_stream, so that it is identical on every platform and does not
// depend on the order in which other choices were made.

#include "sim/random_streams.hpp"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace hetsim::models {

/// What a data stream is used for; each use has its own streams.
enum class DataStream : std::uint64_t {
    read_order = 1,      ///< the permutation of a shard in an epoch (index: shard, sub: epoch)
    partition = 2,       ///< which examples go to which shard
    centres = 3,         ///< gaussian-mixture cluster centres, linear-synthetic true weights
    train_set = 4,       ///< synthetic training examples
    validation_set = 5,  ///< synthetic validation examples
};

/// The stream for (seed, use, index, sub). Distinct arguments give decorrelated streams.
sim::Rng data_stream(std::uint64_t seed, DataStream use, std::int64_t index = 0,
                     std::int64_t sub = 0);

/// 0, 1, ..., n - 1 in a uniformly random order (Fisher-Yates with Boost.Random).
std::vector<std::int64_t> shuffled_range(std::int64_t n, sim::Rng& rng);

/// Shuffles `values` in place (Fisher-Yates with Boost.Random).
void shuffle_in_place(std::vector<std::int64_t>& values, sim::Rng& rng);

/// `k` indices out of [0, n), evenly spaced and increasing: floor((i + 0.5) n / k). A fixed
/// rule (no randomness) used for held-out documents and validation subsets.
std::vector<std::int64_t> evenly_spaced(std::int64_t n, std::int64_t k);

/// FNV-1a 64-bit digest of a sequence of fields, each written with its length so that field
/// boundaries matter. Used for fingerprints and cache keys (not for security).
class Fnv1a {
public:
    Fnv1a& add(std::string_view text);
    Fnv1a& add(std::int64_t value);
    Fnv1a& add(double value);
    /// 16 lowercase hex digits.
    std::string hex() const;

private:
    void bytes(const void* data, std::size_t size);
    std::uint64_t hash_ = 0xcbf29ce484222325ULL;
};

}  // namespace hetsim::models
