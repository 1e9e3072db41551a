#pragma once
// SGD with optional momentum, Nesterov momentum and L2 weight decay, matching
// torch::optim::SGD (dampening 0).

#include "engine/optim/inner_optimizer.hpp"

namespace hetsim::engine {

/// Options of InnerSgd (torch::optim::SGDOptions without dampening).
struct SgdOptions {
    double momentum = 0.0;      ///< heavy-ball coefficient mu; 0 = plain SGD
    bool nesterov = false;      ///< needs momentum > 0
    double weight_decay = 0.0;  ///< L2: added to the gradient as weight_decay * p
};

/// torch::optim::SGD, step for step:
///   d = g + wd * p;  b = d (first step) or mu * b + d;  d = d + mu * b (Nesterov) or b;
///   p -= lr * d.
class InnerSgd final : public InnerOptimizer {
public:
    explicit InnerSgd(SgdOptions options, ClipOptions clip = {}, bool reset_each_round = false);

private:
    void update(std::vector<at::Tensor>& params, const std::vector<at::Tensor>& grads,
                double lr) override;
    void reset_state() override { momentum_.clear(); }
    std::unique_ptr<InnerOptimizer> clone_impl() const override;
    InnerSgd(const InnerSgd&) = default;  // shallow: only clone_impl uses it

    SgdOptions options_;
    std::vector<at::Tensor> momentum_;  ///< b, created on the first step with momentum
};

}  // namespace hetsim::engine
