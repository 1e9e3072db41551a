#pragma once
// How long a worker's inner steps take: n x step_time x multiplier x jitter x straggler, where
// the multiplier is fixed per worker, jitter is redrawn every round and a round straggles
// (is `factor` times slower) with a probability. Each worker draws from its own streams.

#include "sim/random_streams.hpp"
#include "sim/world.hpp"

#include <vector>

namespace hetsim::sim {

class ComputeModel {
public:
    explicit ComputeModel(const WorldSpec& spec);
    /// The virtual time of worker w's next round of `steps` inner steps (draws its jitter and
    /// straggler streams, so call it exactly once per round).
    Time round_time(int w, int steps);
    /// step_time x multiplier of worker w: its expected step time without jitter/stragglers.
    Time expected_step_time(int w) const;

private:
    // What a round needs of a worker, packed together (one cache line) for the hot path.
    struct Hot {
        Time step_time;
        double multiplier;
        double straggler_probability;
        double straggler_factor;
        const Distribution* jitter;  // null when there is none
        Rng jitter_stream;
        Rng straggler_stream;
    };
    std::vector<Hot> hot_;
};

/// Inner steps per round for every worker. fixed: H. dylu (Liu et al. 2024, Sec. 4.2):
/// H_w = floor(v_w / v_max x H) with v = steps per virtual second, at least `dylu_min_steps`.
/// ddp: 1.
std::vector<int> local_steps(const WorldSpec& spec);

}  // namespace hetsim::sim
