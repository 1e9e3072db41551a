#include "engine/optim/inner_sgd.hpp"

#include "engine/optim/tensor_list.hpp"

#include <torch/torch.h>

namespace hetsim::engine {

InnerSgd::InnerSgd(SgdOptions options, ClipOptions clip, bool reset_each_round)
    : InnerOptimizer(clip, reset_each_round), options_(options) {}

void InnerSgd::update(std::vector<at::Tensor>& params, const std::vector<at::Tensor>& grads,
                      double lr) {
    // The same operations, in the same order, as torch::optim::SGD::step (LibTorch 1.13), so
    // that results agree bit for bit.
    std::vector<at::Tensor> direction =
        options_.weight_decay != 0.0 ? at::_foreach_add(grads, params, options_.weight_decay)
                                     : tensor_list::clone(grads);
    if (options_.momentum != 0.0) {
        if (momentum_.empty()) {
            momentum_ = tensor_list::clone(direction);
        } else {
            at::_foreach_mul_(momentum_, options_.momentum);
            at::_foreach_add_(momentum_, direction);
        }
        if (options_.nesterov)
            at::_foreach_add_(direction, momentum_, options_.momentum);
        else
            direction = tensor_list::clone(momentum_);
    }
    apply_update(params, direction, lr);
}

std::unique_ptr<InnerOptimizer> InnerSgd::clone_impl() const {
    std::unique_ptr<InnerSgd> copy(new InnerSgd(*this));
    copy->momentum_ = tensor_list::clone(momentum_);
    return copy;
}

}  // namespace hetsim::engine
