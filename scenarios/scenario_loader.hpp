#pragma once
// Scenario files (TOML) to resolved worlds. Everything a user can get wrong in a file or an
// override throws hetsim::ScenarioError with file:line:column, the key path, what was expected
// and what was found; nothing is simulated before the whole scenario has been validated.

#include "scenarios/scenario.hpp"
#include "sim/error.hpp"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <string>
#include <string_view>

namespace hetsim::scenarios {

/// Reads, overrides, validates and resolves the scenario in `file`. Throws hetsim::ScenarioError
/// (with the path) when the file cannot be read or the scenario is invalid.
Scenario load_scenario(const std::filesystem::path& file, const LoadOptions& options = {});

/// As load_scenario, from TOML text; `source_name` stands for the file in positions and
/// provides the default name (its stem).
Scenario parse_scenario(std::string_view toml_text, const std::string& source_name,
                        const LoadOptions& options = {});

/// The resolved scenario as JSON (for run.json): durations, rates and sizes as strings with
/// units ("1.5s", "100Mbps", "4MiB"), and every worker's resolved values.
nlohmann::json to_json(const Scenario& scenario);

}  // namespace hetsim::scenarios
