#pragma once
// What a schedule produces, and the hooks through which a trainer plugs into it. The schedule
// decides *when*; a trainer (or nothing, for timing-only runs) decides *what*.

#include "sim/time.hpp"

#include <cstdint>
#include <functional>
#include <limits>
#include <span>
#include <string>
#include <vector>

namespace hetsim::sim {

/// One round of one worker: its inputs are fixed when it starts (the model it pulled).
struct RoundInfo {
    int worker = 0;
    std::int64_t round = 0;    ///< the worker's round index, 0-based, lost rounds included
    std::int64_t version = 0;  ///< server version the round starts from
    int inner_steps = 0;       ///< H for this round
};

/// One worker's update as applied to the server.
struct UpdateRecord {
    Time time{0};                      ///< virtual time of the apply
    int worker = 0;
    std::int64_t round = 0;            ///< the worker's round index
    std::int64_t version_pulled = 0;   ///< server version the round started from
    std::int64_t version_applied = 0;  ///< server version the update was applied to
    std::int64_t staleness = 0;        ///< version_applied - version_pulled
    int inner_steps = 0;
    std::int64_t bytes = 0;  ///< bytes the worker moved for this round (received + sent)
    double weight = 1.0;     ///< the weight the aggregation gave it (trainers fill it)
    double norm = std::numeric_limits<double>::quiet_NaN();  ///< pseudo-gradient norm (trainers)
};

/// Kinds of events in trace.csv.
enum class TraceKind {
    pull_start, pull_end, compute_start, compute_end, push_start, push_end,
    allreduce_start, allreduce_end, apply, fail, recover, lost, drop,
    discard,  ///< an update reached the server and was dropped (algorithm.drop_probability)
    preempt,  ///< the worker was preempted ([workers.preemption])
    resume,   ///< a preempted worker is back
    leave,    ///< the worker left the pool (timeline `leave`, `[elastic]`, availability traces)
    join      ///< the worker (re)joined the pool
};
const char* to_string(TraceKind kind);

/// One line of trace.csv.
struct TraceEvent {
    Time time{0};
    int worker = 0;
    TraceKind kind = TraceKind::apply;
    std::int64_t version = 0;  ///< the server version at the event (after an apply: the new one)
};

/// How one worker spent the run; compute + communication + idle + down = the run's end time.
struct WorkerStats {
    Time compute{0};        ///< computing inner steps (lost rounds included)
    Time communication{0};  ///< pulling, pushing, all-reducing (queueing on a shared link too)
    Time idle{0};           ///< waiting for others (sync barrier, grace window)
    Time down{0};           ///< failed, preempted or out of the pool (left)
    Time lost_compute{0};   ///< compute time of rounds lost to failures or drops
    std::int64_t updates = 0;      ///< updates applied to the server
    std::int64_t inner_steps = 0;  ///< inner steps in applied updates
    std::int64_t rounds_lost = 0;
    std::int64_t failures = 0;
    std::int64_t updates_dropped = 0;  ///< updates discarded at the server (drop_probability)
    std::int64_t preemptions = 0;
    std::int64_t leaves = 0;  ///< times the worker left the pool
    int local_steps = 0;  ///< H planned per round (DyLU varies it by worker)
};

/// What a worker is doing during an interval of worker_timeline.
enum class WorkerState : std::uint8_t { compute, communicate, idle, down };
const char* to_string(WorkerState state);

/// One interval of a worker's timeline: [start, end) in one state. A worker's intervals tile
/// [0, end_time) without gaps or overlaps; adjacent intervals may share a state.
struct WorkerInterval {
    Time start{0};
    Time end{0};
    int worker = 0;
    WorkerState state = WorkerState::idle;
};

/// Where a run stands, for a progress display: passed after every server step.
struct Progress {
    Time now{0};                      ///< virtual time of the step
    std::int64_t server_version = 0;  ///< server updates so far
    std::int64_t inner_steps = 0;     ///< inner steps in applied updates so far
};

/// What a run records beyond updates and per-worker totals.
struct RecordOptions {
    RecordOptions() = default;
    /// From the old `bool trace` argument: trace only.
    RecordOptions(bool trace_events) : trace(trace_events) {}  // NOLINT(google-explicit-constructor)
    bool trace = false;     ///< every event (trace.csv)
    bool timeline = false;  ///< every worker's state intervals (timeline.csv, Gantt charts)
    /// Called after every server step when set (the CLI's progress line); it must be cheap:
    /// it decides itself how often to print. Unset: no cost to timing-only benchmarks.
    std::function<void(const Progress&)> progress;
};

/// Everything a run produced, in virtual time.
struct RunResult {
    Time end_time{0};
    std::int64_t server_version = 0;  ///< server updates (outer steps) applied
    std::int64_t inner_steps = 0;     ///< inner steps in applied updates
    std::uint64_t events = 0;         ///< simulator events fired
    std::string stop_reason;          ///< "duration", "server_updates", "inner_steps", "idle"
    std::vector<UpdateRecord> updates;
    std::vector<WorkerStats> workers;
    std::vector<TraceEvent> trace;  ///< empty unless tracing was asked for
    /// Empty unless asked for; in no particular order (writers sort by worker, then start).
    std::vector<WorkerInterval> timeline;
};

/// The hooks a trainer implements. All are called at the virtual time they describe.
class TrainerHooks {
public:
    virtual ~TrainerHooks() = default;
    /// How many inner steps worker w's next round takes, given the schedule's plan (fixed H or
    /// DyLU's H_w). Called when the round starts; QSR overrides it.
    virtual int plan_inner_steps(int worker, int planned) {
        (void)worker;
        return planned;
    }
    /// A round starts from server version `round.version` (the pull): its inputs are fixed now.
    virtual void round_started(const RoundInfo& round) { (void)round; }
    /// The round's result is needed now (its push or all-reduce begins).
    virtual void result_needed(const RoundInfo& round) { (void)round; }
    /// The round was lost (failure, preemption, leave, dropped from a sync round, or its update
    /// discarded at the server by drop_probability); its result is discarded. A round is either
    /// applied once or lost once.
    virtual void round_lost(const RoundInfo& round) { (void)round; }
    /// One server step applies these updates (1 for async, the round's for sync, the buffer for
    /// fedbuff), in this order; the trainer may set weight and norm.
    virtual void apply(std::span<UpdateRecord> updates) { (void)updates; }
};

}  // namespace hetsim::sim
