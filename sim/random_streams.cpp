#include "sim/random_streams.hpp"

namespace hetsim::sim {

namespace {
std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
}  // namespace

std::uint64_t mix64(std::uint64_t x) {
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

Rng::Rng(std::uint64_t seed) {
    std::uint64_t x = seed;
    for (auto& word : s_) {
        word = mix64(x);
        x += 0x9e3779b97f4a7c15ULL;
    }
}

Rng::result_type Rng::operator()() {
    const std::uint64_t result = rotl(s_[1] * 5, 7) * 9;
    const std::uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = rotl(s_[3], 45);
    return result;
}

Rng make_stream(std::uint64_t seed, std::int64_t worker, Purpose purpose) {
    // Hash the three coordinates one after another; mix64 is a bijection, so distinct
    // (worker, purpose) pairs under one seed give distinct, decorrelated seeds.
    std::uint64_t h = mix64(seed);
    h = mix64(h ^ static_cast<std::uint64_t>(worker));
    h = mix64(h ^ (static_cast<std::uint64_t>(purpose) << 32));
    return Rng(h);
}

}  // namespace hetsim::sim
