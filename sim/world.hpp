#pragma once
// The resolved description of a simulated world: every worker's timing, link and failure
// pattern, the server's link, the schedule and when to stop. Plain structs with units in their
// types; the scenario loader fills them, the schedules read them.

#include "sim/distribution.hpp"
#include "sim/time.hpp"
#include "sim/timeline.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace hetsim::sim {

/// One direction-aware network link between a worker and the server.
struct LinkSpec {
    Time latency{0};  ///< one-way latency added to every transfer
    Bandwidth up;     ///< worker -> server (pushes)
    Bandwidth down;   ///< server -> worker (pulls)
};

/// With probability `probability` a round is `factor` times slower.
struct StragglerSpec {
    double probability = 0.0;
    double factor = 1.0;
};

/// A failure at a fixed virtual time, lasting `downtime`.
struct ScriptedFailure {
    Time at{0};
    Time downtime{0};
};

/// When a worker fails and for how long.
struct FailureSpec {
    /// Mean time between failures (exponential time to failure); none = never fails randomly.
    std::optional<Time> mtbf;
    /// Downtime of a random failure, in seconds.
    Distribution downtime_s = Distribution::constant(0.0);
    /// Failures at fixed times, in addition to random ones.
    std::vector<ScriptedFailure> scripted;
};

/// Preemption (spot / preemptible instances): the worker is taken away at exponential
/// intervals with mean `mean_interval` (its round in flight is lost) and comes back after
/// `delay`. Like a failure, but counted and traced apart.
struct PreemptionSpec {
    std::optional<Time> mean_interval;  ///< none = never preempted
    Distribution delay_s = Distribution::constant(0.0);  ///< how long it is away, in seconds
};

/// Everything about one worker's timing, resolved (random multipliers already drawn).
struct WorkerSpec {
    Time step_time{0};        ///< base time of one inner step
    double multiplier = 1.0;  ///< step-time multiplier (2 = twice as slow), drawn once
    std::optional<Distribution> jitter;  ///< per-round step-time factor, redrawn every round
    StragglerSpec stragglers;
    LinkSpec link;
    FailureSpec failures;
    PreemptionSpec preemption;
    /// Name of the `[[workers.group]]` the worker belongs to; "" when it is in none.
    std::string group;

    /// step_time x multiplier: the expected time of one inner step without jitter/stragglers.
    Time effective_step_time() const { return scale(step_time, multiplier); }
};

/// The schedule that decides which update is applied when.
enum class ScheduleKind { sync, async, fedbuff, ddp };
/// How a synchronous round exchanges updates.
enum class Collective { parameter_server, ring };
/// How many inner steps a worker does in a round.
enum class LocalStepPolicy { fixed, dylu };

struct AlgorithmSpec {
    ScheduleKind kind = ScheduleKind::async;
    int inner_steps = 50;  ///< H (forced to 1 for ddp)
    LocalStepPolicy local_steps = LocalStepPolicy::fixed;
    int dylu_min_steps = 1;  ///< DyLU never gives fewer steps than this
    Time grace_period{0};    ///< async only: window after the first apply (Liu et al. 2024)
    int buffer = 1;          ///< fedbuff only: updates per server step
    Collective collective = Collective::parameter_server;  ///< sync and ddp
    /// sync and ddp: drop a failed worker from the round if it has not pushed this long after
    /// it failed; none = wait for it to come back and redo its round.
    std::optional<Time> drop_failed_after;
    /// DiLoCo's "dropping outer gradients": each update reaching the server is discarded with
    /// this probability, in [0, 1).
    double drop_probability = 0.0;
};

struct NetworkSpec {
    /// Whether all transfers to (and, separately, from) the server share the server's link,
    /// queueing FIFO on it.
    bool shared_server_link = false;
    Bandwidth server_bandwidth;  ///< the server's link rate when shared
};

/// When the run ends: at the first of these limits reached. At least one is set.
struct StopSpec {
    std::optional<Time> duration;                ///< virtual time
    std::optional<std::int64_t> server_updates;  ///< server versions (outer steps)
    std::optional<std::int64_t> inner_steps;     ///< inner steps in applied updates, all workers
};

struct WorldSpec {
    std::uint64_t seed = 0;
    std::vector<WorkerSpec> workers;
    NetworkSpec network;
    AlgorithmSpec algorithm;
    StopSpec stop;
    std::int64_t model_bytes = 0;  ///< bytes of one model / pseudo-gradient transfer
    TimelineSpec timeline;         ///< scripted events and periodic patterns; empty = static
};

/// Names used in scenario files and outputs.
const char* to_string(ScheduleKind kind);
const char* to_string(Collective collective);
const char* to_string(LocalStepPolicy policy);

}  // namespace hetsim::sim
