#include "engine/optim/qsr.hpp"

#include "sim/error.hpp"

#include <algorithm>
#include <cmath>

namespace hetsim::engine {

std::int64_t qsr_sync_period(std::int64_t h_base, double alpha, double lr,
                             std::int64_t max_period) {
    HETSIM_CHECK(h_base >= 1, "QSR: H_base must be >= 1, found {}", h_base);
    HETSIM_CHECK(alpha >= 0.0 && std::isfinite(alpha), "qsr.alpha: expected >= 0, found {}",
                 alpha);
    HETSIM_CHECK(lr >= 0.0 && std::isfinite(lr), "QSR needs a learning rate >= 0, found {}", lr);
    HETSIM_CHECK(max_period >= h_base, "QSR: max period {} below H_base {}", max_period, h_base);
    // lr = 0 (a cosine schedule with min_lr 0, at its end): (alpha / lr)^2 is unbounded.
    if (lr == 0.0) return alpha > 0.0 ? max_period : h_base;
    const double ratio = alpha / lr;
    // A relative 1e-12 keeps exact squares exact: (0.3 / 0.1)^2 evaluates to 8.999...998
    // in double, and the rule means 9.
    const double quadratic = std::floor(ratio * ratio * (1.0 + 1e-12));
    if (quadratic >= static_cast<double>(max_period)) return max_period;
    return std::max(h_base, static_cast<std::int64_t>(quadratic));
}

}  // namespace hetsim::engine
