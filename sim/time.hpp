#pragma once
// Virtual time and rates. Time is an integer count of nanoseconds, never a double, so that
// every run is exact and reproducible.

#include <chrono>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>

namespace hetsim::sim {

/// Virtual time and durations, in integer nanoseconds.
using Time = std::chrono::duration<std::int64_t, std::nano>;

/// The largest representable time; used as "never".
inline constexpr Time kNever = Time::max();

/// A link rate in bits per second. kUnlimited means transfers take no serialisation time.
struct Bandwidth {
    /// Bits per second; 0 is not allowed, kUnlimitedBps means "infinitely fast".
    double bits_per_second = kUnlimitedBps;

    static constexpr double kUnlimitedBps = std::numeric_limits<double>::infinity();
    bool unlimited() const { return bits_per_second == kUnlimitedBps; }
    friend bool operator==(const Bandwidth&, const Bandwidth&) = default;
};

/// Parses "50ms", "1.5s", "2h", "3d", "250us", "10ns", "1m" (minutes), or a bare "0".
/// Units: ns, us, ms, s, m/min, h, d. Rounds to the nearest nanosecond. Throws hetsim::Error
/// with a readable message on a bad string, a negative value or an overflow.
Time parse_duration(std::string_view text);

/// Formats a duration with the largest unit that divides it exactly, e.g. "1500ms", "50ms",
/// "2h". parse_duration(format_duration(t)) == t for every t >= 0.
std::string format_duration(Time t);

/// Formats t as seconds with nine decimals, "12.500000000": exact, for CSV files.
std::string format_seconds(Time t);

/// t in seconds as a double (for summaries and plots only, never for simulation).
double to_seconds(Time t);

/// Parses rates: bits ("100Mbps", "1Gbps", "56kbps", "800bps") or bytes ("1GB/s", "10MB/s",
/// "1KiB/s", "2GiB/s"), or "inf"/"unlimited". Decimal prefixes k, M, G, T are powers of 1000;
/// Ki, Mi, Gi, Ti powers of 1024. Throws hetsim::Error on a bad string, a rate <= 0 or one too
/// large to be finite.
Bandwidth parse_bandwidth(std::string_view text);

/// Formats a rate in bits per second with a decimal prefix, e.g. "100Mbps"; "unlimited".
std::string format_bandwidth(Bandwidth b);

/// Parses a whole byte count: "4MB", "1.5GiB", "100000" (plain bytes), "512B". Throws on bad
/// input, including fractions of a byte.
std::int64_t parse_bytes(std::string_view text);

/// Formats a byte count with a binary prefix when exact, e.g. "4MiB"; otherwise plain bytes.
std::string format_bytes(std::int64_t bytes);

/// The time to serialise `bytes` (>= 0) over `bandwidth`, rounded up to whole nanoseconds.
Time serialisation_time(std::int64_t bytes, Bandwidth bandwidth);

/// Multiplies a non-negative duration by a non-negative factor, rounding to the nearest
/// nanosecond; throws on overflow.
Time scale(Time t, double factor);

}  // namespace hetsim::sim
