#pragma once
// Gradient and update clipping on parameter lists, in place.

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <vector>

namespace hetsim::engine {

/// Scales `grads` (all tensors together) so that their global Euclidean norm is at most
/// `max_norm`: when the norm exceeds it, every element is multiplied by max_norm / norm, so
/// the result has exactly the target norm (up to float rounding). Unlike
/// torch::nn::utils::clip_grad_norm_ there is no +1e-6 in the denominator. Returns the norm
/// before clipping. `max_norm` must be > 0.
double clip_by_global_norm_(std::vector<at::Tensor>& grads, double max_norm);

/// What coordinate-wise clipping did.
struct CoordinateClip {
    double threshold = 0.0;     ///< tau: the clamp bound (0 when nothing was clipped)
    std::int64_t clipped = 0;   ///< coordinates whose magnitude exceeded tau
};

/// Coordinate-wise clipping of the largest-magnitude fraction of coordinates (Pan & Li 2023,
/// "Toward Understanding Why Adam Converges Faster Than SGD for Transformers", coordinate-wise
/// clipping of the update, their "SGD momentum with clipping"), across all tensors of the list
/// together, with this exact threshold rule:
///   n = total number of coordinates, k = floor(fraction * n),
///   tau = the (n - k)-th smallest |u| (the (1 - fraction) quantile of |u|, taken as an
///         order statistic: the largest magnitude outside the top k),
///   u_j <- clamp(u_j, -tau, tau) for every coordinate.
/// Exactly the top-k coordinates change when their magnitudes are distinct and above the
/// rest; coordinates tied with tau are left as they are. k = 0 changes nothing.
/// `fraction` must be in [0, 1).
CoordinateClip clip_top_fraction_(std::vector<at::Tensor>& update, double fraction);

}  // namespace hetsim::engine
