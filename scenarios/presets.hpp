#pragma once
// Heterogeneity presets: `workers.heterogeneity = "..."` names a fixed spread of worker speeds,
// so that studies can say "moderately heterogeneous" and mean the same numbers every time.

#include "sim/time.hpp"

#include <array>
#include <cstddef>
#include <optional>
#include <string_view>
#include <vector>

namespace hetsim::scenarios {

/// One `workers.heterogeneity` level spread evenly between multiplier 1 (the fastest worker)
/// and `ratio` (the slowest).
struct HeterogeneityPreset {
    std::string_view name;
    double ratio;  ///< slowest / fastest step time
};

/// The multiplier presets, mildest first. Liu et al. 2024 (Asynchronous Local-SGD) compare
/// "no", "slight", "moderate" and "very" heterogeneous workers; hetsim fixes each level as a
/// slowest/fastest ratio of 1, 1.5, 3 and 10 (see docs/scenarios.md).
inline constexpr std::array<HeterogeneityPreset, 4> kHeterogeneityPresets{{
    {"none", 1.0},
    {"slight", 1.5},
    {"moderate", 3.0},
    {"very", 10.0},
}};

/// The preset that sets step times instead of multipliers: the four workers of the public
/// asynchronous DiLoCo toy example.
inline constexpr std::string_view kAsyncDilocoToy = "asyncdiloco-toy";

/// Every accepted `workers.heterogeneity` value, in the order the docs list them.
inline constexpr std::array<std::string_view, 5> kHeterogeneityNames{
    "none", "slight", "moderate", "very", kAsyncDilocoToy};

/// The multiplier preset called `name`, or nullopt (also for "asyncdiloco-toy").
std::optional<HeterogeneityPreset> find_heterogeneity_preset(std::string_view name);

/// Worker w's multiplier among `count`: 1 + (ratio - 1) x w / (count - 1), evenly spaced from
/// 1 (worker 0, the fastest) to `ratio` (worker count - 1); 1 for a single worker.
std::vector<double> preset_multipliers(const HeterogeneityPreset& preset, std::size_t count);

/// "asyncdiloco-toy": 0.58, 0.75, 1.51 and 3.33 s per step (4 workers, multipliers 1).
std::vector<sim::Time> asyncdiloco_toy_step_times();

}  // namespace hetsim::scenarios
