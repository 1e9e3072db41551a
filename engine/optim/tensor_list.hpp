#pragma once
// Small operations on parameter lists (one tensor per model parameter, in the model's fixed
// order) used by the optimizers, clipping and aggregation. No autograd: every function runs
// under a NoGradGuard. Lists taking part in one operation must have the same length and
// matching shapes, dtypes and devices.
//
// Lists that lie back to back in one buffer ("packed": a model's parameters, see
// models/parameter_set.hpp, and every list clone, zeros_like and sub return) are handled as
// one flat tensor: one ATen call per operation instead of one per parameter.

#include <ATen/core/Tensor.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace hetsim::engine::tensor_list {

/// A 1-D view of all elements of `xs` when they lie back to back in one buffer, in list order
/// (contiguous, one dtype); undefined otherwise (and for an empty list).
at::Tensor flat_view(const std::vector<at::Tensor>& xs);

namespace detail {
/// flat_views' work on `n` lists, written to out[0..n).
void flat_views(const std::vector<at::Tensor>* const* lists, std::vector<at::Tensor>* out,
                std::size_t n);
}  // namespace detail

/// Each list replaced by a one-tensor list holding its flat_view when every list has one, else
/// the lists unchanged: the arguments of _foreach_ calls that then run one kernel per list.
///   auto [t, gs] = tensor_list::flat_views<2>({&theta, &g});
template <std::size_t N>
std::array<std::vector<at::Tensor>, N>
flat_views(const std::array<const std::vector<at::Tensor>*, N>& lists) {
    std::array<std::vector<at::Tensor>, N> out;
    detail::flat_views(lists.data(), out.data(), N);
    return out;
}

/// Contiguous views of the 1-D contiguous `flat` shaped like `like`, back to back from its
/// first element (a packed list; flat needs at least numel(like) elements).
std::vector<at::Tensor> views_of(const at::Tensor& flat, const std::vector<at::Tensor>& like);

/// Deep copies (new storage), detached from any autograd graph; packed (one buffer) when the
/// tensors share a dtype and device.
std::vector<at::Tensor> clone(const std::vector<at::Tensor>& xs);

/// Zero tensors shaped like `xs` (same dtype and device); packed like clone.
std::vector<at::Tensor> zeros_like(const std::vector<at::Tensor>& xs);

/// a - b, as new tensors, packed like clone.
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

/// Whether every tensor is a contiguous CPU float32 tensor, as the one-pass kernels of
/// fused_kernels.hpp need (their data is then a plain float array).
bool fusable(const std::vector<at::Tensor>& xs);

/// Total number of elements over the list.
std::int64_t numel(const std::vector<at::Tensor>& xs);

}  // namespace hetsim::engine::tensor_list
