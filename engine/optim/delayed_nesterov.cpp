#include "engine/optim/delayed_nesterov.hpp"

#include "engine/optim/tensor_list.hpp"
#include "sim/error.hpp"

#include <torch/torch.h>

namespace hetsim::engine {

DelayedNesterov::DelayedNesterov(double lr, double beta, int buffer, double activation)
    : lr_(lr), beta_(beta), buffer_size_(buffer), activation_(activation) {
    if (buffer < 1)
        throw ConfigError(fmt::format(
            "outer.buffer: expected an integer >= 1 (Delayed Nesterov's N), found {}", buffer));
    // A relative 1e-12 so that c written as 1/N in decimal (0.3333333333333333) is accepted.
    const double max_activation = 1.0 / static_cast<double>(buffer);
    if (!(activation >= 0.0 && activation <= max_activation * (1.0 + 1e-12)))
        throw ConfigError(fmt::format(
            "outer.activation: expected a number in [0, 1/N] = [0, {}] with outer.buffer = {}, "
            "found {}",
            max_activation, buffer, activation));
}

void DelayedNesterov::update(std::vector<at::Tensor>& theta, const std::vector<at::Tensor>& g) {
    // Liu et al. 2024, Algorithm 3. steps() already counts this arrival: it is t + 1.
    if (m_.empty()) {
        m_ = tensor_list::zeros_like(theta);
        d_ = tensor_list::zeros_like(theta);
    }
    const auto n = static_cast<double>(buffer_size_);
    // One kernel per operation when all lists are packed (the Trainer's always are).
    auto [t, gs, m, d] = tensor_list::flat_views<4>({&theta, &g, &m_, &d_});
    at::_foreach_add_(d, gs);
    const bool flush = steps() % buffer_size_ == 0;
    double momentum_weight = activation_;  // c
    if (flush) {
        at::_foreach_mul_(m, beta_);
        at::_foreach_add_(m, at::_foreach_div(d, n));
        momentum_weight = 1.0 - activation_ * n + activation_;  // 1 - cN + c
        at::_foreach_zero_(d);
    }
    // theta -= lr (g / N + w beta m), computed as OuterNesterov does for N = 1, c = 0.
    auto direction = at::_foreach_div(gs, n);
    if (momentum_weight != 0.0) at::_foreach_add_(direction, m, momentum_weight * beta_);
    at::_foreach_add_(t, direction, -lr_);
}

}  // namespace hetsim::engine
