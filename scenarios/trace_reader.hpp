#pragma once
// Readers for trace files (CSV): device capacities in FedScale's format, availability
// intervals, and per-worker speed over time; and their conversion into per-worker step times,
// links and timeline events. Torch-free; every problem throws hetsim::ScenarioError with the
// trace file, line and column, and the column's name as the key.
//
// The CSV dialect (docs/scenarios.md, "Traces"): a header line naming the columns (in any
// order), then one row per line; fields separated by commas, surrounding blanks ignored, no
// quoting; lines whose first non-blank character is `#` and blank lines are skipped.

#include "sim/time.hpp"
#include "sim/timeline.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace hetsim::scenarios {

/// One device of a device-capacity trace: FedScale's `client_device_capacity` entry
/// {client_id: {'computation': ms per sample, 'communication': kbit/s}} as a CSV row
/// `client_id,computation_ms_per_sample,communication_kbps`.
struct DeviceCapacity {
    std::string client_id;             ///< non-empty, unique in the trace
    double computation_ms_per_sample;  ///< > 0: milliseconds to process one training sample
    double communication_kbps;         ///< > 0: link rate in kilobits (1000 bits) per second
    int line = 0;                      ///< where the row is in its file (for errors)
};

/// A parsed device-capacity trace: devices in file order.
struct DeviceTrace {
    std::string file;
    std::vector<DeviceCapacity> devices;
};

/// One interval [start, end) during which a device (or worker) is available.
struct AvailabilityInterval {
    std::string id;  ///< the `client_id`, or the `worker` index in decimal ("3")
    std::int64_t worker = -1;  ///< the `worker` index (>= 0) in by_worker traces, else -1
    sim::Time start{0};
    sim::Time end{0};  ///< > start
    int line = 0;
    int id_column = 0;  ///< column of the id field (for errors about the id)
};

/// A parsed availability trace. Rows of one id are in time order and do not overlap; rows of
/// different ids may interleave.
struct AvailabilityTrace {
    std::string file;
    bool by_worker = false;  ///< the id column is `worker` (indices), not `client_id`
    std::vector<AvailabilityInterval> intervals;  ///< in file order
};

/// From `at` on, `worker`'s step time is multiplied by `factor` (until its next row).
struct SpeedChange {
    std::int64_t worker = 0;  ///< >= 0 (checked against workers.count on conversion)
    sim::Time at{0};
    double factor = 1.0;  ///< > 0
    int line = 0;
    int worker_column = 0;
};

/// A parsed speed-over-time trace; rows of one worker are in strictly increasing time.
struct SpeedTrace {
    std::string file;
    std::vector<SpeedChange> changes;  ///< in file order
};

/// Parses a device-capacity trace (columns client_id, computation_ms_per_sample,
/// communication_kbps). `file` names the source in errors.
DeviceTrace parse_device_trace(std::string_view text, const std::string& file);
/// Parses an availability trace (columns client_id or worker, start_s, end_s).
AvailabilityTrace parse_availability_trace(std::string_view text, const std::string& file);
/// Parses a speed-over-time trace (columns worker, time_s, factor).
SpeedTrace parse_speed_trace(std::string_view text, const std::string& file);

/// How workers get their devices from a device trace.
enum class DeviceSampling {
    random,   ///< drawn with the seed: without replacement when the trace has >= K devices
    in_order  ///< worker w gets device w mod N, in file order
};

/// The device index (into trace.devices) of each of `count` workers. Random sampling is a
/// partial Fisher-Yates shuffle on its own stream (seed, world, Purpose::trace): the first K
/// picks do not depend on K, so growing the world keeps the devices of existing workers.
std::vector<std::size_t> sample_devices(const DeviceTrace& trace, std::size_t count,
                                        std::uint64_t seed, DeviceSampling sampling);

/// A device's step time: computation_ms_per_sample x samples_per_step, to the nearest ns.
/// Throws a ScenarioError at the device's row when it exceeds about 292 years.
sim::Time device_step_time(const DeviceTrace& trace, std::size_t device,
                           std::int64_t samples_per_step);
/// A device's link rate (both directions): communication_kbps x 1000 bits per second.
sim::Bandwidth device_bandwidth(const DeviceCapacity& device);

/// Leave and join events for `count` workers: worker w takes the intervals whose id is
/// `worker_ids[w]` (a client_id; by_worker traces use the index itself and ignore
/// `worker_ids`). Outside its intervals a listed worker is away: a leave at 0 when its first
/// interval starts later, a leave at each interval's end, a join at the next one's start.
/// Workers with no rows stay available throughout. Errors: an index >= count, or a trace of
/// which no row matches any worker (it would change nothing: the ids must be wrong).
std::vector<sim::WorldEvent> availability_events(const AvailabilityTrace& trace,
                                                 std::size_t count,
                                                 const std::vector<std::string>& worker_ids);

/// Slowdown events for `count` workers: each row with factor != 1 holds from its time to the
/// worker's next row (or the end of the run). Error: a worker index >= count.
std::vector<sim::WorldEvent> speed_events(const SpeedTrace& trace, std::size_t count);

}  // namespace hetsim::scenarios
