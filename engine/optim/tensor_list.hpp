#pragma once
// Small operations on parameter lists (one tensor per model parameter, in the model's fixed
// order) used by the optimizers, clipping and aggregation. No autograd: every function runs
// under a NoGradGuard. Lists taking part in one operation must have the same length and
// matching shapes, dtypes and devices.

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <vector>

namespace hetsim::engine::tensor_list {

/// Deep copies (new storage), detached from any autograd graph.
std::vector<at::Tensor> clone(const std::vector<at::Tensor>& xs);

/// Zero tensors shaped like `xs` (same dtype and device).
std::vector<at::Tensor> zeros_like(const std::vector<at::Tensor>& xs);

/// a - b, as new tensors.
std::vector<at::Tensor> sub(const std::vector<at::Tensor>& a, const std::vector<at::Tensor>& b);

/// dst[i] = src[i], in place (dst keeps its storage).
void copy_(std::vector<at::Tensor>& dst, const std::vector<at::Tensor>& src);

/// y += alpha * x, in place.
void axpy_(std::vector<at::Tensor>& y, double alpha, const std::vector<at::Tensor>& x);

/// xs *= factor, in place.
void scale_(std::vector<at::Tensor>& xs, double factor);

/// xs = 0, in place.
void fill_zero_(std::vector<at::Tensor>& xs);

/// The Euclidean norm of all elements of all tensors together: sqrt(sum_i ||xs[i]||^2).
/// 0 for an empty list.
double global_norm(const std::vector<at::Tensor>& xs);

/// Total number of elements over the list.
std::int64_t numel(const std::vector<at::Tensor>& xs);

}  // namespace hetsim::engine::tensor_list
