#include "sim/distribution.hpp"

#include "sim/error.hpp"

#include <boost/random/exponential_distribution.hpp>
#include <boost/random/lognormal_distribution.hpp>
#include <boost/random/normal_distribution.hpp>
#include <boost/random/uniform_real_distribution.hpp>
#include <fmt/format.h>

#include <cmath>

namespace hetsim::sim {

double Distribution::sample(Rng& rng) const {
    switch (kind) {
    case Kind::constant:
        return a;
    case Kind::uniform:
        return boost::random::uniform_real_distribution<double>(a, b)(rng);
    case Kind::normal: {
        boost::random::normal_distribution<double> d(a, b);
        // Redraw non-positive values; the loader guarantees mean > 0, so this ends quickly
        // unless the distribution is absurdly wide (then we fail loudly rather than spin).
        for (int i = 0; i < 1000; ++i) {
            const double v = d(rng);
            if (v > 0) return v;
        }
        throw Error(fmt::format("{}: could not draw a positive value in 1000 tries", describe()));
    }
    case Kind::lognormal:
        return boost::random::lognormal_distribution<double>(a, b)(rng);
    case Kind::exponential:
        return boost::random::exponential_distribution<double>(1.0 / a)(rng);
    }
    HETSIM_ASSERT(false, "unknown distribution kind");
    return 0;
}

double Distribution::mean() const {
    switch (kind) {
    case Kind::constant:
        return a;
    case Kind::uniform:
        return 0.5 * (a + b);
    case Kind::normal: {
        if (b == 0) return a;
        // Mean of N(a, b^2) truncated to (0, inf): a + b * phi(alpha) / (1 - Phi(alpha)).
        const double alpha = -a / b;
        const double phi = std::exp(-0.5 * alpha * alpha) / std::sqrt(2 * M_PI);
        const double tail = 0.5 * std::erfc(alpha / std::sqrt(2.0));
        return a + b * phi / tail;
    }
    case Kind::lognormal:
        return std::exp(a + 0.5 * b * b);
    case Kind::exponential:
        return a;
    }
    return 0;
}

const char* Distribution::kind_name(Kind kind) {
    switch (kind) {
    case Kind::constant: return "constant";
    case Kind::uniform: return "uniform";
    case Kind::normal: return "normal";
    case Kind::lognormal: return "lognormal";
    case Kind::exponential: return "exponential";
    }
    return "?";
}

std::string Distribution::describe() const {
    switch (kind) {
    case Kind::constant: return fmt::format("{:g}", a);
    case Kind::uniform: return fmt::format("uniform(low={:g}, high={:g})", a, b);
    case Kind::normal: return fmt::format("normal(mean={:g}, stddev={:g}, >0)", a, b);
    case Kind::lognormal: return fmt::format("lognormal(mu={:g}, sigma={:g})", a, b);
    case Kind::exponential: return fmt::format("exponential(mean={:g})", a);
    }
    return "?";
}

}  // namespace hetsim::sim
