#include "sim/time.hpp"

#include "sim/error.hpp"

#include <fmt/format.h>

#include <array>
#include <cctype>
#include <charconv>
#include <cmath>
#include <string>

namespace hetsim::sim {
namespace {

struct Unit {
    std::string_view name;
    long double factor;
};

std::string_view trim(std::string_view s) {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
    return s;
}

enum class NumberStatus { ok, bad, too_large };

// Splits "1.5GB/s" into the number 1.5 and the suffix "GB/s". The number must be a plain
// non-negative decimal (no sign, no hex, no inf/nan) so that typos never parse by accident.
// It is read as a long double, whose 64-bit mantissa holds every int64 nanosecond count.
NumberStatus split_number(std::string_view s, long double& value, std::string_view& suffix) {
    std::size_t i = 0;
    bool digits = false;
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i, digits = true;
    if (i < s.size() && s[i] == '.') {
        ++i;
        while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i, digits = true;
    }
    if (i < s.size() && (s[i] == 'e' || s[i] == 'E') && digits) {
        std::size_t j = i + 1;
        if (j < s.size() && (s[j] == '+' || s[j] == '-')) ++j;
        if (j < s.size() && std::isdigit(static_cast<unsigned char>(s[j]))) {
            while (j < s.size() && std::isdigit(static_cast<unsigned char>(s[j]))) ++j;
            i = j;
        }
    }
    if (!digits) return NumberStatus::bad;
    long double parsed = 0;
    auto [ptr, ec] = std::from_chars(s.data(), s.data() + i, parsed);
    if (ec == std::errc::result_out_of_range) return NumberStatus::too_large;
    if (ec != std::errc() || ptr != s.data() + i) return NumberStatus::bad;
    value = parsed;
    suffix = trim(s.substr(i));
    return NumberStatus::ok;
}

// The largest count of nanoseconds or bytes an int64 holds, as a long double (exact).
constexpr long double kMaxCount = 9223372036854775807.0L;

// Parses the number part of `text`, throwing "bad <what> ..." or "... too large" errors.
void read_number(std::string_view text, std::string_view what, std::string_view example,
                 long double& value, std::string_view& suffix) {
    const NumberStatus status = split_number(trim(text), value, suffix);
    HETSIM_CHECK(status != NumberStatus::too_large, "bad {} \"{}\": too large", what, text);
    HETSIM_CHECK(status == NumberStatus::ok,
                 "bad {} \"{}\": expected a non-negative number with a unit, e.g. {}", what, text,
                 example);
}

template <std::size_t N>
const Unit* find_unit(const std::array<Unit, N>& units, std::string_view name) {
    for (const auto& u : units)
        if (u.name == name) return &u;
    return nullptr;
}

constexpr std::array<Unit, 8> kTimeUnits{{{"ns", 1.0L},
                                          {"us", 1e3L},
                                          {"ms", 1e6L},
                                          {"s", 1e9L},
                                          {"m", 60e9L},
                                          {"min", 60e9L},
                                          {"h", 3600e9L},
                                          {"d", 86400e9L}}};

constexpr std::array<Unit, 15> kByteUnits{{{"B", 1.0L},
                                           {"kB", 1e3L},
                                           {"KB", 1e3L},
                                           {"MB", 1e6L},
                                           {"GB", 1e9L},
                                           {"TB", 1e12L},
                                           {"KiB", 1024.0L},
                                           {"MiB", 1048576.0L},
                                           {"GiB", 1073741824.0L},
                                           {"TiB", 1099511627776.0L},
                                           {"", 1.0L},
                                           {"bytes", 1.0L},
                                           {"k", 1e3L},
                                           {"M", 1e6L},
                                           {"G", 1e9L}}};

constexpr std::array<Unit, 10> kPrefixes{{{"", 1.0L},
                                         {"k", 1e3L},
                                         {"K", 1e3L},
                                         {"M", 1e6L},
                                         {"G", 1e9L},
                                         {"T", 1e12L},
                                         {"Ki", 1024.0L},
                                         {"Mi", 1048576.0L},
                                         {"Gi", 1073741824.0L},
                                         {"Ti", 1099511627776.0L}}};

}  // namespace

Time parse_duration(std::string_view text) {
    long double value = 0;
    std::string_view suffix;
    read_number(text, "duration", "\"50ms\", \"1.5s\", \"2h\"", value, suffix);
    if (suffix.empty() && value == 0) return Time{0};
    const Unit* unit = find_unit(kTimeUnits, suffix);
    HETSIM_CHECK(unit != nullptr,
                 "bad duration \"{}\": unknown unit \"{}\" (use ns, us, ms, s, m, h or d)", text,
                 suffix);
    const long double ns = value * unit->factor;
    HETSIM_CHECK(ns <= kMaxCount, "bad duration \"{}\": too large (at most about 292 years)", text);
    return Time{std::llroundl(ns)};
}

std::string format_duration(Time t) {
    const std::int64_t ns = t.count();
    if (ns == 0) return "0s";
    // Largest unit that divides exactly, so that the text parses back to the same value.
    constexpr std::array<Unit, 7> kOrder{{{"d", 86400e9L},
                                          {"h", 3600e9L},
                                          {"m", 60e9L},
                                          {"s", 1e9L},
                                          {"ms", 1e6L},
                                          {"us", 1e3L},
                                          {"ns", 1.0L}}};
    for (const auto& u : kOrder) {
        const auto f = static_cast<std::int64_t>(u.factor);
        if (ns % f == 0) return fmt::format("{}{}", ns / f, u.name);
    }
    return fmt::format("{}ns", ns);
}

std::string format_seconds(Time t) {
    const std::int64_t ns = t.count();
    const char* sign = ns < 0 ? "-" : "";
    const std::uint64_t a = ns < 0 ? 0 - static_cast<std::uint64_t>(ns) : static_cast<std::uint64_t>(ns);
    return fmt::format("{}{}.{:09d}", sign, a / 1000000000ULL, a % 1000000000ULL);
}

double to_seconds(Time t) { return static_cast<double>(t.count()) * 1e-9; }

Bandwidth parse_bandwidth(std::string_view text) {
    const std::string_view s = trim(text);
    if (s == "inf" || s == "unlimited") return Bandwidth{};
    long double value = 0;
    std::string_view suffix;
    read_number(text, "rate", "\"100Mbps\", \"1GB/s\", or \"unlimited\"", value, suffix);
    long double bits_per_unit = 0;
    std::string_view prefix;
    if (suffix.size() >= 3 && suffix.substr(suffix.size() - 3) == "bps") {
        bits_per_unit = 1;
        prefix = suffix.substr(0, suffix.size() - 3);
    } else if (suffix.size() >= 3 && suffix.substr(suffix.size() - 3) == "B/s") {
        bits_per_unit = 8;
        prefix = suffix.substr(0, suffix.size() - 3);
    }
    const Unit* p = bits_per_unit > 0 ? find_unit(kPrefixes, prefix) : nullptr;
    HETSIM_CHECK(p != nullptr,
                 "bad rate \"{}\": unknown unit \"{}\" (use bps, kbps, Mbps, Gbps, Tbps, B/s, "
                 "KB/s, MB/s, GB/s, TB/s, KiB/s, MiB/s, GiB/s, TiB/s)",
                 text, suffix);
    const long double bps = value * p->factor * bits_per_unit;
    HETSIM_CHECK(bps > 0, "bad rate \"{}\": must be greater than zero", text);
    // A finite rate must stay finite: infinity is how "unlimited" is spelled.
    HETSIM_CHECK(bps < 1e30L, "bad rate \"{}\": too large (write \"unlimited\")", text);
    return Bandwidth{static_cast<double>(bps)};
}

std::string format_bandwidth(Bandwidth b) {
    if (b.unlimited()) return "unlimited";
    constexpr std::array<Unit, 5> kOrder{
        {{"T", 1e12L}, {"G", 1e9L}, {"M", 1e6L}, {"k", 1e3L}, {"", 1.0L}}};
    for (const auto& u : kOrder)
        if (b.bits_per_second >= static_cast<double>(u.factor))
            return fmt::format("{:g}{}bps", b.bits_per_second / static_cast<double>(u.factor),
                               u.name);
    return fmt::format("{:g}bps", b.bits_per_second);
}

std::int64_t parse_bytes(std::string_view text) {
    long double value = 0;
    std::string_view suffix;
    read_number(text, "size", "\"4MB\", \"1.5GiB\"", value, suffix);
    const Unit* unit = find_unit(kByteUnits, suffix);
    HETSIM_CHECK(unit != nullptr,
                 "bad size \"{}\": unknown unit \"{}\" (use B, kB, MB, GB, TB, KiB, MiB, GiB, TiB)",
                 text, suffix);
    const long double bytes = value * unit->factor;
    HETSIM_CHECK(bytes <= kMaxCount, "bad size \"{}\": too large", text);
    HETSIM_CHECK(bytes == std::floor(bytes), "bad size \"{}\": not a whole number of bytes", text);
    return std::llroundl(bytes);
}

std::string format_bytes(std::int64_t bytes) {
    constexpr std::array<Unit, 4> kOrder{
        {{"TiB", 1099511627776.0L}, {"GiB", 1073741824.0L}, {"MiB", 1048576.0L}, {"KiB", 1024.0L}}};
    for (const auto& u : kOrder) {
        const auto f = static_cast<std::int64_t>(u.factor);
        if (bytes != 0 && bytes % f == 0) return fmt::format("{}{}", bytes / f, u.name);
    }
    return fmt::format("{}B", bytes);
}

Time serialisation_time(std::int64_t bytes, Bandwidth bandwidth) {
    HETSIM_ASSERT(bytes >= 0, "negative transfer size {}", bytes);
    if (bandwidth.unlimited() || bytes == 0) return Time{0};
    // Rounded up: a transfer of at least one byte always takes time.
    const long double ns =
        std::ceil(static_cast<long double>(bytes) * 8e9L / bandwidth.bits_per_second);
    HETSIM_CHECK(ns <= kMaxCount, "transfer of {} bytes at {} overflows virtual time", bytes,
                 format_bandwidth(bandwidth));
    return Time{static_cast<std::int64_t>(ns)};
}

Time scale(Time t, double factor) {
    HETSIM_ASSERT(factor >= 0 && t.count() >= 0, "scale({}, {}): negative", t.count(), factor);
    const long double ns = static_cast<long double>(t.count()) * factor;
    HETSIM_CHECK(ns <= kMaxCount, "duration {} x {} overflows virtual time", format_duration(t),
                 factor);
    return Time{std::llroundl(ns)};
}

}  // namespace hetsim::sim
