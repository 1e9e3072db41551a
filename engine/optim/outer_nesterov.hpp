#pragma once
// Outer Nesterov momentum, DiLoCo's outer optimizer (Douillard et al. 2023: lr 0.7, 0.9).

#include "engine/optim/outer_optimizer.hpp"

namespace hetsim::engine {

/// m = beta m + g;  theta -= lr (g + beta m). The same operations, in the same order, as
/// torch::optim::SGD with nesterov = true and dampening 0 (so it matches it bit for bit), and
/// as DelayedNesterov with N = 1, c = 0.
class OuterNesterov final : public OuterOptimizer {
public:
    OuterNesterov(double lr, double beta);

    /// m (empty before the first step).
    const std::vector<at::Tensor>& momentum() const { return m_; }

private:
    void update(std::vector<at::Tensor>& theta, const std::vector<at::Tensor>& g) override;

    double lr_;
    double beta_;
    std::vector<at::Tensor> m_;
};

}  // namespace hetsim::engine
