#pragma once
// RMSProp (Tieleman & Hinton 2012), matching torch::optim::RMSprop (centered off).

#include "engine/optim/inner_optimizer.hpp"

namespace hetsim::engine {

/// Options of InnerRmsProp.
struct RmsPropOptions {
    double alpha = 0.99;        ///< smoothing of the squared-gradient average
    double eps = 1e-8;
    double weight_decay = 0.0;  ///< L2: added to the gradient as weight_decay * p
    double momentum = 0.0;      ///< inner.momentum; 0 = none
};

/// torch::optim::RMSprop, step for step:
///   g = g + wd * p;  v = alpha v + (1 - alpha) g^2;  a = sqrt(v) + eps;
///   momentum: b = mu b + g / a, p -= lr b;  otherwise p -= lr g / a.
class InnerRmsProp final : public InnerOptimizer {
public:
    explicit InnerRmsProp(RmsPropOptions options, ClipOptions clip = {},
                          bool reset_each_round = false);

private:
    void update(std::vector<at::Tensor>& params, const std::vector<at::Tensor>& grads,
                double lr) override;
    void reset_state() override;
    std::unique_ptr<InnerOptimizer> clone_impl() const override;
    InnerRmsProp(const InnerRmsProp&) = default;  // shallow: only clone_impl uses it

    RmsPropOptions options_;
    std::vector<at::Tensor> square_avg_;  ///< v
    std::vector<at::Tensor> momentum_;    ///< b (momentum > 0 only)
};

}  // namespace hetsim::engine
