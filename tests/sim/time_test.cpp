// Tests for sim/time.hpp: parsing and formatting of durations, rates and sizes, and the exact
// integer arithmetic of serialisation times.

#include "sim/error.hpp"
#include "sim/time.hpp"

#include <doctest/doctest.h>

#include <cstdint>
#include <random>
#include <string>
#include <string_view>
#include <vector>

using hetsim::sim::Bandwidth;
using hetsim::sim::Time;
using namespace std::chrono_literals;

namespace {

constexpr std::int64_t kNsPerSecond = 1'000'000'000;

// The message of the hetsim::Error that `parse` throws for `text`, or "<no error>".
template <typename Parse>
std::string error_of(Parse parse, std::string_view text) {
    try {
        parse(text);
    } catch (const hetsim::Error& e) {
        return e.what();
    }
    return "<no error>";
}

bool contains(const std::string& haystack, std::string_view needle) {
    return haystack.find(needle) != std::string::npos;
}

std::string quoted(std::string_view s) { return "\"" + std::string(s) + "\""; }

}  // namespace

TEST_CASE("parse_duration reads every unit as an exact number of nanoseconds") {
    using hetsim::sim::parse_duration;
    CHECK(parse_duration("10ns").count() == 10);
    CHECK(parse_duration("250us").count() == 250'000);
    CHECK(parse_duration("50ms").count() == 50'000'000);
    CHECK(parse_duration("1.5s").count() == 1'500'000'000);
    CHECK(parse_duration("1m").count() == 60 * kNsPerSecond);
    CHECK(parse_duration("1min").count() == 60 * kNsPerSecond);
    CHECK(parse_duration("2h").count() == 2 * 3600 * kNsPerSecond);
    CHECK(parse_duration("3d").count() == 3 * 86400 * kNsPerSecond);
    CHECK(parse_duration("0").count() == 0);
    CHECK(parse_duration("0s").count() == 0);
    CHECK(parse_duration("0.25h").count() == 900 * kNsPerSecond);
    CHECK(parse_duration("1e3ms").count() == kNsPerSecond);
    // 100 days is still far below 2^53 ns, so a fractional day is exact.
    CHECK(parse_duration("100.5d").count() == 8'683'200 * kNsPerSecond);
    CHECK(parse_duration("4503599627370496ns").count() == 4'503'599'627'370'496);  // 2^52
}

TEST_CASE("parse_duration rounds to the nearest nanosecond") {
    using hetsim::sim::parse_duration;
    SUBCASE("below one half rounds down") {
        CHECK(parse_duration("1.4ns").count() == 1);
        CHECK(parse_duration("0.4ns").count() == 0);
        CHECK(parse_duration("0.0000000014s").count() == 1);
        CHECK(parse_duration("1.0000000004s").count() == kNsPerSecond);
    }
    SUBCASE("above one half rounds up") {
        CHECK(parse_duration("1.6ns").count() == 2);
        CHECK(parse_duration("0.0000000016s").count() == 2);
        CHECK(parse_duration("1.0000000006s").count() == kNsPerSecond + 1);
        CHECK(parse_duration("0.0015us").count() == 2);
    }
    SUBCASE("exact halves round away from zero") {
        CHECK(parse_duration("0.5ns").count() == 1);
        CHECK(parse_duration("1.5ns").count() == 2);
        CHECK(parse_duration("2.5ns").count() == 3);
    }
    SUBCASE("a decimal that is not exact in binary still lands on the intended nanosecond") {
        CHECK(parse_duration("0.1s").count() == 100'000'000);
        CHECK(parse_duration("0.3s").count() == 300'000'000);
        CHECK(parse_duration("1.1ms").count() == 1'100'000);
    }
}

TEST_CASE("parse_duration rejects bad strings with a message naming the string and the problem") {
    const auto parse = [](std::string_view s) { return hetsim::sim::parse_duration(s); };
    struct Bad {
        std::string_view text;
        std::string_view problem;  // a phrase the message must contain
    };
    const std::vector<Bad> cases{
        {"", "expected a non-negative number with a unit"},
        {"5", "unknown unit"},
        {"1.5", "unknown unit"},
        {"-1s", "non-negative"},
        {"10 parsecs", "unknown unit \"parsecs\""},
        {"1e400s", "bad duration"},  // the message's wording is a known issue, see below
        {"1e20s", "too large"},
        {"s", "expected a non-negative number"},
        {"nan s", "expected a non-negative number"},
        {"inf", "expected a non-negative number"},
        {"5 S", "unknown unit \"S\""},
        {"5ms5", "unknown unit"},
    };
    for (const auto& bad : cases) {
        CAPTURE(bad.text);
        const std::string message = error_of(parse, bad.text);
        CHECK(contains(message, quoted(bad.text)));
        CHECK(contains(message, bad.problem));
    }
    // The wrong type would escape a `catch (const hetsim::Error&)` in main as an unknown error.
    CHECK_THROWS_AS(hetsim::sim::parse_duration("5"), hetsim::Error);
    CHECK_THROWS_AS(hetsim::sim::parse_duration("1e400s"), hetsim::Error);
}

TEST_CASE("format_duration picks the largest unit that divides exactly") {
    using hetsim::sim::format_duration;
    CHECK(format_duration(Time{0}) == "0s");
    CHECK(format_duration(Time{1}) == "1ns");
    CHECK(format_duration(Time{1001}) == "1001ns");
    CHECK(format_duration(250us) == "250us");
    CHECK(format_duration(50ms) == "50ms");
    CHECK(format_duration(90s) == "90s");
    CHECK(format_duration(60s) == "1m");
    CHECK(format_duration(2h) == "2h");
    CHECK(format_duration(36h) == "36h");
    CHECK(format_duration(72h) == "3d");
}

TEST_CASE("parse_duration(format_duration(t)) == t") {
    using hetsim::sim::format_duration;
    using hetsim::sim::parse_duration;
    SUBCASE("hand-picked values, including odd nanosecond counts") {
        const std::vector<std::int64_t> values{0,
                                               1,
                                               7,
                                               999,
                                               1000,
                                               1001,
                                               123'456'789,
                                               1'500'000'000,
                                               59'999'999'999,
                                               60 * kNsPerSecond,
                                               86'400 * kNsPerSecond + 1,
                                               (std::int64_t{1} << 53) - 1,
                                               std::int64_t{1} << 53,
                                               9'007'199'254'740'992'000};  // 2^53 us
        for (const std::int64_t ns : values) {
            CAPTURE(ns);
            CHECK(parse_duration(format_duration(Time{ns})).count() == ns);
        }
    }
    SUBCASE("random values up to 2^53 ns (about 104 days)") {
        std::mt19937_64 gen(20240601);
        for (int i = 0; i < 20000; ++i) {
            // Mix magnitudes: a random bit length, then a random value of that length, so that
            // small, odd and round values all occur.
            const int bits = static_cast<int>(gen() % 54);
            const std::int64_t ns =
                static_cast<std::int64_t>(gen() & ((std::uint64_t{1} << bits) - 1));
            // Some values are made round so that the larger units (s, m, h, d) are exercised.
            const std::int64_t round = (i % 3 == 0) ? ns / 1'000'000'000 * 1'000'000'000 : ns;
            CAPTURE(round);
            REQUIRE(parse_duration(format_duration(Time{round})).count() == round);
        }
    }
}

TEST_CASE("format_seconds writes seconds with nine exact decimals") {
    using hetsim::sim::format_seconds;
    CHECK(format_seconds(12500ms) == "12.500000000");
    CHECK(format_seconds(Time{0}) == "0.000000000");
    CHECK(format_seconds(Time{1}) == "0.000000001");
    CHECK(format_seconds(Time{1'000'000'007}) == "1.000000007");
    CHECK(format_seconds(-1500ms) == "-1.500000000");
    CHECK(format_seconds(hetsim::sim::kNever) == "9223372036.854775807");
    CHECK(format_seconds(Time::min()) == "-9223372036.854775808");
}

TEST_CASE("to_seconds converts to a double") {
    CHECK(hetsim::sim::to_seconds(1500ms) == 1.5);
    CHECK(hetsim::sim::to_seconds(Time{0}) == 0.0);
    CHECK(hetsim::sim::to_seconds(2h) == 7200.0);
}

TEST_CASE("parse_bandwidth reads bits and bytes with decimal and binary prefixes") {
    using hetsim::sim::parse_bandwidth;
    SUBCASE("bits per second, decimal prefixes") {
        CHECK(parse_bandwidth("800bps").bits_per_second == 800.0);
        CHECK(parse_bandwidth("56kbps").bits_per_second == 56e3);
        CHECK(parse_bandwidth("56Kbps").bits_per_second == 56e3);
        CHECK(parse_bandwidth("100Mbps").bits_per_second == 1e8);
        CHECK(parse_bandwidth("1Gbps").bits_per_second == 1e9);
        CHECK(parse_bandwidth("2.5Gbps").bits_per_second == 2.5e9);
        CHECK(parse_bandwidth("1Tbps").bits_per_second == 1e12);
    }
    SUBCASE("bits per second, binary prefixes") {
        CHECK(parse_bandwidth("1Kibps").bits_per_second == 1024.0);
        CHECK(parse_bandwidth("1Mibps").bits_per_second == 1048576.0);
        CHECK(parse_bandwidth("1Gibps").bits_per_second == 1073741824.0);
    }
    SUBCASE("bytes per second are eight bits each") {
        CHECK(parse_bandwidth("1B/s").bits_per_second == 8.0);
        CHECK(parse_bandwidth("1GB/s").bits_per_second == 8e9);
        CHECK(parse_bandwidth("10MB/s").bits_per_second == 8e7);
        CHECK(parse_bandwidth("1KB/s").bits_per_second == 8e3);
        CHECK(parse_bandwidth("1KiB/s").bits_per_second == 8192.0);
        CHECK(parse_bandwidth("2GiB/s").bits_per_second == 17179869184.0);
    }
    SUBCASE("unlimited") {
        CHECK(parse_bandwidth("unlimited").unlimited());
        CHECK(parse_bandwidth("inf").unlimited());
        CHECK(parse_bandwidth("unlimited") == Bandwidth{});
        CHECK_FALSE(parse_bandwidth("1Tbps").unlimited());
    }
}

TEST_CASE("parse_bandwidth rejects zero rates and bad units") {
    const auto parse = [](std::string_view s) { return hetsim::sim::parse_bandwidth(s); };
    struct Bad {
        std::string_view text;
        std::string_view problem;
    };
    const std::vector<Bad> cases{
        {"0bps", "greater than zero"},
        {"0Mbps", "greater than zero"},
        {"0GB/s", "greater than zero"},
        {"0.0KiB/s", "greater than zero"},
        {"", "number with a unit"},
        {"100", "unknown unit \"\""},
        {"100Mbit", "unknown unit \"Mbit\""},
        {"100mbps", "unknown unit \"mbps\""},  // milli-bits would be a typo
        {"1Gb/s", "unknown unit \"Gb/s\""},
        {"10 furlongs", "unknown unit \"furlongs\""},
        {"-1Mbps", "number with a unit"},
        {"Mbps", "number with a unit"},
        {"1e400bps", "bad rate"},
        {"infinite", "number with a unit"},
    };
    for (const auto& bad : cases) {
        CAPTURE(bad.text);
        const std::string message = error_of(parse, bad.text);
        CHECK(contains(message, quoted(bad.text)));
        CHECK(contains(message, bad.problem));
    }
}

TEST_CASE("format_bandwidth uses a decimal prefix") {
    using hetsim::sim::format_bandwidth;
    CHECK(format_bandwidth(Bandwidth{}) == "unlimited");
    CHECK(format_bandwidth(Bandwidth{1e8}) == "100Mbps");
    CHECK(format_bandwidth(Bandwidth{8e9}) == "8Gbps");
    CHECK(format_bandwidth(Bandwidth{8192}) == "8.192kbps");
    CHECK(format_bandwidth(Bandwidth{800}) == "800bps");
    CHECK(format_bandwidth(Bandwidth{2.5e12}) == "2.5Tbps");
}

TEST_CASE("parse_bytes reads plain and prefixed byte counts") {
    using hetsim::sim::parse_bytes;
    CHECK(parse_bytes("100000") == 100'000);
    CHECK(parse_bytes("512B") == 512);
    CHECK(parse_bytes("10bytes") == 10);
    CHECK(parse_bytes("4MB") == 4'000'000);
    CHECK(parse_bytes("4 MB") == 4'000'000);
    CHECK(parse_bytes("1kB") == 1000);
    CHECK(parse_bytes("1KB") == 1000);
    CHECK(parse_bytes("2GB") == 2'000'000'000);
    CHECK(parse_bytes("3TB") == 3'000'000'000'000);
    CHECK(parse_bytes("1KiB") == 1024);
    CHECK(parse_bytes("4MiB") == 4'194'304);
    CHECK(parse_bytes("1.5GiB") == 1'610'612'736);
    CHECK(parse_bytes("2TiB") == 2'199'023'255'552);
    CHECK(parse_bytes("0") == 0);

    const auto parse = [](std::string_view s) { return hetsim::sim::parse_bytes(s); };
    for (const std::string_view bad : {"", "MB", "-1B", "4 parsecs", "4Mb", "1e30B", "nan"}) {
        CAPTURE(bad);
        const std::string message = error_of(parse, bad);
        CHECK(contains(message, "bad size " + quoted(bad)));
    }
    CHECK(contains(error_of(parse, "4 parsecs"), "unknown unit \"parsecs\""));
    CHECK(contains(error_of(parse, "1e30B"), "too large"));
}

TEST_CASE("format_bytes uses a binary prefix only when exact, and parses back") {
    using hetsim::sim::format_bytes;
    using hetsim::sim::parse_bytes;
    CHECK(format_bytes(0) == "0B");
    CHECK(format_bytes(1) == "1B");
    CHECK(format_bytes(1000) == "1000B");
    CHECK(format_bytes(1024) == "1KiB");
    CHECK(format_bytes(1536) == "1536B");
    CHECK(format_bytes(4'194'304) == "4MiB");
    CHECK(format_bytes(3 * 1'073'741'824LL) == "3GiB");
    CHECK(format_bytes(2'199'023'255'552) == "2TiB");
    CHECK(format_bytes(2048 * 1'099'511'627'776LL) == "2048TiB");
    for (const std::int64_t n : {0LL, 1LL, 7LL, 1000LL, 1024LL, 1025LL, 1536LL, 4'194'304LL,
                                 123'456'789LL, 1'099'511'627'776LL, (1LL << 53) - 1}) {
        CAPTURE(n);
        CHECK(parse_bytes(format_bytes(n)) == n);
    }
}

TEST_CASE("serialisation_time is exact in integer nanoseconds") {
    using hetsim::sim::parse_bandwidth;
    using hetsim::sim::serialisation_time;
    CHECK(serialisation_time(1'000'000, Bandwidth{8e6}) == 1s);
    CHECK(serialisation_time(1'000'000, parse_bandwidth("1MB/s")) == 1s);
    CHECK(serialisation_time(1'500, parse_bandwidth("100Mbps")).count() == 120'000);
    CHECK(serialisation_time(1, parse_bandwidth("1Gbps")).count() == 8);
    CHECK(serialisation_time(1'073'741'824, parse_bandwidth("1GB/s")).count() == 1'073'741'824);
    CHECK(serialisation_time(1'073'741'824, parse_bandwidth("1GiB/s")) == 1s);
    CHECK(serialisation_time(1'000'000'000'000, Bandwidth{8e6}) == 1'000'000s);
    // 8/3 ns is not a whole number; both nearest and upward rounding give 3.
    CHECK(serialisation_time(1, Bandwidth{3e9}).count() == 3);
    SUBCASE("zero bytes or an unlimited link take no time") {
        CHECK(serialisation_time(0, parse_bandwidth("1Gbps")) == Time{0});
        CHECK(serialisation_time(1'000'000'000, Bandwidth{}) == Time{0});
        CHECK(serialisation_time(1'000'000'000, parse_bandwidth("unlimited")) == Time{0});
    }
    SUBCASE("a transfer longer than virtual time can hold is an error") {
        CHECK_THROWS_AS(serialisation_time(1'000'000'000'000'000'000, Bandwidth{1}), hetsim::Error);
    }
}

TEST_CASE("scale multiplies a duration and rounds to the nearest nanosecond") {
    using hetsim::sim::scale;
    CHECK(scale(1s, 1.5) == 1500ms);
    CHECK(scale(1s, 0.1).count() == 100'000'000);
    CHECK(scale(1h, 1e-9).count() == 3600);
    CHECK(scale(Time{3}, 0.5).count() == 2);  // 1.5 rounds away from zero
    CHECK(scale(Time{3}, 0.4).count() == 1);
    CHECK(scale(Time{0}, 1e6) == Time{0});
    // A factor of 1 must not lose the low bits of a large odd count.
    const Time odd{(std::int64_t{1} << 62) + 1};
    CHECK(scale(odd, 1.0) == odd);
    CHECK_THROWS_AS(scale(hetsim::sim::kNever, 2.0), hetsim::Error);
    CHECK_THROWS_AS(scale(1s, 1e10), hetsim::Error);
}

// ---------------------------------------------------------------------------------------------
// Regression tests for bugs found (and fixed) in sim/time.cpp; each states what the header
// promises and what used to go wrong.
// ---------------------------------------------------------------------------------------------

TEST_CASE("parse_duration(format_duration(t)) == t above 2^53 ns") {
    // Regression: the number used to be parsed into a double first, so nanosecond counts above 2^53 (about 104 days)
    // lose their low bits; format_duration writes such odd values as "...ns".
    using hetsim::sim::format_duration;
    using hetsim::sim::parse_duration;
    for (const std::int64_t ns :
         {(std::int64_t{1} << 53) + 1, std::int64_t{123'456'789'012'345'679},
          std::int64_t{9'000'000'000'000'000'001}}) {
        CAPTURE(ns);
        CHECK(parse_duration(format_duration(Time{ns})).count() == ns);
    }
    // kNever formats as "9223372036854775807ns", which parse_duration rejects as too large.
    CHECK_NOTHROW(parse_duration(format_duration(hetsim::sim::kNever)));
}

TEST_CASE("serialisation_time rounds up to whole nanoseconds") {
    // Regression: the code used to round to nearest, so a 1-byte transfer over a
    // fast link can take 0 ns and a transfer is up to half a nanosecond too short.
    using hetsim::sim::serialisation_time;
    CHECK(serialisation_time(1, Bandwidth{6e9}).count() == 2);         // 1.33 ns
    CHECK(serialisation_time(1, Bandwidth{32e9}).count() == 1);        // 0.25 ns
    CHECK(serialisation_time(1'000, Bandwidth{6e9}).count() == 1334);  // 1333.33 ns
}

TEST_CASE("parse_bandwidth accepts the Ti prefix it documents") {
    // Regression: the header lists "Ki, Mi, Gi, Ti"; the prefix table stopped at Gi.
    CHECK(hetsim::sim::parse_bandwidth("1TiB/s").bits_per_second == 8.0 * 1099511627776.0);
    CHECK(hetsim::sim::parse_bandwidth("1Tibps").bits_per_second == 1099511627776.0);
}

TEST_CASE("a finite but huge rate is rejected, not silently made unlimited") {
    // Regression: 1e300 Tbps overflowed double and became +inf, which is kUnlimitedBps, so the
    // rate was accepted as "unlimited" instead of being rejected.
    const auto parse = [](std::string_view s) { return hetsim::sim::parse_bandwidth(s); };
    CHECK(contains(error_of(parse, "1e300Tbps"), "1e300Tbps"));
}

TEST_CASE("an out-of-range number is reported as too large") {
    // Regression: "1e400s" is a number with a unit, and the message used to say "expected a
    // non-negative number with a unit".
    const auto parse = [](std::string_view s) { return hetsim::sim::parse_duration(s); };
    CHECK(contains(error_of(parse, "1e400s"), "too large"));
}
