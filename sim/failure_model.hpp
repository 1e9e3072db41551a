#pragma once
// When workers fail and for how long: exponential times to failure with a mean (MTBF), downtime
// from a distribution, and scripted failures at fixed times. Each worker draws from its own
// streams, so its failures do not depend on what other workers do.

#include "sim/random_streams.hpp"
#include "sim/world.hpp"

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
    /// Call it at the start and after each recovery. Scripted failures that fall while the
    /// worker is down are skipped.
    Failure next_failure(int w, Time from);

private:
    struct State {
        Rng time_to_failure;
        Rng downtime;
        Time next_random = kNever;  // drawn once, kept until it fires or falls into a downtime
        std::vector<ScriptedFailure> scripted;  // sorted by time
        std::size_t next_scripted = 0;
    };
    Time draw_downtime(int w);

    const WorldSpec& spec_;
    std::vector<State> state_;
};

}  // namespace hetsim::sim
