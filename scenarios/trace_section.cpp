#include "scenarios/trace_section.hpp"

#include "scenarios/sections.hpp"

#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace hetsim::scenarios::detail {
namespace {

namespace fs = std::filesystem;

// [workers] keys that give step times another way: with a device trace they would contradict
// it. [[workers.group]] (`group`) is reported at the trace instead (read_devices).
constexpr std::array<std::string_view, 4> kStepTimeKeys = {"step_time", "step_times",
                                                           "device_flops", "heterogeneity"};
constexpr std::array<std::string_view, 2> kSamplings = {"random", "in-order"};

// The file a trace key names, relative to the scenario's directory; errors at the key.
struct TraceFile {
    std::string path;  // as it appears in trace errors
    std::string text;
};

TraceFile read_trace_file(TableReader& trace, std::string_view key, const std::string& source) {
    const toml::node* node = trace.get(key);
    const std::string name = to_string(*node, trace.key_path(key));
    if (name.empty()) fail(*node, trace.key_path(key), "the path of a CSV trace file");
    const fs::path path = fs::path(source).parent_path() / name;
    const auto unreadable = [&](std::string why) {
        fail(*node, trace.key_path(key), "a readable CSV trace file (relative to the scenario)",
             fmt::format("{} ({})", describe(*node), why));
    };
    std::error_code ec;
    if (fs::is_directory(path, ec)) unreadable("a directory: " + path.string());
    // Devices and pipes (/dev/zero, a FIFO) would never end or never come: files only.
    if (fs::exists(path, ec) && !fs::is_regular_file(path, ec))
        unreadable("not a regular file: " + path.string());
    std::ifstream in(path, std::ios::binary);
    if (!in) unreadable(fmt::format("{}: {}", std::strerror(errno), path.string()));
    std::ostringstream text;
    text << in.rdbuf();
    if (in.bad()) unreadable("a read error: " + path.string());
    return {path.string(), text.str()};
}

// samples_per_step: timing-only scenarios say it; training ones use data.batch_size.
std::int64_t read_samples_per_step(TableReader& trace, const TrainingSpec& training) {
    const toml::node* node = trace.get("samples_per_step");
    if (node == nullptr) return training.data.batch_size;
    if (training.model.kind != "none")
        fail(*node, trace.key_path("samples_per_step"),
             fmt::format("no `samples_per_step` with model.kind = \"{}\" (a step is "
                         "data.batch_size = {} samples)",
                         training.model.kind, training.data.batch_size));
    return to_integer(*node, trace.key_path("samples_per_step"), IntRange{1, 1'000'000'000});
}

// The number of workers that take devices: workers.count, or every device of the trace.
std::size_t device_workers(TableReader& workers, TableReader& trace, std::size_t devices) {
    const toml::node* node = workers.get("count");
    if (node == nullptr && devices > static_cast<std::size_t>(kMaxWorkers))
        fail(*trace.get("devices"), trace.key_path("devices"),
             fmt::format("a trace of at most {} devices, or a workers.count", kMaxWorkers),
             fmt::format("{} devices", devices));
    if (node == nullptr) return devices;
    if (const auto* i = node->as_integer(); i != nullptr && **i > kMaxWorkers)
        fail(*node, workers.key_path("count"),
             fmt::format("at most {} workers (larger worlds are not supported)", kMaxWorkers));
    return static_cast<std::size_t>(
        to_integer(*node, workers.key_path("count"), IntRange{1, kMaxWorkers}));
}

void read_devices(TableReader& trace, TableReader& workers, const toml::table& workers_table,
                  const std::string& source, std::uint64_t seed, const TrainingSpec& training,
                  WorkerTraces& out) {
    // Groups lay workers out by kind of hardware, each with its own step time and link; a
    // device trace gives every worker both. Mixing the two has no meaning yet, and the group
    // would be the wrong place to point at: the trace is what takes over the workers.
    if (const toml::node* group = workers_table.get("group"))
        fail(*trace.get("devices"), trace.key_path("devices"),
             "no device trace with [[workers.group]] (the trace gives every worker's step time "
             "and link; groups set their own): drop the groups, or use `multiplier` and "
             "[[workers.override]] on top of the trace",
             fmt::format("[[workers.group]] on line {}", group->source().begin.line));
    for (const std::string_view key : kStepTimeKeys)
        if (const toml::node* node = workers_table.get(key))
            fail(*node, workers.key_path(key),
                 fmt::format("no `{}` beside {} (the device trace gives the step times; "
                             "`multiplier` and [[workers.override]] still apply)",
                             key, trace.key_path("devices")),
                 "both");
    const std::size_t sampling = trace.choice("sample", kSamplings).value_or(0);
    const std::int64_t samples = read_samples_per_step(trace, training);
    const TraceFile file = read_trace_file(trace, "devices", source);
    out.devices = parse_device_trace(file.text, file.path);
    const std::size_t count = device_workers(workers, trace, out.devices->devices.size());
    out.device_of = sample_devices(*out.devices, count, seed,
                                   sampling == 0 ? DeviceSampling::random : DeviceSampling::in_order);
    out.step_times.reserve(count);
    for (const std::size_t d : out.device_of)
        out.step_times.push_back(device_step_time(*out.devices, d, samples));
}

}  // namespace

WorkerTraces read_worker_traces(TableReader& workers, const toml::table& workers_table,
                                const std::string& source, std::uint64_t seed,
                                const TrainingSpec& training) {
    WorkerTraces out;
    auto trace = workers.table("trace");
    if (!trace) return out;
    if (trace->get("devices") != nullptr) {
        read_devices(*trace, workers, workers_table, source, seed, training, out);
    } else {
        for (const std::string_view key : {"sample", "samples_per_step"})
            if (const toml::node* node = trace->get(key))
                fail(*node, trace->key_path(key), "`devices` as well (it applies to a device trace)",
                     describe(*node));
    }
    if (trace->get("availability") != nullptr) {
        const TraceFile file = read_trace_file(*trace, "availability", source);
        out.availability = parse_availability_trace(file.text, file.path);
        if (!out.availability->by_worker && !out.devices)
            throw ScenarioError({file.path, out.availability->intervals.front().line,
                                 out.availability->intervals.front().id_column},
                                "client_id",
                                "a `worker` column (a `client_id` column maps rows to devices, "
                                "which needs workers.trace.devices)",
                                "a `client_id` column");
    }
    if (trace->get("speed") != nullptr) {
        const TraceFile file = read_trace_file(*trace, "speed", source);
        out.speed = parse_speed_trace(file.text, file.path);
    }
    trace->finish();
    if (!out.devices && !out.availability && !out.speed)
        throw ScenarioError(trace->position(), trace->path(),
                            "at least one of `devices`, `availability`, `speed`", "none");
    return out;
}

std::vector<std::string> worker_devices(const WorkerTraces& traces) {
    std::vector<std::string> ids;
    if (!traces.devices) return ids;
    ids.reserve(traces.device_of.size());
    for (const std::size_t d : traces.device_of) ids.push_back(traces.devices->devices[d].client_id);
    return ids;
}

void apply_trace_links(const WorkerTraces& traces, std::vector<sim::WorkerSpec>& workers,
                       TableReader& network) {
    if (!traces.devices) return;
    for (const std::string_view key : {"bandwidth", "up_bandwidth", "down_bandwidth"})
        if (const toml::node* node = network.get(key))
            fail(*node, network.key_path(key),
                 "no network-wide bandwidth beside workers.trace.devices (each worker's link "
                 "rate comes from its device; [[network.override]] may still change some)",
                 describe(*node));
    for (std::size_t w = 0; w < workers.size() && w < traces.device_of.size(); ++w) {
        const sim::Bandwidth rate = device_bandwidth(traces.devices->devices[traces.device_of[w]]);
        workers[w].link.up = workers[w].link.down = rate;
    }
}

void add_trace_events(const WorkerTraces& traces, std::size_t workers,
                      sim::TimelineSpec& timeline) {
    if (traces.availability) {
        for (auto& e : availability_events(*traces.availability, workers, worker_devices(traces)))
            timeline.events.push_back(std::move(e));
    }
    if (traces.speed)
        for (auto& e : speed_events(*traces.speed, workers)) timeline.events.push_back(std::move(e));
}

}  // namespace hetsim::scenarios::detail
