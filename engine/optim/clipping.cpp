#include "engine/optim/clipping.hpp"

#include "engine/optim/tensor_list.hpp"
#include "sim/error.hpp"

#include <torch/torch.h>

#include <cmath>

namespace hetsim::engine {

double clip_by_global_norm_(std::vector<at::Tensor>& grads, double max_norm) {
    HETSIM_CHECK(max_norm > 0.0, "clip norm must be > 0, found {}", max_norm);
    const double norm = tensor_list::global_norm(grads);
    if (norm > max_norm) tensor_list::scale_(grads, max_norm / norm);
    return norm;
}

CoordinateClip clip_top_fraction_(std::vector<at::Tensor>& update, double fraction) {
    HETSIM_CHECK(fraction >= 0.0 && fraction < 1.0, "clip fraction must be in [0, 1), found {}",
                 fraction);
    const std::int64_t n = tensor_list::numel(update);
    const auto k = static_cast<std::int64_t>(std::floor(fraction * static_cast<double>(n)));
    if (k == 0) return {};

    torch::NoGradGuard no_grad;
    std::vector<at::Tensor> magnitudes;
    magnitudes.reserve(update.size());
    for (const auto& u : update) magnitudes.push_back(u.detach().abs().reshape({-1}));
    const at::Tensor all = at::cat(magnitudes);  // [n]
    // kthvalue is 1-based: the (n - k)-th smallest is the largest value outside the top k.
    const at::Tensor tau_tensor = std::get<0>(at::kthvalue(all, n - k));
    const std::int64_t clipped = all.gt(tau_tensor).sum().item<std::int64_t>();
    const double tau = tau_tensor.item<double>();
    for (auto& u : update) u.clamp_(-tau, tau);
    return {tau, clipped};
}

}  // namespace hetsim::engine
