#pragma once
// Private to models/: the layers of Model::replica_losses (batched replicas, issue 7). Every
// tensor carries a leading replica dimension R: activations [R, ...], parameters [R, ...shape].
// Replica r's output depends only on slice r of each input, so R models run as one sequence of
// batched kernels (bmm instead of mm) and the gradient of the summed losses holds each
// replica's own gradient.

#include <ATen/ATen.h>

#include <cstdint>
#include <vector>

namespace hetsim::models::replica {

/// x [R, ..., in] times weight [R, out, in] transposed, plus bias [R, out] when defined:
/// [R, ..., out]. The same function as at::linear per replica, as one batched matmul.
inline at::Tensor linear(const at::Tensor& x, const at::Tensor& weight,
                         const at::Tensor& bias = {}) {
    const std::int64_t r = x.size(0), in = x.size(-1), out = weight.size(1);
    std::vector<std::int64_t> shape = x.sizes().vec();
    shape.back() = out;
    const at::Tensor x3 = x.reshape({r, -1, in});  // [R, M, in]
    const at::Tensor wt = weight.transpose(1, 2);  // [R, in, out]
    const at::Tensor y = bias.defined() ? at::baddbmm(bias.unsqueeze(1), x3, wt) : at::bmm(x3, wt);
    return y.view(shape);
}

/// `p` [R, n] broadcast against activations [R, ..., n] of `dims` dimensions.
inline at::Tensor broadcast_last(const at::Tensor& p, std::int64_t dims) {
    std::vector<std::int64_t> shape(static_cast<std::size_t>(dims), 1);
    shape.front() = p.size(0);
    shape.back() = p.size(-1);
    return p.view(shape);
}

/// LayerNorm over the last dimension of x [R, ..., d] with per-replica weight and bias [R, d].
inline at::Tensor layer_norm(const at::Tensor& x, const at::Tensor& weight, const at::Tensor& bias,
                             double eps) {
    const std::int64_t d = x.size(-1);
    const at::Tensor normed = at::layer_norm(x, {d}, {}, {}, eps);
    return at::addcmul(broadcast_last(bias, x.dim()), normed, broadcast_last(weight, x.dim()));
}

/// Rows of per-replica tables [R, V, d] picked by ids [R, ...]: [R, ..., d]. One embedding
/// lookup into the tables laid end to end, replica r's ids offset by r V.
inline at::Tensor embedding(const at::Tensor& tables, const at::Tensor& ids) {
    const std::int64_t r = tables.size(0), v = tables.size(1), d = tables.size(2);
    std::vector<std::int64_t> offset_shape(static_cast<std::size_t>(ids.dim()), 1);
    offset_shape.front() = r;
    const at::Tensor offsets =
        (at::arange(r, ids.options().dtype(at::kLong)) * v).view(offset_shape);
    return at::embedding(tables.reshape({r * v, d}), ids + offsets);
}

/// Mean cross-entropy of each replica, [R] float32: logits [R, ..., C] against class indices
/// targets [R, ...] (the same number of entries per replica).
inline at::Tensor mean_cross_entropy(const at::Tensor& logits, const at::Tensor& targets) {
    const std::int64_t r = logits.size(0), c = logits.size(-1);
    const at::Tensor per_entry = at::cross_entropy_loss(logits.reshape({-1, c}).to(at::kFloat),
                                                        targets.reshape({-1}), {},
                                                        at::Reduction::None);
    return per_entry.view({r, -1}).mean(1);
}

}  // namespace hetsim::models::replica
