#pragma once
// Builds small WorldSpecs in code for the schedule tests (no scenario files needed).

#include "sim/world.hpp"

#include <initializer_list>

namespace hetsim::sim::testing {

/// `k` workers with the given step-time multipliers (all 1 when empty), base step time
/// `step`, no network, no failures; async with H = `h`.
inline WorldSpec make_world(int k, Time step, int h, std::initializer_list<double> multipliers = {}) {
    WorldSpec spec;
    spec.workers.resize(static_cast<std::size_t>(k));
    auto it = multipliers.begin();
    for (auto& w : spec.workers) {
        w.step_time = step;
        if (it != multipliers.end()) w.multiplier = *it++;
    }
    spec.algorithm.inner_steps = h;
    return spec;
}

}  // namespace hetsim::sim::testing
