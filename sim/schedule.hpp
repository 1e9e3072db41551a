#pragma once
// The base of every schedule: moves workers through pull -> compute -> push rounds in virtual
// time, handles failures, preemptions, the timeline (slowdowns, link changes, leaves and
// joins, server outages), the random drop of updates at the server, and the accounting of how
// each worker spends its time, and applies updates as server steps. Concrete schedules decide only what happens when a round's result
// reaches the server and when workers start again.

#include "sim/compute_model.hpp"
#include "sim/failure_model.hpp"
#include "sim/network_model.hpp"
#include "sim/run_records.hpp"
#include "sim/simulator.hpp"
#include "sim/timeline.hpp"
#include "sim/world.hpp"

#include <memory>
#include <span>
#include <vector>

namespace hetsim::sim {

class Schedule {
public:
    /// `hooks` may be null (timing-only). `spec` must outlive the schedule.
    Schedule(const WorldSpec& spec, TrainerHooks* hooks, const RecordOptions& record);
    virtual ~Schedule() = default;
    Schedule(const Schedule&) = delete;
    Schedule& operator=(const Schedule&) = delete;

    /// Runs the world until a stop condition of spec.stop is reached. Call once.
    RunResult run();

protected:
    enum class Phase { idle, pulling, computing, pushing, allreducing, down };
    /// A finished round on its way into a server step.
    struct PendingUpdate {
        RoundInfo round;
        std::int64_t bytes = 0;
    };

    // --- What a concrete schedule decides -----------------------------------------------
    /// Starts the first rounds at time 0.
    virtual void start() = 0;
    /// Worker w finished its inner steps; the default pushes the result.
    virtual void on_compute_done(int w) { start_push(w); }
    /// Worker w's push reached the server; the worker is idle now.
    virtual void on_push_arrived(int w) = 0;
    /// Worker w failed or was preempted while in phase `was` (its round, if any, is already
    /// lost); it is down and will come back.
    virtual void on_failed(int w, Phase was) { (void)w, (void)was; }
    /// Worker w left the pool while in phase `was` (down: it was already away); nobody should
    /// wait for it. The default treats it as a failure.
    virtual void on_left(int w, Phase was) { on_failed(w, was); }
    /// Worker w is back (recovered, resumed or joined) and idle, holding no model.
    virtual void on_recovered(int w) = 0;
    /// When worker w's arrival at the server becomes better known (pull done, push started).
    virtual void on_prediction_changed(int w) { (void)w; }

    // --- Building blocks ------------------------------------------------------------------
    /// Starts a round for w from the current server version: pull (if `pull`), then compute.
    void start_round(int w, bool pull = true);
    /// Starts w's push of its finished round.
    void start_push(int w);
    /// Loses w's current round (in flight or finished but not delivered): records it and
    /// leaves w idle. `why` is lost (failure) or drop (left out of a sync round).
    void abort_round(int w, TraceKind why);
    /// Moves w to phase `p`, charging the time since the last change to the old phase.
    void set_phase(int w, Phase p);
    /// The round w just delivered, as an update for apply_step.
    PendingUpdate take_update(int w) const;
    /// Whether the update w just delivered is dropped at the server (algorithm.drop_probability,
    /// one draw per delivered update from w's own stream); a dropped one is recorded (trace
    /// `discard`, updates_dropped) and its round reported lost to the trainer.
    bool discard_update(int w);
    /// One server step applying `batch` in order (empty: nothing happens). Checks stop limits.
    void apply_step(std::span<const PendingUpdate> batch);
    /// Adds traffic to w's current round (e.g. an all-reduce).
    void add_round_bytes(int w, std::int64_t bytes) { workers_[w].round_bytes += bytes; }
    /// Announces that w's result is needed now (for phases the base does not drive).
    void result_needed(int w);
    void trace(int w, TraceKind kind);
    Phase phase(int w) const { return workers_[w].phase; }
    /// Earliest time w's current round can reach the server (kNever when it has none).
    Time predicted_arrival(int w) const;
    int worker_count() const { return static_cast<int>(workers_.size()); }

    /// Priority of worker w's round events: same-instant completions go to the lower id.
    static std::uint32_t worker_priority(int w) { return 1 + static_cast<std::uint32_t>(w); }
    /// Fires after every other event at the same instant.
    static constexpr std::uint32_t kLastPriority = (1u << 24) - 1;

    Simulator sim_;
    const WorldSpec& spec_;
    WorldTimeline world_timeline_;
    NetworkModel network_;
    std::int64_t version_ = 0;

private:
    struct Worker {
        Phase phase = Phase::idle;
        Time since{0};         // when the current phase began
        Time phase_end{0};     // when the current pull/compute/push ends
        EventId in_flight;     // the pending pull/compute/push event
        EventId failure;       // the pending failure (while up)
        Time next_downtime{0};
        RoundInfo round;
        std::int64_t next_round = 0;
        std::int64_t round_bytes = 0;
        Time compute_started{0};
        Time round_compute{0};
        WorkerStats stats;  // kept beside the rest of the worker's state for cache locality
    };
    // Why a worker is away, and its pending preemption: rarely touched, so kept out of Worker
    // (a larger Worker slowed 10,000-worker async runs by ~20% through cache misses).
    struct Away {
        EventId preemption;  // the pending preemption (while up)
        Time next_preemption_delay{0};
        bool failed = false;  // the worker is up when none of the three holds
        bool preempted = false;
        bool left = false;
    };

    void pull_done(int w);
    void compute_done(int w);
    void push_done(int w);
    void fail(int w);
    void recover(int w);
    void preempt(int w);
    void resume(int w);
    void leave(int w);
    void join(int w);
    void apply_event(const WorldEvent& e);
    void schedule_timeline();
    bool up(int w) const;
    void go_down(int w);
    void come_up(int w);
    void schedule_failure(int w);
    void schedule_preemption(int w);
    void check_stop();
    void finish(Time end);

    static constexpr std::size_t kNoInterval = static_cast<std::size_t>(-1);

    TrainerHooks* hooks_;
    bool tracing_;
    bool timeline_;
    std::function<void(const Progress&)> progress_;  // RecordOptions::progress
    std::vector<std::size_t> last_interval_;  // per worker: its latest timeline interval
    ComputeModel compute_;
    FailureModel failures_;
    std::vector<Worker> workers_;
    std::vector<Away> away_;
    std::vector<Rng> drop_streams_;  // per worker, when drop_probability > 0
    RunResult result_;
};

/// The schedule named by spec.algorithm.kind.
std::unique_ptr<Schedule> make_schedule(const WorldSpec& spec, TrainerHooks* hooks = nullptr,
                                        const RecordOptions& record = {});

/// make_schedule(...)->run().
RunResult run_schedule(const WorldSpec& spec, TrainerHooks* hooks = nullptr,
                       const RecordOptions& record = {});

}  // namespace hetsim::sim
