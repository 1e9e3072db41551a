#include "models/data/data_random.hpp"

#include <boost/random/uniform_int_distribution.hpp>
#include <fmt/format.h>

#include <bit>
#include <numeric>

namespace hetsim::models {

sim::Rng data_stream(std::uint64_t seed, DataStream use, std::int64_t index, std::int64_t sub) {
    // Fold the use and the sub-index into the seed; make_stream then separates the indices.
    std::uint64_t h = sim::mix64(seed ^ (static_cast<std::uint64_t>(use) << 56));
    h = sim::mix64(h ^ static_cast<std::uint64_t>(sub));
    return sim::make_stream(h, index, sim::Purpose::data);
}

void shuffle_in_place(std::vector<std::int64_t>& values, sim::Rng& rng) {
    for (std::int64_t i = static_cast<std::int64_t>(values.size()) - 1; i > 0; --i) {
        boost::random::uniform_int_distribution<std::int64_t> pick(0, i);
        std::swap(values[i], values[static_cast<std::size_t>(pick(rng))]);
    }
}

std::vector<std::int64_t> shuffled_range(std::int64_t n, sim::Rng& rng) {
    std::vector<std::int64_t> values(static_cast<std::size_t>(n));
    std::iota(values.begin(), values.end(), std::int64_t{0});
    shuffle_in_place(values, rng);
    return values;
}

std::vector<std::int64_t> evenly_spaced(std::int64_t n, std::int64_t k) {
    std::vector<std::int64_t> out;
    if (k <= 0 || n <= 0) return out;
    if (k > n) k = n;
    out.reserve(static_cast<std::size_t>(k));
    // floor((2i + 1) n / 2k) in integers: distinct because n / k >= 1.
    for (std::int64_t i = 0; i < k; ++i) out.push_back(((2 * i + 1) * n) / (2 * k));
    return out;
}

void Fnv1a::bytes(const void* data, std::size_t size) {
    const auto* p = static_cast<const unsigned char*>(data);
    for (std::size_t i = 0; i < size; ++i) {
        hash_ ^= p[i];
        hash_ *= 0x100000001b3ULL;
    }
}

Fnv1a& Fnv1a::add(std::string_view text) {
    add(static_cast<std::int64_t>(text.size()));
    bytes(text.data(), text.size());
    return *this;
}

Fnv1a& Fnv1a::add(std::int64_t value) {
    // Little-endian bytes whatever the platform, so digests agree everywhere.
    unsigned char b[8];
    for (int i = 0; i < 8; ++i)
        b[i] = static_cast<unsigned char>(static_cast<std::uint64_t>(value) >> (8 * i));
    bytes(b, sizeof b);
    return *this;
}

Fnv1a& Fnv1a::add(double value) {
    return add(static_cast<std::int64_t>(std::bit_cast<std::uint64_t>(value)));
}

std::string Fnv1a::hex() const { return fmt::format("{:016x}", hash_); }

}  // namespace hetsim::models
