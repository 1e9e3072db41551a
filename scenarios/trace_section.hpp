#pragma once
// `[workers.trace]`: device-capacity, availability and speed-over-time traces named by a
// scenario file, resolved into step times, links and timeline events. Internal to
// hetsim::scenarios; the loader calls these around read_workers (scenario_loader.cpp).

#include "scenarios/table_reader.hpp"
#include "scenarios/trace_reader.hpp"
#include "scenarios/training_spec.hpp"
#include "sim/world.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace hetsim::scenarios::detail {

/// What `[workers.trace]` says, read and checked before the workers are resolved.
struct WorkerTraces {
    /// `devices`: the device trace and the device of each worker (sampled with the seed).
    std::optional<DeviceTrace> devices;
    std::vector<std::size_t> device_of;
    /// One base step time per worker from its device (empty without `devices`); read_workers
    /// takes them as a written `step_times` list would be.
    std::vector<sim::Time> step_times;
    std::optional<AvailabilityTrace> availability;
    std::optional<SpeedTrace> speed;
};

/// Reads `[workers.trace]` of `workers` (marking `trace` as a known key) and the files it
/// names, relative to the directory of `source`. With `devices`, also samples the devices of
/// the workers (workers.count of them, or every device when count is absent) and derives
/// their step times. `workers_table` is the [workers] table `workers` reads; it is only read
/// (a study resolves one parsed file many times).
WorkerTraces read_worker_traces(TableReader& workers, const toml::table& workers_table,
                                const std::string& source, std::uint64_t seed,
                                const TrainingSpec& training);

/// The client_id of each worker's device (empty without `devices`): run.json records it.
std::vector<std::string> worker_devices(const WorkerTraces& traces);

/// Sets each worker's up and down bandwidth from its device. Called before [network] is read,
/// so that [[network.override]] entries still win for the workers they name; a network-wide
/// bandwidth in `network` would overwrite every device's and is an error.
void apply_trace_links(const WorkerTraces& traces, std::vector<sim::WorkerSpec>& workers,
                       TableReader& network);

/// Appends the availability (leave/join) and speed (slowdown) events of the traces to the
/// world's timeline, for `workers` workers. Called before read_timeline, which combines the
/// availability's leaves and joins with those of [[timeline]] and [elastic].
void add_trace_events(const WorkerTraces& traces, std::size_t workers,
                      sim::TimelineSpec& timeline);

}  // namespace hetsim::scenarios::detail
