#include "scenarios/step_time.hpp"

#include "sim/error.hpp"

#include <fmt/format.h>

#include <array>
#include <cctype>
#include <charconv>
#include <cmath>

namespace hetsim::scenarios {
namespace {

struct Prefix {
    std::string_view name;
    double factor;
};

constexpr std::array<Prefix, 7> kPrefixes{
    {{"", 1.0}, {"k", 1e3}, {"M", 1e6}, {"G", 1e9}, {"T", 1e12}, {"P", 1e15}, {"E", 1e18}}};

constexpr std::string_view kUnit = "FLOP/s";

// The largest duration a Time holds, in seconds (about 292 years).
constexpr double kMaxSeconds = 9.2e9;

sim::Time seconds_to_time(double s, std::string_view what) {
    HETSIM_CHECK(std::isfinite(s) && s > 0 && s < kMaxSeconds,
                 "{}: a step time of {:g} s is not a duration > 0 and below about 292 years",
                 what, s);
    const auto ns = std::llround(s * 1e9);
    HETSIM_CHECK(ns > 0, "{}: a step time of {:g} s rounds to 0 ns", what, s);
    return sim::Time{ns};
}

}  // namespace

const char* to_string(StepTimeKind kind) {
    switch (kind) {
    case StepTimeKind::duration: return "duration";
    case StepTimeKind::flops: return "flops";
    case StepTimeKind::measure: return "measure";
    }
    return "?";
}

double parse_flop_rate(std::string_view text) {
    std::string_view s = text;
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
    // Only plain non-negative decimals: "inf", "nan", hex and signs never parse by accident.
    std::size_t i = 0;
    while (i < s.size() && (std::isdigit(static_cast<unsigned char>(s[i])) || s[i] == '.')) ++i;
    const auto digit = [&](std::size_t j) {
        return j < s.size() && std::isdigit(static_cast<unsigned char>(s[j]));
    };
    if (i > 0 && i < s.size() && (s[i] == 'e' || s[i] == 'E') &&
        (digit(i + 1) || (i + 1 < s.size() && (s[i + 1] == '+' || s[i + 1] == '-')))) {
        ++i;
        if (s[i] == '+' || s[i] == '-') ++i;
        while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i;
    }
    double value = 0;
    const auto [ptr, ec] = std::from_chars(s.data(), s.data() + i, value);
    HETSIM_CHECK(i > 0 && ec == std::errc() && ptr == s.data() + i,
                 "bad compute rate \"{}\": expected a number with a unit, e.g. \"989TFLOP/s\"",
                 text);
    std::string_view suffix = s.substr(i);
    while (!suffix.empty() && suffix.front() == ' ') suffix.remove_prefix(1);
    const Prefix* prefix = nullptr;
    if (suffix.size() >= kUnit.size() && suffix.substr(suffix.size() - kUnit.size()) == kUnit)
        for (const auto& p : kPrefixes)
            if (p.name == suffix.substr(0, suffix.size() - kUnit.size())) prefix = &p;
    HETSIM_CHECK(prefix != nullptr,
                 "bad compute rate \"{}\": unknown unit \"{}\" (use FLOP/s, kFLOP/s, MFLOP/s, "
                 "GFLOP/s, TFLOP/s, PFLOP/s, EFLOP/s)",
                 text, suffix);
    const double rate = value * prefix->factor;
    HETSIM_CHECK(std::isfinite(rate), "bad compute rate \"{}\": too large", text);
    HETSIM_CHECK(rate > 0, "bad compute rate \"{}\": must be greater than zero", text);
    return rate;
}

std::string format_flop_rate(double flop_per_second) {
    for (auto it = kPrefixes.rbegin(); it != kPrefixes.rend(); ++it)
        if (flop_per_second >= it->factor)
            return fmt::format("{:g}{}{}", flop_per_second / it->factor, it->name, kUnit);
    return fmt::format("{:g}{}", flop_per_second, kUnit);
}

double flops_per_step(double flops_per_example, int batch_size) {
    return flops_per_example * static_cast<double>(batch_size);
}

sim::Time flops_step_time(double flops_per_step, const StepTimeSource& source) {
    HETSIM_ASSERT(source.kind == StepTimeKind::flops, "flops_step_time on a {} source",
                  to_string(source.kind));
    return seconds_to_time(flops_per_step / (source.device_flops * source.mfu * source.speed),
                           "workers.device_flops");
}

sim::Time scale_by_speed(sim::Time base, double speed) {
    // In nanoseconds rather than seconds, so that "100ms" / 4 is exactly 25ms.
    const double ns = static_cast<double>(base.count()) / speed;
    HETSIM_CHECK(std::isfinite(ns) && ns >= 0.5 && ns < kMaxSeconds * 1e9,
                 "workers.speed: a step time of {:g} ns is not a duration > 0 and below about "
                 "292 years",
                 ns);
    return sim::Time{std::llround(ns)};
}

}  // namespace hetsim::scenarios
