// Traces to the world: which device each worker gets, its step time and link, and the timeline
// events that availability and speed-over-time traces stand for.
#include "scenarios/trace_reader.hpp"

#include "sim/error.hpp"
#include "sim/random_streams.hpp"

#include <boost/random/uniform_int_distribution.hpp>
#include <fmt/format.h>

#include <map>
#include <numeric>

namespace hetsim::scenarios {
namespace {

// An event for one worker.
sim::WorldEvent event(sim::WorldEventKind kind, sim::Time at, std::size_t worker) {
    sim::WorldEvent e;
    e.kind = kind;
    e.at = at;
    e.workers = {static_cast<int>(worker)};
    return e;
}

}  // namespace

std::vector<std::size_t> sample_devices(const DeviceTrace& trace, std::size_t count,
                                        std::uint64_t seed, DeviceSampling sampling) {
    const std::size_t n = trace.devices.size();
    HETSIM_ASSERT(n > 0, "a parsed device trace has at least one device");
    std::vector<std::size_t> picked(count);
    if (sampling == DeviceSampling::in_order) {
        for (std::size_t w = 0; w < count; ++w) picked[w] = w % n;
        return picked;
    }
    sim::Rng rng = sim::make_stream(seed, -1, sim::Purpose::trace);
    if (n < count) {  // too few devices: each worker draws one, with replacement
        boost::random::uniform_int_distribution<std::size_t> any(0, n - 1);
        for (auto& p : picked) p = any(rng);
        return picked;
    }
    // Partial Fisher-Yates: draw i picks among the devices not yet taken. Draw i does not
    // depend on count, so worker w's device is the same in every world with > w workers.
    std::vector<std::size_t> order(n);
    std::iota(order.begin(), order.end(), std::size_t{0});
    for (std::size_t i = 0; i < count; ++i) {
        const std::size_t j = boost::random::uniform_int_distribution<std::size_t>(i, n - 1)(rng);
        std::swap(order[i], order[j]);
        picked[i] = order[i];
    }
    return picked;
}

sim::Time device_step_time(const DeviceTrace& trace, std::size_t device,
                           std::int64_t samples_per_step) {
    const DeviceCapacity& d = trace.devices.at(device);
    const double ms = d.computation_ms_per_sample * static_cast<double>(samples_per_step);
    try {
        const sim::Time t = sim::scale(sim::Time{1'000'000}, ms);
        if (t > sim::Time{0}) return t;
    } catch (const Error&) {
        // too long: reported below with the row
    }
    throw ScenarioError({trace.file, d.line, 1}, "computation_ms_per_sample",
                        fmt::format("a step time (x {} samples per step) of at least 1ns and "
                                    "below about 292 years",
                                    samples_per_step),
                        fmt::format("{:g} ms", ms));
}

sim::Bandwidth device_bandwidth(const DeviceCapacity& device) {
    return sim::Bandwidth{device.communication_kbps * 1000.0};
}

std::vector<sim::WorldEvent> availability_events(const AvailabilityTrace& trace,
                                                 std::size_t count,
                                                 const std::vector<std::string>& worker_ids) {
    // The workers each id stands for (several when devices were drawn with replacement).
    std::map<std::string, std::vector<std::size_t>, std::less<>> workers_of;
    if (!trace.by_worker)
        for (std::size_t w = 0; w < count && w < worker_ids.size(); ++w)
            workers_of[worker_ids[w]].push_back(w);
    std::vector<std::vector<const AvailabilityInterval*>> intervals(count);
    for (const AvailabilityInterval& interval : trace.intervals) {
        if (trace.by_worker) {
            if (static_cast<std::uint64_t>(interval.worker) >= count)
                throw ScenarioError({trace.file, interval.line, interval.id_column}, "worker",
                                    fmt::format("a worker index in 0..{} (workers.count = {})",
                                                count - 1, count),
                                    interval.id);
            intervals[static_cast<std::size_t>(interval.worker)].push_back(&interval);
        } else if (const auto it = workers_of.find(interval.id); it != workers_of.end()) {
            for (const std::size_t w : it->second) intervals[w].push_back(&interval);
        }
    }
    std::vector<sim::WorldEvent> events;
    bool any = false;
    for (std::size_t w = 0; w < count; ++w) {
        const auto& mine = intervals[w];
        if (mine.empty()) continue;  // not in the trace: available throughout
        any = true;
        // Rows of one id are in time order and do not overlap (checked by the parser).
        for (std::size_t i = 0; i < mine.size(); ++i) {
            const sim::Time previous_end = i == 0 ? sim::Time{0} : mine[i - 1]->end;
            if (mine[i]->start > previous_end) {
                if (i == 0) events.push_back(event(sim::WorldEventKind::leave, sim::Time{0}, w));
                events.push_back(event(sim::WorldEventKind::join, mine[i]->start, w));
            }
            // Back-to-back intervals are one stretch of availability: no leave in between.
            if (i + 1 == mine.size() || mine[i + 1]->start > mine[i]->end)
                events.push_back(event(sim::WorldEventKind::leave, mine[i]->end, w));
        }
    }
    if (!any)
        throw ScenarioError({trace.file, trace.intervals.front().line,
                             trace.intervals.front().id_column},
                            trace.by_worker ? "worker" : "client_id",
                            "rows for at least one of the workers' devices (no row matches "
                            "any; are the ids those of the device trace?)",
                            fmt::format("{} row{} of other ids", trace.intervals.size(),
                                        trace.intervals.size() == 1 ? "" : "s"));
    return events;
}

std::vector<sim::WorldEvent> speed_events(const SpeedTrace& trace, std::size_t count) {
    std::vector<std::vector<const SpeedChange*>> changes(count);
    for (const SpeedChange& c : trace.changes) {
        if (c.worker < 0 || static_cast<std::uint64_t>(c.worker) >= count)
            throw ScenarioError({trace.file, c.line, c.worker_column}, "worker",
                                fmt::format("a worker index in 0..{} (workers.count = {})",
                                            count - 1, count),
                                std::to_string(c.worker));
        changes[static_cast<std::size_t>(c.worker)].push_back(&c);
    }
    std::vector<sim::WorldEvent> events;
    for (std::size_t w = 0; w < count; ++w) {
        const auto& mine = changes[w];
        for (std::size_t i = 0; i < mine.size(); ++i) {
            if (mine[i]->factor == 1.0) continue;  // back to the base speed: no event
            sim::WorldEvent e = event(sim::WorldEventKind::slowdown, mine[i]->at, w);
            e.factor = mine[i]->factor;
            if (i + 1 < mine.size()) e.until = mine[i + 1]->at;
            events.push_back(std::move(e));
        }
    }
    return events;
}

}  // namespace hetsim::scenarios
