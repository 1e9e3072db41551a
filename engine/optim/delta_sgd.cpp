#include "engine/optim/delta_sgd.hpp"

#include "engine/optim/tensor_list.hpp"

#include <torch/torch.h>

#include <algorithm>
#include <cmath>

namespace hetsim::engine {

DeltaSgd::DeltaSgd(DeltaSgdOptions options, ClipOptions clip)
    : InnerOptimizer(clip, /*reset_each_round=*/true),
      options_(options),
      eta_(options.eta0),
      theta_(options.theta0) {}

void DeltaSgd::reset_state() {
    eta_ = options_.eta0;
    theta_ = options_.theta0;
    prev_params_.clear();
    prev_grads_.clear();
}

void DeltaSgd::update(std::vector<at::Tensor>& params, const std::vector<at::Tensor>& grads,
                      double /*lr*/) {
    if (prev_params_.empty()) {
        // Algorithm 1: a round's first step uses eta_0 (theta stays theta_0).
        eta_ = options_.eta0;
        theta_ = options_.theta0;
        prev_params_ = tensor_list::clone(params);
        prev_grads_ = tensor_list::clone(grads);
    } else {
        // Algorithm 1: the step-size rule (eta_k, then theta_k = eta_k / eta_{k-1}).
        const double growth = std::sqrt(1.0 + options_.delta * theta_) * eta_;
        const double dx = tensor_list::global_norm(tensor_list::sub(params, prev_params_));
        const double dg = tensor_list::global_norm(tensor_list::sub(grads, prev_grads_));
        const double eta =
            dx > 0.0 && dg > 0.0 ? std::min(options_.gamma * dx / (2.0 * dg), growth) : growth;
        theta_ = eta / eta_;
        eta_ = eta;
        tensor_list::copy_(prev_params_, params);
        tensor_list::copy_(prev_grads_, grads);
    }
    // Algorithm 1: x_{k+1} = x_k - eta_k g_k.
    std::vector<at::Tensor> direction =
        options_.weight_decay != 0.0 ? at::_foreach_add(grads, params, options_.weight_decay)
                                     : tensor_list::clone(grads);
    apply_update(params, direction, eta_);
}

std::unique_ptr<InnerOptimizer> DeltaSgd::clone_impl() const {
    std::unique_ptr<DeltaSgd> copy(new DeltaSgd(*this));
    copy->prev_params_ = tensor_list::clone(prev_params_);
    copy->prev_grads_ = tensor_list::clone(prev_grads_);
    return copy;
}

}  // namespace hetsim::engine
