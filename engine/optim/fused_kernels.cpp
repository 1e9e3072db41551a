#include "engine/optim/fused_kernels.hpp"

#include <cmath>

namespace hetsim::engine::fused {

bool adamw_supported() { return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"); }

// Compiled for AVX2 + FMA (the only CPUs where ATen's kernels round with fused multiply-adds)
// and with -ffp-contract=off: the two std::fma calls are the only fused operations, as in
// ATen's add_(alpha) (vec::fmadd) and addcmul_ (contracted by its compiler); every other
// operation rounds on its own. InnerAdamW checks once per process that this gives ATen's bits.
__attribute__((target("avx2,fma"))) void adamw(float* __restrict p, const float* __restrict g,
                                               float* __restrict m, float* __restrict v,
                                               std::int64_t n, const AdamWScalars& scalars) {
    const AdamWScalars s = scalars;  // a local copy: no aliasing with the arrays
    for (std::int64_t i = 0; i < n; ++i) {
        const float gi = g[i];
        const float mi = std::fma(gi, s.one_minus_beta1, m[i] * s.beta1);
        const float vi = std::fma(s.one_minus_beta2 * gi, gi, v[i] * s.beta2);
        const float denom = std::sqrt(vi) / s.sqrt_bias_correction2 + s.eps;
        p[i] = p[i] * s.decay + (s.neg_step * mi) / denom;
        m[i] = mi;
        v[i] = vi;
    }
}

}  // namespace hetsim::engine::fused
