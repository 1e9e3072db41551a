#include "engine/optim/fused_kernels.hpp"

#include <cmath>

namespace hetsim::engine::fused {

// target_clones: an AVX2 copy chosen at load time where the CPU has it, SSE2 elsewhere. The
// build compiles this file with -ffp-contract=off (no fused multiply-add), so that both copies
// round every operation alike and results do not depend on the machine.
__attribute__((target_clones("avx2", "default"))) void
adamw(float* __restrict p, const float* __restrict g, float* __restrict m, float* __restrict v,
      std::int64_t n, const AdamWScalars& scalars) {
    const AdamWScalars s = scalars;  // a local copy: no aliasing with the arrays
    for (std::int64_t i = 0; i < n; ++i) {
        // The operations of ATen's mul_, add_(alpha), addcmul_, sqrt, div_, add_, addcdiv_.
        const float gi = g[i];
        const float mi = m[i] * s.beta1 + s.one_minus_beta1 * gi;
        const float vi = v[i] * s.beta2 + s.one_minus_beta2 * gi * gi;
        const float denom = std::sqrt(vi) / s.sqrt_bias_correction2 + s.eps;
        p[i] = p[i] * s.decay + s.neg_step * (mi / denom);
        m[i] = mi;
        v[i] = vi;
    }
}

}  // namespace hetsim::engine::fused
