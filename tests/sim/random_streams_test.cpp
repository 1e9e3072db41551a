// Tests for sim/random_streams.hpp and sim/distribution.hpp: reproducible, independent streams
// and distributions with the right means.

#include "sim/distribution.hpp"
#include "sim/error.hpp"
#include "sim/random_streams.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <concepts>
#include <cstdint>
#include <random>
#include <set>
#include <string>
#include <vector>

using hetsim::sim::Distribution;
using hetsim::sim::make_stream;
using hetsim::sim::Purpose;
using hetsim::sim::Rng;

static_assert(std::uniform_random_bit_generator<Rng>);
static_assert(Rng::min() == 0 && Rng::max() == UINT64_MAX);
static_assert(sizeof(Rng) == 32, "the header promises 32 bytes of state per stream");

namespace {

std::vector<std::uint64_t> draws(Rng rng, int n) {
    std::vector<std::uint64_t> out;
    for (int i = 0; i < n; ++i) out.push_back(rng());
    return out;
}

// xoshiro256** and SplitMix64 written out again from the authors' reference code
// (prng.di.unimi.it), independently of sim/random_streams.cpp.
struct ReferenceXoshiro {
    std::uint64_t s[4];
    explicit ReferenceXoshiro(std::uint64_t seed) {
        std::uint64_t state = seed;
        for (auto& word : s) {
            std::uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
            z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
            z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
            word = z ^ (z >> 31);
        }
    }
    static std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
    std::uint64_t next() {
        const std::uint64_t result = rotl(s[1] * 5, 7) * 9;
        const std::uint64_t t = s[1] << 17;
        s[2] ^= s[0];
        s[3] ^= s[1];
        s[1] ^= s[2];
        s[0] ^= s[3];
        s[2] ^= t;
        s[3] = rotl(s[3], 45);
        return result;
    }
};

constexpr int kDraws = 20'000;

}  // namespace

TEST_CASE("mix64 is the SplitMix64 finaliser") {
    // The first outputs of SplitMix64 seeded with 0, as published with the reference code.
    CHECK(hetsim::sim::mix64(0) == 0xe220a8397b1dcdafULL);
    CHECK(hetsim::sim::mix64(0x9e3779b97f4a7c15ULL) == 0x6e789e6aa1b965f4ULL);
    CHECK(hetsim::sim::mix64(2 * 0x9e3779b97f4a7c15ULL) == 0x06c45d188009454fULL);
}

TEST_CASE("Rng is xoshiro256** seeded through SplitMix64") {
    for (const std::uint64_t seed : {std::uint64_t{0}, std::uint64_t{1}, std::uint64_t{42},
                                     std::uint64_t{0xdeadbeef}, UINT64_MAX}) {
        CAPTURE(seed);
        Rng rng(seed);
        ReferenceXoshiro reference(seed);
        int differences = 0;
        for (int i = 0; i < 1000; ++i) differences += rng() != reference.next() ? 1 : 0;
        CHECK(differences == 0);
    }
}

TEST_CASE("the generator's first values are pinned (golden)") {
    // Computed once from this implementation. A change here changes every simulation result:
    // update the numbers only for a deliberate change of generator, and say so in the log.
    CHECK(draws(Rng(0), 4) ==
          std::vector<std::uint64_t>{0x99ec5f36cb75f2b4ULL, 0xbf6e1f784956452aULL,
                                     0x1a5f849d4933e6e0ULL, 0x6aa594f1262d2d2cULL});
    CHECK(draws(make_stream(42, 3, Purpose::jitter), 3) ==
          std::vector<std::uint64_t>{0x057f70d5769739b9ULL, 0x8e3e53687937ef6eULL,
                                     0xc4fd20ef14f34bb6ULL});
    CHECK(draws(make_stream(1, -1, Purpose::failure), 3) ==
          std::vector<std::uint64_t>{0x85f95aafe1e4f4cfULL, 0x580551b5b7f40d5eULL,
                                     0x9513454b1a559957ULL});
    CHECK(make_stream(7, 0, Purpose::speed).uniform01() == 0.1929475398615067);
}

