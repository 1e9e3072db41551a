#pragma once
// Outer SGD: plain (FedAvg at lr 1) or with heavy-ball momentum.

#include "engine/optim/outer_optimizer.hpp"

namespace hetsim::engine {

/// momentum 0: theta -= lr g (with lr 1 exactly theta - g: FedAvg / Local-SGD averaging).
/// momentum mu > 0: m = mu m + g (m = g at the first step), theta -= lr m, like
/// torch::optim::SGD with momentum and dampening 0.
class OuterSgd final : public OuterOptimizer {
public:
    OuterSgd(double lr, double momentum);

private:
    void update(std::vector<at::Tensor>& theta, const std::vector<at::Tensor>& g) override;

    double lr_;
    double momentum_;
    std::vector<at::Tensor> m_;
};

}  // namespace hetsim::engine
