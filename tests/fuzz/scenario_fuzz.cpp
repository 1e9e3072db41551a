// libFuzzer entry point over everything a user can feed hetsim as text: scenario files and the
// three trace formats. The first byte picks the reader; the rest is the file. Every input must
// either load or throw a hetsim::Error with a message; anything else (a crash, a sanitizer
// report, an InvariantError, another exception type, a hang, a leak) is a bug.
#include "scenarios/scenario_loader.hpp"
#include "scenarios/trace_reader.hpp"
#include "sim/error.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

namespace {

namespace sc = hetsim::scenarios;

// Scenario inputs are named as if they sat in scenarios/, so that the example scenarios of
// the seed corpus reach their trace files (traces/...).
const std::string kScenarioSource = std::string(HETSIM_SOURCE_DIR) + "/scenarios/fuzz.toml";

// Worlds up to workers.count = 1,000,000 are valid; serialising one takes seconds under the
// sanitizers, which libFuzzer would report as a hang. Loading them is still fuzzed.
constexpr std::size_t kMaxWorkersToSerialise = 10'000;

void scenario(std::string_view text) {
    const sc::Scenario s = sc::parse_scenario(text, kScenarioSource);
    if (s.world.workers.size() <= kMaxWorkersToSerialise) (void)sc::to_json(s).dump();
}

// Each trace is parsed, then converted for a small world so that the conversions see every
// shape the parser accepts.
void devices(std::string_view text) {
    const sc::DeviceTrace trace = sc::parse_device_trace(text, "fuzz.csv");
    for (const std::size_t count : {std::size_t{1}, std::size_t{5}, trace.devices.size() + 1}) {
        for (const auto sampling : {sc::DeviceSampling::random, sc::DeviceSampling::in_order}) {
            for (const std::size_t d : sc::sample_devices(trace, count, 7, sampling)) {
                if (d >= trace.devices.size()) std::abort();
                (void)sc::device_step_time(trace, d, 16);
                (void)sc::device_bandwidth(trace.devices[d]);
            }
        }
    }
}

void availability(std::string_view text) {
    const sc::AvailabilityTrace trace = sc::parse_availability_trace(text, "fuzz.csv");
    std::vector<std::string> ids;
    for (const auto& interval : trace.intervals) ids.push_back(interval.id);
    (void)sc::availability_events(trace, ids.size(), ids);
}

void speed(std::string_view text) {
    const sc::SpeedTrace trace = sc::parse_speed_trace(text, "fuzz.csv");
    (void)sc::speed_events(trace, 8);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    const std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
    try {
        switch (data[0] % 4) {
        case 0: scenario(text); break;
        case 1: devices(text); break;
        case 2: availability(text); break;
        default: speed(text); break;
        }
    } catch (const hetsim::InvariantError&) {
        std::abort();  // "internal error, please report": a bug, not bad input
    } catch (const hetsim::Error& e) {
        if (std::string_view(e.what()).empty()) std::abort();  // every error says something
    }
    return 0;
}
