#include "engine/optim/outer_nesterov.hpp"

#include "engine/optim/tensor_list.hpp"

#include <torch/torch.h>

namespace hetsim::engine {

OuterNesterov::OuterNesterov(double lr, double beta) : lr_(lr), beta_(beta) {}

void OuterNesterov::update(std::vector<at::Tensor>& theta, const std::vector<at::Tensor>& g) {
    if (m_.empty()) m_ = tensor_list::zeros_like(theta);
    // One kernel per operation when theta, g and m are packed (the Trainer's always are).
    auto [t, gs, m] = tensor_list::flat_views<3>({&theta, &g, &m_});
    at::_foreach_mul_(m, beta_);
    at::_foreach_add_(m, gs);
    auto direction = at::_foreach_add(gs, m, beta_);  // g + beta m
    at::_foreach_add_(t, direction, -lr_);
}

}  // namespace hetsim::engine
