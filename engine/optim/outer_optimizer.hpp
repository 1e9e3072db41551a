#pragma once
// The server's optimizer: applies an (already aggregated and weighted) pseudo-gradient
// g = params pulled - params after the inner steps to the global parameters theta.

#include "scenarios/training_spec.hpp"

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <memory>
#include <vector>

namespace hetsim::engine {

class OuterOptimizer {
public:
    virtual ~OuterOptimizer() = default;
    OuterOptimizer(const OuterOptimizer&) = delete;
    OuterOptimizer& operator=(const OuterOptimizer&) = delete;

    /// theta -= update(g), in place and without autograd; g[i] pairs with theta[i] and is not
    /// modified. State (momentum, moments) is created on the first call, shaped like theta.
    void step(std::vector<at::Tensor>& theta, const std::vector<at::Tensor>& g);

    /// step() calls so far (Adam's bias correction uses it).
    std::int64_t steps() const { return steps_; }

protected:
    OuterOptimizer() = default;
    /// The algorithm; steps() already counts this call.
    virtual void update(std::vector<at::Tensor>& theta, const std::vector<at::Tensor>& g) = 0;

private:
    std::int64_t steps_ = 0;
};

/// Builds the outer optimizer a spec describes:
///   sgd:     theta -= lr g (lr 1 = FedAvg); momentum > 0 makes it heavy-ball SGD
///            (m = mu m + g, theta -= lr m) — note OuterOptimizerSpec's default momentum 0.9;
///   nesterov: m = beta m + g, theta -= lr (beta m + g)  (DiLoCo: lr 0.7, beta 0.9);
///   adam:    torch::optim::Adam on theta with gradient g (beta1, beta2, eps);
///   delayed-nesterov: Liu et al. 2024, Algorithm 3 (buffer N, activation c).
/// Throws hetsim::ConfigError naming the `outer.*` key for an unknown kind or a bad value
/// (lr <= 0, momentum outside [0, 1), buffer < 1, activation outside [0, 1/N], ...).
std::unique_ptr<OuterOptimizer> make_outer_optimizer(const scenarios::OuterOptimizerSpec& spec);

}  // namespace hetsim::engine
