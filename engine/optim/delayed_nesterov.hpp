#pragma once
// Delayed Nesterov (Liu et al. 2024, "Asynchronous Local-SGD Training for Language Modeling",
// Algorithm 3): the momentum is updated only once every N pseudo-gradients, from their
// average, while each arriving pseudo-gradient still moves theta by lr g / N at once.

#include "engine/optim/outer_optimizer.hpp"

namespace hetsim::engine {

/// State m = 0, buffer D = 0, counter t = 0. On the arrival of g:
///   D += g
///   if (t + 1) mod N == 0:  m = beta m + D / N
///                           theta -= lr ((1 - cN + c) beta m + g / N);  D = 0
///   else:                   theta -= lr (c beta m + g / N)
///   t += 1
/// c in [0, 1/N] lets a fraction of the (stale) momentum act between flushes; with N = 1 it
/// is Nesterov, bit for bit (OuterNesterov).
class DelayedNesterov final : public OuterOptimizer {
public:
    /// Throws hetsim::ConfigError naming outer.buffer (N < 1) or outer.activation (c outside
    /// [0, 1/N]).
    DelayedNesterov(double lr, double beta, int buffer, double activation);

    /// m (empty before the first step).
    const std::vector<at::Tensor>& momentum() const { return m_; }
    /// D: the sum of the pseudo-gradients since the last flush (empty before the first step).
    const std::vector<at::Tensor>& buffer() const { return d_; }
    /// Pseudo-gradients in D (t mod N).
    int buffered() const { return static_cast<int>(steps() % buffer_size_); }

private:
    void update(std::vector<at::Tensor>& theta, const std::vector<at::Tensor>& g) override;

    double lr_;
    double beta_;
    int buffer_size_;    ///< N
    double activation_;  ///< c
    std::vector<at::Tensor> m_;
    std::vector<at::Tensor> d_;
};

}  // namespace hetsim::engine