TEST_CASE("make_stream is deterministic") {
    const auto a = draws(make_stream(123, 4, Purpose::straggler), 1000);
    const auto b = draws(make_stream(123, 4, Purpose::straggler), 1000);
    CHECK(a == b);
    // Copies continue identically too, so a stream can be saved and replayed.
    Rng original = make_stream(123, 4, Purpose::straggler);
    original();
    Rng copy = original;
    CHECK(draws(original, 100) == draws(copy, 100));
}

TEST_CASE("different seeds, workers and purposes give different streams") {
    const auto base = draws(make_stream(1, 0, Purpose::speed), 8);
    CHECK(draws(make_stream(2, 0, Purpose::speed), 8) != base);
    CHECK(draws(make_stream(1, 1, Purpose::speed), 8) != base);
    CHECK(draws(make_stream(1, -1, Purpose::speed), 8) != base);
    CHECK(draws(make_stream(1, 0, Purpose::jitter), 8) != base);
    CHECK(draws(make_stream(1, 0, Purpose::init), 8) != base);

    SUBCASE("no two of many (seed, worker, purpose) triples share a first value") {
        const std::vector<Purpose> purposes{Purpose::speed,   Purpose::jitter,   Purpose::straggler,
                                            Purpose::failure, Purpose::downtime, Purpose::data,
                                            Purpose::init};
        std::set<std::uint64_t> first_values;
        std::size_t streams = 0;
        for (std::uint64_t seed = 0; seed < 4; ++seed) {
            for (std::int64_t worker = -1; worker < 2000; ++worker) {
                for (const Purpose p : purposes) {
                    first_values.insert(make_stream(seed, worker, p)());
                    ++streams;
                }
            }
        }
        // 56k random 64-bit values collide with probability about 1e-10.
        CHECK(first_values.size() == streams);
    }
    SUBCASE("swapping worker and purpose does not give the same stream") {
        CHECK(draws(make_stream(5, 1, Purpose::jitter), 4) !=
              draws(make_stream(5, 2, Purpose::speed), 4));
    }
}

TEST_CASE("a stream does not depend on other streams being created or drawn from") {
    const auto alone = draws(make_stream(99, 3, Purpose::jitter), 200);

    Rng worker3 = make_stream(99, 3, Purpose::jitter);
    std::vector<Rng> others;
    for (std::int64_t w = 0; w < 10; ++w) others.push_back(make_stream(99, w, Purpose::jitter));
    others.push_back(make_stream(99, 9, Purpose::speed));  // "adding worker 9"
    std::vector<std::uint64_t> interleaved;
    for (int i = 0; i < 200; ++i) {
        for (auto& other : others) other();
        interleaved.push_back(worker3());
        for (auto& other : others) other();
    }
    CHECK(interleaved == alone);
    // The worker-3 stream in `others` is a separate copy: drawing from it did not advance ours.
    CHECK(draws(make_stream(99, 3, Purpose::jitter), 200) == alone);
}

TEST_CASE("uniform01 is the top 53 bits, in [0, 1)") {
    Rng rng = make_stream(11, 0, Purpose::data);
    Rng copy = rng;
    CHECK(rng.uniform01() == static_cast<double>(copy() >> 11) * 0x1.0p-53);

    double lo = 1.0;
    double hi = 0.0;
    double sum = 0.0;
    int out_of_range = 0;
    constexpr int kN = 100'000;
    for (int i = 0; i < kN; ++i) {
        const double u = rng.uniform01();
        if (!(u >= 0.0 && u < 1.0)) ++out_of_range;
        lo = std::min(lo, u);
        hi = std::max(hi, u);
        sum += u;
    }
    CHECK(out_of_range == 0);
    CHECK(lo < 1e-3);
    CHECK(hi > 1.0 - 1e-3);
    // Mean 1/2, standard deviation sqrt(1/12): five standard errors.
    CHECK(std::abs(sum / kN - 0.5) < 5.0 * std::sqrt(1.0 / 12.0 / kN));
}

