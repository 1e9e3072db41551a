#include "engine/optim/outer_adam.hpp"

#include "engine/optim/tensor_list.hpp"

#include <torch/torch.h>

#include <cmath>

namespace hetsim::engine {

OuterAdam::OuterAdam(double lr, double beta1, double beta2, double eps)
    : lr_(lr), beta1_(beta1), beta2_(beta2), eps_(eps) {}

void OuterAdam::update(std::vector<at::Tensor>& theta, const std::vector<at::Tensor>& g) {
    // The operations of torch::optim::Adam::step (LibTorch 1.13) in their order.
    if (exp_avg_.empty()) {
        exp_avg_ = tensor_list::zeros_like(theta);
        exp_avg_sq_ = tensor_list::zeros_like(theta);
    }
    const auto t = static_cast<double>(steps());
    const double bias_correction1 = 1.0 - std::pow(beta1_, t);
    const double bias_correction2 = 1.0 - std::pow(beta2_, t);
    // One kernel per operation when all lists are packed (the Trainer's always are).
    auto [th, gs, m, v] = tensor_list::flat_views<4>({&theta, &g, &exp_avg_, &exp_avg_sq_});
    at::_foreach_mul_(m, beta1_);
    at::_foreach_add_(m, gs, 1.0 - beta1_);
    at::_foreach_mul_(v, beta2_);
    at::_foreach_addcmul_(v, gs, gs, 1.0 - beta2_);
    auto denom = at::_foreach_sqrt(v);
    at::_foreach_div_(denom, std::sqrt(bias_correction2));
    at::_foreach_add_(denom, eps_);
    at::_foreach_addcdiv_(th, m, denom, -lr_ / bias_correction1);
}

}  // namespace hetsim::engine
