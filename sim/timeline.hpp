#pragma once
// Time-varying worlds: scripted events at virtual times (a worker slows down, a link degrades,
// a worker leaves or joins, the server is out) and periodic speed patterns (diurnal load).
// The scenario loader (`[[timeline]]`, `[elastic]`, `[[workers.pattern]]`) and the trace
// readers (availability and speed-over-time traces) convert what they read into these plain
// structs; the schedule turns them into simulator events.

#include "sim/time.hpp"

#include <cstdint>
#include <optional>
#include <vector>

namespace hetsim::sim {

/// What a timeline event does.
enum class WorldEventKind : std::uint8_t {
    /// From `at` (to `until`, if set) the targets' step time is multiplied by `factor` (2 = twice
    /// as slow). Overlapping slowdowns of one worker multiply. A round takes the factor in force
    /// when its compute starts, for the whole round: a round in flight at `at` is unchanged,
    /// rounds starting from `at` on are exactly `factor` times longer.
    slowdown,
    /// From `at` (to `until`, if set) the targets' link bandwidth (both directions) is
    /// multiplied by `factor` (0.5 = half as fast) and, when `latency` is set, its latency is
    /// replaced. A transfer uses the link as it is when the transfer starts.
    link,
    /// The targets leave at `at`: a round in flight is lost; they take no part until they join.
    leave,
    /// The targets join at `at` (no effect on a worker that is present): each pulls the current
    /// model and starts a round as its schedule starts any idle worker.
    join,
    /// During [at, at + duration) no transfer completes at the server: pulls and pushes that
    /// would end inside the outage end when it does. No targets.
    server_outage,
};

/// One scripted change of the world at virtual time `at`.
struct WorldEvent {
    Time at{0};
    WorldEventKind kind = WorldEventKind::slowdown;
    /// Worker indices the event applies to (sorted, distinct); empty for server_outage.
    std::vector<int> workers{};
    /// slowdown: step-time multiplier, link: bandwidth multiplier; in (0, kMaxFactor].
    double factor = 1.0;
    /// slowdown and link: when the effect ends (> at); none = until the end of the run.
    std::optional<Time> until{};
    /// link: the latency from `at` on (replaces the configured one); none = unchanged.
    std::optional<Time> latency{};
    /// server_outage: how long it lasts (> 0).
    Time duration{0};
};

/// A periodic step-time factor: f(t) = 1 + amplitude x sin(2 pi t / period + phase), held
/// piecewise constant over `resolution`-long slices of each period (f at each slice's
/// midpoint; the last slice of a period is shorter when resolution does not divide it), so
/// compute times stay exact integer nanoseconds. amplitude in [0, 1) keeps f > 0. At most
/// kMaxSlices slices per period.
struct SpeedPattern {
    std::vector<int> workers{};  ///< targets (sorted, distinct)
    Time period{0};              ///< > 0
    double amplitude = 0.0;      ///< in [0, 1)
    double phase = 0.0;          ///< radians
    Time resolution{0};          ///< slice length; 0 = period / 48
};

/// Every time-varying part of a world. Events need not be sorted: the schedule sorts them by
/// time (stably, so same-instant events act in the order given).
struct TimelineSpec {
    std::vector<WorldEvent> events;
    std::vector<SpeedPattern> patterns;
    bool empty() const { return events.empty() && patterns.empty(); }
};

/// The largest slowdown or bandwidth factor (and the smallest is > 0): a million times slower
/// is far beyond any real straggler and keeps every product of factors and times finite.
inline constexpr double kMaxFactor = 1e6;
/// The most slices a periodic pattern may have per period (bounds the work of a round).
inline constexpr std::int64_t kMaxSlices = 100'000;

/// Scenario-file name of an event kind ("slowdown", "link", "leave", "join", "server_outage").
const char* to_string(WorldEventKind kind);

/// Checks a timeline against a world of `workers` workers (indices in range, factors > 0,
/// until > at, ...); throws hetsim::Error naming the event. The scenario loader reports the
/// same problems with file positions first; this guards worlds built in code.
void validate(const TimelineSpec& timeline, int workers);

/// Leaves and joins of two independent sources of presence as one list, for a world of
/// `workers` workers: a worker is present exactly when both sources have it present. Each source
/// on its own is read as the schedule reads a timeline: every worker present from the start, a
/// `leave` makes it absent, a `join` present (no effect when it already is), same-instant events
/// in the order given. The result has an event only where the combined presence changes,
/// judged after all of an instant's events (one event per kind and instant, workers sorted),
/// in time order. Events other than leave and join are ignored. The scenario loader combines
/// availability traces with [[timeline]] and [elastic] this way (an elastic pool's worker is
/// there only while its device is available), so neither source can bring back a worker that
/// the other has away.
std::vector<WorldEvent> intersect_presence(const std::vector<WorldEvent>& a,
                                           const std::vector<WorldEvent>& b, int workers);

/// The timeline's effects on speeds, links and the server, resolved per worker into
/// piecewise-constant functions of virtual time for the timing models.
class WorldTimeline {
public:
    WorldTimeline(const TimelineSpec& timeline, int workers);

    /// When a compute phase of `work` (its duration at factor 1) started at `start` ends on
    /// worker w: the slowdown factor in force at `start` holds for the whole phase, and the
    /// periodic patterns' piecewise-constant factors are integrated over it.
    Time compute_end(int w, Time start, Time work) const;
    /// The step-time factor of worker w at time t (slowdowns x periodic patterns).
    double speed_factor(int w, Time t) const;
    /// Worker w's bandwidth multiplier at time t (1 without link events).
    double bandwidth_factor(int w, Time t) const;
    /// Worker w's latency at time t when a link event replaced it.
    std::optional<Time> latency(int w, Time t) const;
    /// t, or the end of the server outage(s) t falls into.
    Time server_available(Time t) const;
    /// Whether any link event targets w (the network model keeps its fast path otherwise).
    bool link_varies(int w) const { return !links_[static_cast<std::size_t>(w)].at.empty(); }
    bool speed_varies(int w) const;

private:
    void skip_periods(int w, double slowdown, Time& t, double& remaining) const;

    bool static_speed_ = true;  // no slowdown or pattern at all: the hot path skips the lookups
    // A step function: value[i] holds on [at[i], at[i+1]); 1 (or none) before at[0].
    struct Steps {
        std::vector<Time> at;
        std::vector<double> value;
        double operator()(Time t) const;
        Time next_change(Time t) const;  // kNever when none
    };
    // Slices restart at every multiple of the period (the last slice of a period may be
    // shorter), so the pattern repeats exactly and whole periods can be skipped at once.
    struct Pattern {
        Time period;
        double amplitude;
        double phase;
        Time resolution;
        double work_per_period;  // sum over the slices of length / factor, in ns at factor 1
        double factor(Time t) const;
        Time next_boundary(Time t) const;
    };
    struct LatencySteps {
        std::vector<Time> at;
        std::vector<std::optional<Time>> value;
    };

    std::vector<Steps> speed_;                    // per worker: slowdown product
    std::vector<std::vector<Pattern>> patterns_;  // per worker
    std::vector<Steps> links_;                    // per worker: bandwidth multiplier
    std::vector<LatencySteps> latency_;           // per worker
    std::vector<std::pair<Time, Time>> outages_;  // [start, end), sorted, merged
};

}  // namespace hetsim::sim
