#pragma once
// When workers fail and for how long: exponential times to failure with a mean (MTBF), downtime
// from a distribution, and scripted failures at fixed times. Each worker draws from its own
// streams, so its failures do not depend on what other workers do. Preemptions (spot instances)
// are drawn here too, from streams of their own.

#include "sim/random_streams.hpp"
#include "sim/world.hpp"

#include <optional>
#include <vector>

namespace hetsim::sim {

/// A failure: when it happens and how long the worker stays down.
struct Failure {
    Time at = kNever;
    Time downtime{0};
};

class FailureModel {
public:
    explicit FailureModel(const WorldSpec& spec);
    /// Worker w's next failure at or after `from` (at == kNever when it never fails again).
    /// Call it at the start and whenever the worker is back up. Until fired() is called, the
    /// same failure is returned again (if it is still at or after `from`): a worker that was
    /// away for another reason (preempted, left) keeps its next failure. Scripted failures
    /// that fall while the worker is down are skipped.
    Failure next_failure(int w, Time from);
    /// The failure last returned for w happened.
    void fired(int w) { state_[w].handed_out.reset(); }

    /// Worker w's next preemption at or after `from` (kNever without [workers.preemption]);
    /// the same rules as next_failure. `downtime` is how long the preemption lasts.
    Failure next_preemption(int w, Time from);
    /// The preemption last returned for w happened.
    void preempted(int w) { state_[w].preemption.reset(); }

private:
    struct State {
        Rng time_to_failure;
        Rng downtime;
        Time next_random = kNever;  // drawn once, kept until it fires or falls into a downtime
        std::vector<ScriptedFailure> scripted;  // sorted by time
        std::size_t next_scripted = 0;
        std::optional<Failure> handed_out;  // returned, not fired yet
        Rng to_preemption;
        Rng preemption_delay;
        std::optional<Failure> preemption;  // returned, not happened yet
    };
    Time draw_downtime(int w);
    Failure draw_failure(int w, Time from);

    const WorldSpec& spec_;
    std::vector<State> state_;
};

}  // namespace hetsim::sim
