#pragma once
// The one place for differences between LibTorch 1.13 (Debian's CPU build) and 2.x (PyTorch's
// CUDA builds on the GPU machines). Everything else in models/ calls these helpers instead of
// testing TORCH_VERSION_MAJOR itself (../shared/TOOLCHAIN.md lists the differences).

#include <torch/version.h>

#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

namespace hetsim::models::compat {

/// True when this LibTorch has at::scaled_dot_product_attention (2.0 and later).
inline constexpr bool kHasScaledDotProductAttention = TORCH_VERSION_MAJOR >= 2;

/// Causal self-attention: position i attends to positions 0..i. q, k, v: [B, H, T, Dh];
/// returns [B, H, T, Dh]. Scale 1/sqrt(Dh), no dropout. On 1.x it is written out (matmul,
/// causal mask, softmax, matmul); on 2.x the fused kernel computes the same function.
inline at::Tensor causal_attention(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v) {
#if TORCH_VERSION_MAJOR >= 2
    return at::scaled_dot_product_attention(q, k, v, /*attn_mask=*/{}, /*dropout_p=*/0.0,
                                            /*is_causal=*/true);
#else
    const std::int64_t t = q.size(-2);
    const double scale = 1.0 / std::sqrt(static_cast<double>(q.size(-1)));
    at::Tensor scores = at::matmul(q, k.transpose(-2, -1)) * scale;  // [B, H, T, T]
    const at::Tensor future = at::ones({t, t}, q.options().dtype(at::kBool)).triu(1);  // [T, T]
    scores = scores.masked_fill(future, -std::numeric_limits<double>::infinity());
    return at::matmul(at::softmax(scores, -1), v);  // [B, H, T, Dh]
#endif
}

/// A CPU generator seeded with `seed`, independent of Torch's global generator (so building a
/// model never changes what other code draws).
inline at::Generator make_cpu_generator(std::uint64_t seed) {
    return at::make_generator<at::CPUGeneratorImpl>(seed);
}

/// Makes every gradient undefined. 1.13's optimizers zero gradients in place while 2.x sets
/// them to undefined; code that needs "no gradient yet" calls this to get the 2.x behaviour on
/// both.
inline void clear_grads(const std::vector<at::Tensor>& parameters) {
    for (const at::Tensor& p : parameters)
        if (p.grad().defined()) p.mutable_grad().reset();
}

/// The gradient of `p`, or zeros shaped like `p` when it is undefined (a parameter that did not
/// take part in the last backward, or grads cleared by 2.x's zero_grad()).
inline at::Tensor grad_or_zeros(const at::Tensor& p) {
    return p.grad().defined() ? p.grad() : at::zeros_like(p);
}

}  // namespace hetsim::models::compat
