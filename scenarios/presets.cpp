#include "scenarios/presets.hpp"

namespace hetsim::scenarios {

std::optional<HeterogeneityPreset> find_heterogeneity_preset(std::string_view name) {
    for (const auto& p : kHeterogeneityPresets)
        if (p.name == name) return p;
    return std::nullopt;
}

std::vector<double> preset_multipliers(const HeterogeneityPreset& preset, std::size_t count) {
    std::vector<double> m(count, 1.0);
    if (count < 2) return m;
    // Evenly spaced rather than drawn: a preset must mean the same speeds for every seed, and
    // the fastest/slowest ratio is then exactly `ratio` at every world size.
    const double last = static_cast<double>(count - 1);
    for (std::size_t w = 0; w < count; ++w)
        m[w] = 1.0 + (preset.ratio - 1.0) * static_cast<double>(w) / last;
    return m;
}

std::vector<sim::Time> asyncdiloco_toy_step_times() {
    using std::chrono::milliseconds;
    return {milliseconds(580), milliseconds(750), milliseconds(1510), milliseconds(3330)};
}

}  // namespace hetsim::scenarios
