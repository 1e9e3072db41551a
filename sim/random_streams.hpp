#pragma once
// Independent random streams, one per (seed, worker, purpose). A stream's draws depend only on
// those three numbers, never on the order in which events are processed, so adding worker 9
// does not change what worker 3 draws.

#include <cstdint>
#include <limits>

namespace hetsim::sim {

/// What a stream is used for; each purpose of each worker has its own stream.
enum class Purpose : std::uint32_t {
    speed = 1,      ///< the per-worker step-time multiplier, drawn once
    jitter = 2,     ///< the per-round step-time factor
    straggler = 3,  ///< whether a round straggles
    failure = 4,    ///< times to failure
    downtime = 5,   ///< how long a failure lasts
    data = 6,       ///< data order (training)
    init = 7,       ///< parameter initialisation (training)
    drop = 8,       ///< whether an update is discarded at the server (drop_probability)
    preemption = 9,         ///< times to preemption
    preemption_delay = 10,  ///< how long a preemption lasts
    trace = 11,             ///< which trace device each worker gets (the world's stream, -1)
};

/// xoshiro256** (Blackman & Vigna): 32 bytes of state, so 10,000 workers with a few streams
/// each stay small. Satisfies UniformRandomBitGenerator, so Boost.Random's distributions
/// (identical on every standard library) can draw from it.
class Rng {
public:
    using result_type = std::uint64_t;
    /// Seeds the four state words from `seed` through SplitMix64, as the authors recommend.
    explicit Rng(std::uint64_t seed = 0);
    static constexpr result_type min() { return 0; }
    static constexpr result_type max() { return std::numeric_limits<result_type>::max(); }
    result_type operator()();
    /// A double uniform in [0, 1) built from the top 53 bits.
    double uniform01() { return static_cast<double>((*this)() >> 11) * 0x1.0p-53; }

private:
    std::uint64_t s_[4];
};

/// SplitMix64 finaliser: a bijective 64-bit mix.
std::uint64_t mix64(std::uint64_t x);

/// The stream for (seed, worker, purpose). Worker -1 (the server or the world) is allowed.
Rng make_stream(std::uint64_t seed, std::int64_t worker, Purpose purpose);

}  // namespace hetsim::sim
