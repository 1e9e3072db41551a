#include "engine/optim/outer_nesterov.hpp"

#include "engine/optim/tensor_list.hpp"

#include <torch/torch.h>

namespace hetsim::engine {

OuterNesterov::OuterNesterov(double lr, double beta) : lr_(lr), beta_(beta) {}

void OuterNesterov::update(std::vector<at::Tensor>& theta, const std::vector<at::Tensor>& g) {
    if (m_.empty()) m_ = tensor_list::zeros_like(theta);
    at::_foreach_mul_(m_, beta_);
    at::_foreach_add_(m_, g);
    auto direction = at::_foreach_add(g, m_, beta_);  // g + beta m
    tensor_list::axpy_(theta, -lr_, direction);
}

}  // namespace hetsim::engine
