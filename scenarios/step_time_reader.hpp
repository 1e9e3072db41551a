#pragma once
// Reading the step-time keys of [workers] and of a [[workers.group]]: `step_time` (a duration
// or "measure"), `device_flops` and `mfu`. Internal to hetsim::scenarios.

#include "scenarios/step_time.hpp"
#include "scenarios/table_reader.hpp"

#include <optional>
#include <string>

namespace hetsim::scenarios::detail {

/// What one table says about the base step time; nothing set when it says nothing.
struct StepTimeSetting {
    std::optional<sim::Time> duration;   ///< step_time = "<duration>"
    bool measure = false;                ///< step_time = "measure"
    std::optional<double> device_flops;  ///< FLOP/s
    std::optional<double> mfu;           ///< in (0, 1]
    const toml::node* node = nullptr;    ///< the step_time or device_flops value, for errors
    const toml::node* mfu_node = nullptr;  ///< the mfu value, for errors
    std::string key;                     ///< its key path

    /// Whether the table sets a source (an `mfu` alone does not).
    bool given() const { return duration || measure || device_flops; }
};

/// Reads `step_time`, `device_flops` and `mfu` of `table`; `step_time` and `device_flops`
/// together are an error.
StepTimeSetting read_step_time_setting(TableReader& table);

/// Checks that a setting resolved by the engine (measure, FLOPs) has a model to work on.
void check_model_for(const StepTimeSetting& setting, const std::string& model_kind);

/// The source a setting gives, with the `mfu` taken from `fallback_mfu` when the setting has
/// none (a group under [workers] device_flops/mfu). `table` positions a missing mfu.
StepTimeSource to_source(const StepTimeSetting& setting, std::optional<double> fallback_mfu,
                         const TableReader& table);

}  // namespace hetsim::scenarios::detail
