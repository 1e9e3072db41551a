#include "scenarios/sections.hpp"

#include <fmt/format.h>

#include <array>
#include <cmath>

namespace hetsim::scenarios::detail {
namespace {

using Kind = sim::Distribution::Kind;

constexpr std::array<std::string_view, 5> kKinds{"constant", "uniform", "normal", "lognormal",
                                                 "exponential"};
constexpr std::array<Kind, 5> kKindValues{Kind::constant, Kind::uniform, Kind::normal,
                                          Kind::lognormal, Kind::exponential};

// Reads one parameter that is a value of the distribution (a factor, or a duration in
// seconds); `positive` selects > 0 over >= 0.
double read_value(TableReader& table, std::string_view name, DistributionUnit unit, bool positive) {
    if (unit == DistributionUnit::factor) {
        const NumberRange range = positive ? NumberRange::positive() : NumberRange::at_least(0);
        if (auto v = table.number(name, range)) return *v;
        table.missing(name, range.describe());
    }
    const TimeRange range = positive ? TimeRange::positive() : TimeRange::non_negative();
    if (auto t = table.duration(name, range)) return seconds(*t);
    table.missing(name, positive ? "a duration > 0" : "a duration >= 0");
}

// A shape parameter that is a plain number whatever the unit (lognormal mu and sigma).
double read_shape(TableReader& table, std::string_view name, NumberRange range) {
    if (auto v = table.number(name, range)) return *v;
    table.missing(name, range.describe());
}

std::string format_value(double v, DistributionUnit unit) {
    if (unit == DistributionUnit::factor) return fmt::format("{:g}", v);
    return sim::format_duration(sim::Time{std::llround(v * 1e9)});
}

sim::Distribution read_uniform(TableReader& table, DistributionUnit unit) {
    const double low = read_value(table, "low", unit, true);
    const double high = read_value(table, "high", unit, true);
    if (high < low) {
        fail(*table.get("high"), table.key_path("high"),
             fmt::format("a value >= low ({})", format_value(low, unit)));
    }
    return {Kind::uniform, low, high};
}

sim::Distribution read_lognormal(TableReader& table, DistributionUnit unit) {
    // For durations the location is written as the median ("5m") rather than a log-seconds mu.
    double mu = 0;
    if (unit == DistributionUnit::factor)
        mu = read_shape(table, "mu", NumberRange::any());
    else
        mu = std::log(read_value(table, "median", unit, true));
    const double sigma = read_shape(table, "sigma", NumberRange::at_least(0));
    return {Kind::lognormal, mu, sigma};
}

}  // namespace

// Division is correctly rounded, so whole seconds stay whole; sim::to_seconds multiplies by
// 1e-9 and gives 30.000000000000004 for 30 s.
double seconds(sim::Time t) { return static_cast<double>(t.count()) / 1e9; }

sim::Distribution read_distribution(TableReader table, DistributionUnit unit) {
    const auto index = table.choice("dist", kKinds);
    if (!index) {
        table.missing("dist", R"(the distribution's name, one of "constant", "uniform", )"
                              R"("normal", "lognormal", "exponential")");
    }
    sim::Distribution d;
    switch (kKindValues[*index]) {
    case Kind::constant:
        d = sim::Distribution::constant(read_value(table, "value", unit, true));
        break;
    case Kind::uniform: d = read_uniform(table, unit); break;
    case Kind::normal: {
        const double mean = read_value(table, "mean", unit, true);
        d = {Kind::normal, mean, read_value(table, "stddev", unit, false)};
        break;
    }
    case Kind::lognormal: d = read_lognormal(table, unit); break;
    case Kind::exponential:
        d = {Kind::exponential, read_value(table, "mean", unit, true), 0.0};
        break;
    }
    table.finish();
    return d;
}

}  // namespace hetsim::scenarios::detail
