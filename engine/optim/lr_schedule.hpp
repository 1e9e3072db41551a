#pragma once
// Learning-rate schedules of the inner optimizer. Pure functions, no Torch.

#include "scenarios/training_spec.hpp"

#include <cstdint>

namespace hetsim::engine {

/// The learning rate at 0-based `step` (the worker's or the shard's step count, per
/// schedule.indexed_by; the caller picks the count). Follows nanoGPT's get_lr:
///   warmup (both kinds, when warmup_steps > 0): step < W  ->  base_lr * (step + 1) / W,
///     so the first step uses base_lr / W and step W - 1 uses base_lr;
///   constant: base_lr after warmup;
///   cosine: with T = total_steps (the cosine length after warmup) and r = (step - W) / T,
///     step in [W, W + T)  ->  min_lr + 0.5 * (1 + cos(pi * r)) * (base_lr - min_lr),
///     step >= W + T       ->  min_lr (clamped).
/// Throws hetsim::Error for a negative step, an unknown kind, or a cosine schedule whose
/// total_steps is not > 0 (0 means "derived from the run": resolve it before calling).
double lr_at(const scenarios::LrScheduleSpec& schedule, double base_lr, std::int64_t step);

}  // namespace hetsim::engine
