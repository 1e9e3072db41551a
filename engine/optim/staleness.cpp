#include "engine/optim/staleness.hpp"

#include "sim/error.hpp"

#include <cmath>

namespace hetsim::engine {

double staleness_weight(const scenarios::AggregationSpec& spec, std::int64_t staleness) {
    HETSIM_CHECK(staleness >= 0, "staleness must be >= 0, found {}", staleness);
    const auto s = static_cast<double>(staleness);
    if (spec.staleness == "constant") return spec.weight;
    // FedAsync (Xie et al. 2019), polynomial: s_a(t - tau) = (t - tau + 1)^(-a).
    if (spec.staleness == "polynomial") return spec.weight * std::pow(1.0 + s, -spec.a);
    // FedAsync hinge: s_{a,b}(t - tau) = 1 if t - tau <= b, else 1 / (a (t - tau - b) + 1).
    if (spec.staleness == "hinge")
        return spec.weight * (s <= spec.b ? 1.0 : 1.0 / (spec.a * (s - spec.b) + 1.0));
    throw Error(fmt::format(
        "aggregation.staleness: expected \"constant\", \"polynomial\" or \"hinge\", found \"{}\"",
        spec.staleness));
}

bool is_dropped(const scenarios::AggregationSpec& spec, std::int64_t staleness) {
    return spec.drop_above.has_value() && staleness > *spec.drop_above;
}

double fedbuff_weight(std::int64_t staleness) {
    HETSIM_CHECK(staleness >= 0, "staleness must be >= 0, found {}", staleness);
    return 1.0 / std::sqrt(1.0 + static_cast<double>(staleness));
}

}  // namespace hetsim::engine
