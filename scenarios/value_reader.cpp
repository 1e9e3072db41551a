#include "scenarios/value_reader.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <vector>

namespace hetsim::scenarios::detail {
namespace {

constexpr std::size_t kMaxQuotedChars = 60;

std::string format_float(double v) {
    if (std::isnan(v)) return "nan";
    if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
    std::string s = fmt::format("{}", v);
    if (s.find_first_of(".e") == std::string::npos) s += ".0";
    return s;
}

std::string quote(std::string_view s) {
    std::string out = "\"";
    for (std::size_t i = 0; i < s.size() && i < kMaxQuotedChars; ++i) {
        const char c = s[i];
        if (c == '"' || c == '\\') out += '\\';
        if (std::iscntrl(static_cast<unsigned char>(c)))
            out += fmt::format("\\x{:02x}", static_cast<unsigned char>(c));
        else
            out += c;
    }
    if (s.size() > kMaxQuotedChars) out += "...";
    return out + "\"";
}

// The reason part of a parse error from sim/time.cpp ("bad duration \"x\": <reason>"), or ""
// when it only repeats what `expected` already says.
std::string parse_reason(const Error& error, std::string_view text) {
    std::string_view message = error.what();
    const std::size_t at = message.find(fmt::format("\"{}\": ", text));
    if (at != std::string_view::npos) message.remove_prefix(at + text.size() + 4);
    if (message.starts_with("expected")) return "";
    return std::string(message);
}

// Optimal string alignment distance (Levenshtein plus adjacent transpositions), case-blind.
std::size_t edit_distance(std::string_view a, std::string_view b) {
    const auto lower = [](char c) { return std::tolower(static_cast<unsigned char>(c)); };
    std::vector<std::vector<std::size_t>> d(a.size() + 1, std::vector<std::size_t>(b.size() + 1));
    for (std::size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
    for (std::size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
        for (std::size_t j = 1; j <= b.size(); ++j) {
            const std::size_t cost = lower(a[i - 1]) == lower(b[j - 1]) ? 0 : 1;
            d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
            if (i > 1 && j > 1 && lower(a[i - 1]) == lower(b[j - 2]) &&
                lower(a[i - 2]) == lower(b[j - 1]))
                d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
        }
    }
    return d[a.size()][b.size()];
}

}  // namespace

std::string IntRange::describe() const {
    if (max == std::numeric_limits<std::int64_t>::max())
        return min == std::numeric_limits<std::int64_t>::min()
                   ? "an integer"
                   : fmt::format("an integer >= {}", min);
    return fmt::format("an integer in {}..{}", min, max);
}

bool NumberRange::contains(double v) const {
    if (!std::isfinite(v)) return false;
    const bool above = min_open ? v > min : v >= min;
    const bool below = max_open ? v < max : v <= max;
    return above && below;
}

std::string NumberRange::describe() const {
    const bool bounded_below = std::isfinite(min);
    const bool bounded_above = std::isfinite(max);
    if (bounded_below && bounded_above)
        return fmt::format("a number in {}{:g}, {:g}{}", min_open ? "(" : "[", min, max,
                           max_open ? ")" : "]");
    if (bounded_below) return fmt::format("a number {} {:g}", min_open ? ">" : ">=", min);
    if (bounded_above) return fmt::format("a number {} {:g}", max_open ? "<" : "<=", max);
    return "a finite number";
}

SourcePosition position_of(const toml::source_region& region) {
    return SourcePosition{region.path ? *region.path : std::string(),
                          static_cast<int>(region.begin.line),
                          static_cast<int>(region.begin.column)};
}

std::string describe(const toml::node& node) {
    switch (node.type()) {
    case toml::node_type::string: return "string " + quote(**node.as_string());
    case toml::node_type::integer: return fmt::format("integer {}", **node.as_integer());
    case toml::node_type::floating_point:
        return "float " + format_float(**node.as_floating_point());
    case toml::node_type::boolean: return **node.as_boolean() ? "boolean true" : "boolean false";
    case toml::node_type::table: return "a table";
    case toml::node_type::array: {
        const std::size_t n = node.as_array()->size();
        return n == 0 ? "an empty list" : fmt::format("a list of {} value{}", n, n == 1 ? "" : "s");
    }
    case toml::node_type::date: return "a date";
    case toml::node_type::time: return "a time of day";
    case toml::node_type::date_time: return "a date-time";
    case toml::node_type::none: break;
    }
    return "nothing";
}

void fail(const toml::node& node, const std::string& key, std::string expected) {
    fail(node, key, std::move(expected), describe(node));
}

void fail(const toml::node& node, const std::string& key, std::string expected, std::string found) {
    throw ScenarioError(position_of(node.source()), key, std::move(expected), std::move(found));
}

std::string closest_match(std::string_view word, std::span<const std::string> candidates) {
    // Allow about one typo per three letters, at most three: "step_tme" -> "step_time".
    const std::size_t allowed = std::clamp<std::size_t>(word.size() / 3, 1, 3);
    std::string best;
    std::size_t best_distance = allowed + 1;
    for (const auto& candidate : candidates) {
        const std::size_t d = edit_distance(word, candidate);
        if (d < best_distance) best = candidate, best_distance = d;
    }
    return best;
}

std::int64_t to_integer(const toml::node& node, const std::string& key, IntRange range) {
    const auto* v = node.as_integer();
    if (v == nullptr) fail(node, key, range.describe());
    if (**v < range.min || **v > range.max) fail(node, key, range.describe());
    return **v;
}

double to_number(const toml::node& node, const std::string& key, NumberRange range) {
    double v = 0;
    if (const auto* i = node.as_integer())
        v = static_cast<double>(**i);
    else if (const auto* f = node.as_floating_point())
        v = **f;
    else
        fail(node, key, range.describe());
    if (!range.contains(v)) fail(node, key, range.describe());
    return v;
}

std::string to_string(const toml::node& node, const std::string& key) {
    const auto* v = node.as_string();
    if (v == nullptr) fail(node, key, "a string");
    return **v;
}

bool to_boolean(const toml::node& node, const std::string& key) {
    const auto* v = node.as_boolean();
    if (v == nullptr) fail(node, key, "true or false");
    return **v;
}

sim::Time to_duration(const toml::node& node, const std::string& key, TimeRange range) {
    const std::string kind = R"(a duration with a unit like "50ms")";
    sim::Time t{0};
    if (const auto* i = node.as_integer(); i != nullptr && **i == 0) {
        t = sim::Time{0};
    } else if (const auto* s = node.as_string()) {
        try {
            t = sim::parse_duration(**s);
        } catch (const Error& e) {
            const std::string reason = parse_reason(e, **s);
            fail(node, key, kind, describe(node) + (reason.empty() ? "" : ": " + reason));
        }
    } else {
        fail(node, key, kind);
    }
    if (range.min_open ? t <= range.min : t < range.min)
        fail(node, key,
             fmt::format("a duration {} {}", range.min_open ? ">" : ">=",
                         range.min == sim::Time{0} ? "0" : sim::format_duration(range.min)));
    return t;
}

sim::Bandwidth to_bandwidth(const toml::node& node, const std::string& key) {
    const std::string kind = R"(a rate with a unit like "100Mbps" or "1GB/s", or "unlimited")";
    const auto* s = node.as_string();
    if (s == nullptr) fail(node, key, kind);
    try {
        return sim::parse_bandwidth(**s);
    } catch (const Error& e) {
        const std::string reason = parse_reason(e, **s);
        fail(node, key, kind, describe(node) + (reason.empty() ? "" : ": " + reason));
    }
}

std::int64_t to_bytes(const toml::node& node, const std::string& key) {
    const std::string kind = R"(a size like "4MB" or a number of bytes >= 0)";
    if (const auto* i = node.as_integer()) {
        if (**i < 0) fail(node, key, kind);
        return **i;
    }
    const auto* s = node.as_string();
    if (s == nullptr) fail(node, key, kind);
    try {
        return sim::parse_bytes(**s);
    } catch (const Error& e) {
        const std::string reason = parse_reason(e, **s);
        fail(node, key, kind, describe(node) + (reason.empty() ? "" : ": " + reason));
    }
}

std::size_t to_choice(const toml::node& node, const std::string& key,
                      std::span<const std::string_view> choices) {
    std::string expected = "one of ";
    std::vector<std::string> names;
    for (const auto choice : choices) {
        expected += (names.empty() ? "" : ", ") + quote(choice);
        names.emplace_back(choice);
    }
    const auto* s = node.as_string();
    if (s == nullptr) fail(node, key, expected);
    const auto it = std::find(names.begin(), names.end(), **s);
    if (it != names.end()) return static_cast<std::size_t>(it - names.begin());
    const std::string suggestion = closest_match(**s, names);
    if (!suggestion.empty()) expected += fmt::format(" (did you mean {}?)", quote(suggestion));
    fail(node, key, expected);
}

}  // namespace hetsim::scenarios::detail
