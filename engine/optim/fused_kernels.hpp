#pragma once
// One-pass optimizer kernels on raw float32 arrays, for CPU parameters: the update of a small
// model is then one loop over its elements instead of ~10 ATen calls per parameter tensor,
// each a dispatch and a memory pass. No Torch here, so that this file can be compiled with
// its own flags (vectorised, no implicit FMA contraction: every rounding is written out).

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

/// Whether this CPU runs adamw() (AVX2 and FMA).
bool adamw_supported();

/// For i < n, in one pass, rounded as ATen's AVX2 / AVX-512 kernels round InnerAdamW's
/// operations (mul_, add_ with alpha and addcmul_ as fused multiply-adds, then sqrt, div_,
/// add_, addcdiv_):
///   p = p decay;  m = fma(g, 1 - beta1, m beta1);  v = fma((1 - beta2) g, g, v beta2);
///   p = p + (neg_step m) / (sqrt(v) / sqrt_bc2 + eps).
/// The arrays must not overlap. Only where adamw_supported().
void adamw(float* p, const float* g, float* m, float* v, std::int64_t n, const AdamWScalars& s);

}  // namespace hetsim::engine::fused
