#pragma once
// How much memory a training run needs before it starts, so that a world too large for this
// machine is refused with the estimate instead of being killed half-way. Torch-free.

#include "scenarios/training_spec.hpp"

#include <cstdint>

namespace hetsim::engine {

/// Tensor copies of the model a training run keeps, by where they live.
struct MemoryEstimate {
    std::int64_t parameters = 0;
    int bytes_per_element = 4;   ///< 4 for float32, 2 for bfloat16
    int global_copies = 0;       ///< the model, the server's global copy, outer optimizer state
    int per_worker_copies = 0;   ///< pulled snapshot, pseudo-gradient, inner optimizer state
    std::int64_t workers = 0;

    /// parameters x bytes_per_element x (global_copies + workers x per_worker_copies).
    double bytes() const;
};

/// The copies a run with these optimizers keeps: global = 2 (model, global copy) + outer
/// state (sgd: 1 with momentum, else 0; nesterov 1; adam 2; delayed-nesterov 2); per worker =
/// 2 (snapshot, pseudo-gradient) + inner state (sgd: 1 with momentum; adamw 2; rmsprop 1, +1
/// with momentum; delta-sgd 2). An upper-bound-style estimate: workers that pulled the same
/// version share one snapshot.
MemoryEstimate estimate_memory(const scenarios::TrainingSpec& training, std::int64_t parameters,
                               std::int64_t workers);

/// This machine's physical memory in bytes (sysconf), or 0 when unknown.
double physical_memory_bytes();

/// Throws hetsim::ConfigError naming the estimate when it exceeds `available` bytes (> 0).
void check_memory(const MemoryEstimate& estimate, double available);

}  // namespace hetsim::engine
