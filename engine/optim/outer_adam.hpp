#pragma once
// Outer Adam (FedAdam-style server optimizer), matching torch::optim::Adam.

#include "engine/optim/outer_optimizer.hpp"

namespace hetsim::engine {

/// torch::optim::Adam (weight decay 0, amsgrad off) on theta with gradient g, t = steps():
///   m = b1 m + (1 - b1) g;  v = b2 v + (1 - b2) g^2;
///   theta -= (lr / (1 - b1^t)) * m / (sqrt(v) / sqrt(1 - b2^t) + eps).
class OuterAdam final : public OuterOptimizer {
public:
    OuterAdam(double lr, double beta1, double beta2, double eps);

private:
    void update(std::vector<at::Tensor>& theta, const std::vector<at::Tensor>& g) override;

    double lr_;
    double beta1_;
    double beta2_;
    double eps_;
    std::vector<at::Tensor> exp_avg_;
    std::vector<at::Tensor> exp_avg_sq_;
};

}  // namespace hetsim::engine