namespace {

struct Moments {
    double mean = 0;
    double min = INFINITY;
    double max = -INFINITY;
};

Moments sample_moments(const Distribution& d, std::uint64_t seed, int n = kDraws) {
    Rng rng = make_stream(seed, 0, Purpose::jitter);
    Moments m;
    double sum = 0;
    for (int i = 0; i < n; ++i) {
        const double x = d.sample(rng);
        sum += x;
        m.min = std::min(m.min, x);
        m.max = std::max(m.max, x);
    }
    m.mean = sum / n;
    return m;
}

// Five standard errors of the mean of kDraws draws from a distribution with this stddev. The
// seeds are fixed, so this cannot flake; the margin only has to admit a correct sampler.
double tolerance(double stddev) { return 5.0 * stddev / std::sqrt(static_cast<double>(kDraws)); }

}  // namespace

TEST_CASE("Distribution::sample has the mean that Distribution::mean() states") {
    using Kind = Distribution::Kind;
    // Each subcase runs three independent seeds (loops go inside subcases, not around them).
    const std::vector<std::uint64_t> seeds{1, 2, 3};
    SUBCASE("constant") {
        const Distribution d = Distribution::constant(2.5);
        CHECK(d.mean() == 2.5);
        for (const auto seed : seeds) {
            const Moments m = sample_moments(d, seed);
            CHECK(m.min == 2.5);
            CHECK(m.max == 2.5);
        }
    }
    SUBCASE("uniform") {
        const Distribution d{Kind::uniform, 0.8, 1.4};
        CHECK(d.mean() == doctest::Approx(1.1).epsilon(1e-12));
        for (const auto seed : seeds) {
            CAPTURE(seed);
            const Moments m = sample_moments(d, seed);
            CHECK(std::abs(m.mean - d.mean()) < tolerance(0.6 / std::sqrt(12.0)));
            CHECK(m.min >= 0.8);
            CHECK(m.max < 1.4);
        }
    }
    SUBCASE("normal, barely truncated") {
        const Distribution d{Kind::normal, 1.0, 0.1};
        CHECK(d.mean() == doctest::Approx(1.0).epsilon(1e-12));
        for (const auto seed : seeds) {
            CAPTURE(seed);
            const Moments m = sample_moments(d, seed);
            CHECK(std::abs(m.mean - d.mean()) < tolerance(0.1));
        }
    }
    SUBCASE("normal, heavily truncated: only positive values, truncated mean") {
        // N(0.5, 1) loses 31% of its mass below 0; the untruncated mean (0.5) is far off.
        const Distribution d{Kind::normal, 0.5, 1.0};
        for (const auto seed : seeds) {
            CAPTURE(seed);
            const Moments m = sample_moments(d, seed);
            CHECK(m.min > 0.0);
            // Truncation only narrows the distribution, so 1.0 bounds the stddev.
            CHECK(std::abs(m.mean - d.mean()) < tolerance(1.0));
            CHECK(std::abs(m.mean - 0.5) > 10 * tolerance(1.0));
        }
    }
    SUBCASE("lognormal") {
        const Distribution d{Kind::lognormal, 0.0, 0.5};
        CHECK(d.mean() == doctest::Approx(std::exp(0.125)).epsilon(1e-12));
        const double stddev = std::sqrt((std::exp(0.25) - 1.0) * std::exp(0.25));
        for (const auto seed : seeds) {
            CAPTURE(seed);
            const Moments m = sample_moments(d, seed);
            CHECK(std::abs(m.mean - d.mean()) < tolerance(stddev));
            CHECK(m.min > 0.0);
        }
    }
    SUBCASE("exponential") {
        const Distribution d{Kind::exponential, 3.0, 0.0};
        CHECK(d.mean() == 3.0);
        for (const auto seed : seeds) {
            CAPTURE(seed);
            const Moments m = sample_moments(d, seed);
            CHECK(std::abs(m.mean - 3.0) < tolerance(3.0));
            CHECK(m.min > 0.0);
        }
    }
}

