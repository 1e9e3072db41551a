#pragma once
// The CLI's --set overrides, applied to the parsed TOML before validation. Internal to
// hetsim::scenarios.

#include <toml++/toml.h>

#include <span>
#include <string>

namespace hetsim::scenarios::detail {

/// The source name of values that came from --set, used as the file in error positions.
inline constexpr std::string_view kOverrideSource = "--set";

/// Applies each "key.path=value" in order: the value is parsed as TOML (or taken as a bare
/// string when it is not valid TOML) and inserted at the dotted path, creating tables as
/// needed. Throws hetsim::ScenarioError with file "--set" for a malformed override.
void apply_overrides(toml::table& root, std::span<const std::string> overrides);

/// Merges `overrides` into `root` deeply: a table meets a table key by key, anything else
/// replaces what is there (a list replaces the whole list). Values keep their source positions,
/// so errors point into the text they came from. Used by study variants and sweeps.
void merge_overrides(toml::table& root, toml::table&& overrides);

/// Merges `value` into `root` at the dotted `path` (tables created as needed), as
/// merge_overrides does for one key.
void merge_override(toml::table& root, std::span<const std::string> path, toml::node&& value);

}  // namespace hetsim::scenarios::detail
