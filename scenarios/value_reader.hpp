#pragma once
// Conversions of single TOML values to checked quantities. Each takes the node and its dotted
// key path and throws hetsim::ScenarioError at the node's position when the value is wrong.
// Internal to hetsim::scenarios.

#include "sim/error.hpp"
#include "sim/time.hpp"

#include <toml++/toml.h>

#include <cstdint>
#include <limits>
#include <span>
#include <string>
#include <string_view>

namespace hetsim::scenarios::detail {

/// An inclusive integer range, described as "an integer in 1..1000000" or "an integer >= 0".
struct IntRange {
    std::int64_t min = std::numeric_limits<std::int64_t>::min();
    std::int64_t max = std::numeric_limits<std::int64_t>::max();
    /// "an integer >= 1", "an integer in 0..7".
    std::string describe() const;
};

/// A range of finite reals with open or closed ends.
struct NumberRange {
    double min = -std::numeric_limits<double>::infinity();
    bool min_open = false;
    double max = std::numeric_limits<double>::infinity();
    bool max_open = false;

    /// Any finite number.
    static NumberRange any() { return {}; }
    /// > 0.
    static NumberRange positive() { return {0.0, true}; }
    /// >= low.
    static NumberRange at_least(double low) { return {low, false}; }
    /// [low, high].
    static NumberRange closed(double low, double high) { return {low, false, high, false}; }
    /// Whether `v` is finite and within the range.
    bool contains(double v) const;
    /// "a number > 0", "a number in [0, 1]", "a finite number".
    std::string describe() const;
};

/// A lower bound on durations: "> 0" (open) or ">= 0" (closed).
struct TimeRange {
    sim::Time min{0};
    bool min_open = false;

    /// > 0.
    static TimeRange positive() { return {sim::Time{0}, true}; }
    /// >= 0.
    static TimeRange non_negative() { return {sim::Time{0}, false}; }
};

/// The position of a node in its source (file from toml++'s source path; 0:0 when unknown).
SourcePosition position_of(const toml::source_region& region);

/// The node's type and value for "found ...": `integer 5`, `string "5s"`, `a table`.
std::string describe(const toml::node& node);

/// Throws a ScenarioError at `node`: "key: expected <expected>, found <describe(node)>".
[[noreturn]] void fail(const toml::node& node, const std::string& key, std::string expected);
/// Throws a ScenarioError at `node` with an explicit "found" text.
[[noreturn]] void fail(const toml::node& node, const std::string& key, std::string expected,
                       std::string found);

/// The closest of `candidates` to `word` when it is a plausible typo of it, else "".
std::string closest_match(std::string_view word, std::span<const std::string> candidates);

/// An integer (never a float) within `range`.
std::int64_t to_integer(const toml::node& node, const std::string& key, IntRange range);
/// An integer or float, finite (never NaN or inf), within `range`.
double to_number(const toml::node& node, const std::string& key, NumberRange range);
/// A string.
std::string to_string(const toml::node& node, const std::string& key);
/// true or false.
bool to_boolean(const toml::node& node, const std::string& key);
/// A duration string with a unit ("50ms"), or the integer 0.
sim::Time to_duration(const toml::node& node, const std::string& key, TimeRange range);
/// A rate string ("100Mbps", "1GB/s", "unlimited").
sim::Bandwidth to_bandwidth(const toml::node& node, const std::string& key);
/// A size string ("4MB") or an integer number of bytes, >= 0.
std::int64_t to_bytes(const toml::node& node, const std::string& key);
/// The index in `choices` of the node's string value, with a suggestion when it is a typo.
std::size_t to_choice(const toml::node& node, const std::string& key,
                      std::span<const std::string_view> choices);

}  // namespace hetsim::scenarios::detail