TEST_CASE("the truncated normal's analytic mean matches the closed form") {
    using Kind = Distribution::Kind;
    // Half-normal: N(0, 1) truncated to x > 0 has mean sqrt(2 / pi).
    CHECK(Distribution{Kind::normal, 0.0, 1.0}.mean() ==
          doctest::Approx(0.79788456080286536).epsilon(1e-12));
    CHECK(Distribution{Kind::normal, 0.0, 3.0}.mean() ==
          doctest::Approx(3 * 0.79788456080286536).epsilon(1e-12));
    // A zero stddev is a constant.
    CHECK(Distribution{Kind::normal, 2.0, 0.0}.mean() == 2.0);
    Rng rng(5);
    CHECK(Distribution{Kind::normal, 2.0, 0.0}.sample(rng) == 2.0);
}

TEST_CASE("a normal that can hardly be positive fails loudly instead of spinning") {
    const Distribution d{Distribution::Kind::normal, -50.0, 1.0};
    Rng rng(1);
    std::string message;
    try {
        d.sample(rng);
    } catch (const hetsim::Error& e) {
        message = e.what();
    }
    CHECK(message.find("normal(mean=-50, stddev=1, >0)") != std::string::npos);
    CHECK(message.find("1000 tries") != std::string::npos);
}

TEST_CASE("distribution samples for a fixed seed are pinned (golden)") {
    // Computed once with Boost 1.74. Boost.Random's algorithms are the same on every standard
    // library, but a Boost upgrade that changes an algorithm would change these (and every run).
    using Kind = Distribution::Kind;
    const auto first3 = [](const Distribution& d) {
        Rng rng = make_stream(2024, 5, Purpose::jitter);
        return std::vector<double>{d.sample(rng), d.sample(rng), d.sample(rng)};
    };
    CHECK(first3({Kind::uniform, 1, 3}) ==
          std::vector<double>{1.4629519776548974, 1.1101477708550997, 2.839424804787797});
    CHECK(first3({Kind::normal, 1, 0.2}) ==
          std::vector<double>{1.0872649216992933, 0.97425212979608189, 0.81330437971459735});
    CHECK(first3({Kind::lognormal, 0, 0.5}) ==
          std::vector<double>{1.2437889234637718, 0.93765830614031376, 0.62704369567009621});
    CHECK(first3({Kind::exponential, 2, 0}) ==
          std::vector<double>{1.0919347643938251, 0.38070735558109209, 1.5497344394104864});
}

TEST_CASE("distributions describe themselves in scenario-file words") {
    using Kind = Distribution::Kind;
    CHECK(Distribution::constant(2.5).describe() == "2.5");
    CHECK(Distribution{Kind::uniform, 0.8, 1.2}.describe() == "uniform(low=0.8, high=1.2)");
    CHECK(Distribution{Kind::lognormal, 0, 0.5}.describe() == "lognormal(mu=0, sigma=0.5)");
    CHECK(Distribution{Kind::exponential, 3, 0}.describe() == "exponential(mean=3)");
    CHECK(std::string(Distribution::kind_name(Kind::constant)) == "constant");
    CHECK(std::string(Distribution::kind_name(Kind::uniform)) == "uniform");
    CHECK(std::string(Distribution::kind_name(Kind::normal)) == "normal");
    CHECK(std::string(Distribution::kind_name(Kind::lognormal)) == "lognormal");
    CHECK(std::string(Distribution::kind_name(Kind::exponential)) == "exponential");
}
