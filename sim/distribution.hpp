#pragma once
// Positive random quantities used by the timing models (speed multipliers, jitter, downtime).

#include "sim/random_streams.hpp"

#include <string>

namespace hetsim::sim {

/// A distribution over positive reals, sampled with Boost.Random (portable across standard
/// libraries). Parameters: constant(value); uniform(low, high); normal(mean, stddev) truncated to
/// values > 0 by redrawing; lognormal(mu, sigma) of the underlying normal; exponential(mean).
struct Distribution {
    enum class Kind { constant, uniform, normal, lognormal, exponential };
    Kind kind = Kind::constant;
    double a = 1.0;  ///< value | low | mean | mu | mean
    double b = 0.0;  ///< -     | high | stddev | sigma | -

    static Distribution constant(double v) { return {Kind::constant, v, 0.0}; }
    /// Draws one value (> 0 for every kind except a uniform or constant that allows 0).
    double sample(Rng& rng) const;
    /// The analytic mean (of the truncated normal too).
    double mean() const;
    /// "lognormal(mu=0, sigma=0.5)"-style text.
    std::string describe() const;
    /// The kind's name as used in scenario files ("uniform", ...).
    static const char* kind_name(Kind kind);
};

}  // namespace hetsim::sim
