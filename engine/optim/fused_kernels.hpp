#pragma once
// One-pass optimizer kernels on raw float32 arrays, for CPU parameters: the update of a small
// model is then one loop over its elements instead of ~10 ATen calls per parameter tensor,
// each a dispatch and a memory pass. No Torch here, so that this file can be compiled with
// its own flags (vectorised, no FMA contraction: the same bits on every CPU and vector width).

#include <cstdint>

namespace hetsim::engine::fused {

/// The per-step scalars of AdamW (torch::optim::AdamW's formulas, in float32 as ATen uses
/// them for float32 tensors).
struct AdamWScalars {
    float decay;            ///< 1 - lr * weight_decay
    float beta1, one_minus_beta1;
    float beta2, one_minus_beta2;
    float sqrt_bias_correction2;  ///< sqrt(1 - beta2^t)
    float eps;
    float neg_step;  ///< -lr / (1 - beta1^t)
};

/// For i < n, in one pass: p *= decay; m = beta1 m + (1 - beta1) g;
/// v = beta2 v + (1 - beta2) g g; p += neg_step * m / (sqrt(v) / sqrt_bc2 + eps).
/// The arrays must not overlap.
void adamw(float* p, const float* g, float* m, float* v, std::int64_t n, const AdamWScalars& s);

}  // namespace hetsim::engine::fused
