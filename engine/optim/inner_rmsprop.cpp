#include "engine/optim/inner_rmsprop.hpp"

#include "engine/optim/tensor_list.hpp"

#include <torch/torch.h>

namespace hetsim::engine {

InnerRmsProp::InnerRmsProp(RmsPropOptions options, ClipOptions clip, bool reset_each_round)
    : InnerOptimizer(clip, reset_each_round), options_(options) {}

void InnerRmsProp::reset_state() {
    square_avg_.clear();
    momentum_.clear();
}

void InnerRmsProp::update(std::vector<at::Tensor>& params, const std::vector<at::Tensor>& grads,
                          double lr) {
    // The operations of torch::optim::RMSprop::step (LibTorch 1.13) in their order.
    const std::vector<at::Tensor> g = options_.weight_decay != 0.0
                                          ? at::_foreach_add(grads, params, options_.weight_decay)
                                          : grads;
    if (square_avg_.empty()) {
        square_avg_ = tensor_list::zeros_like(params);
        if (options_.momentum > 0.0) momentum_ = tensor_list::zeros_like(params);
    }
    at::_foreach_mul_(square_avg_, options_.alpha);
    at::_foreach_addcmul_(square_avg_, g, g, 1.0 - options_.alpha);
    auto avg = at::_foreach_sqrt(square_avg_);
    at::_foreach_add_(avg, options_.eps);

    if (options_.momentum > 0.0) {
        at::_foreach_mul_(momentum_, options_.momentum);
        at::_foreach_addcdiv_(momentum_, g, avg);
        // A copy: coordinate clipping must not clamp the momentum buffer itself.
        auto direction = tensor_list::clone(momentum_);
        apply_update(params, direction, lr);
    } else {
        apply_ratio_update(params, g, avg, lr);
    }
}

std::unique_ptr<InnerOptimizer> InnerRmsProp::clone_impl() const {
    std::unique_ptr<InnerRmsProp> copy(new InnerRmsProp(*this));
    copy->square_avg_ = tensor_list::clone(square_avg_);
    copy->momentum_ = tensor_list::clone(momentum_);
    return copy;
}

}  // namespace hetsim::engine
