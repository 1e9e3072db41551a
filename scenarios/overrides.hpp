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

}  // namespace hetsim::scenarios::detail
