#pragma once
// AdamW (Loshchilov & Hutter 2019), matching torch::optim::AdamW (amsgrad off).

#include "engine/optim/inner_optimizer.hpp"

namespace hetsim::engine {

/// Options of InnerAdamW. Note torch::optim::AdamWOptions defaults weight_decay to 1e-2; the
/// scenario's inner.weight_decay (default 0) is used as given.
struct AdamWOptions {
    double beta1 = 0.9;
    double beta2 = 0.999;
    double eps = 1e-8;
    double weight_decay = 0.0;  ///< decoupled: p *= 1 - lr * weight_decay before the step
    /// Require the one-pass kernel (fused::adamw): refuse a step where it cannot run (not CPU
    /// float32, coordinate clipping, a CPU whose ATen kernels round differently). Without it
    /// the kernel still runs wherever it gives ATen's bits; elsewhere ATen's operations do.
    bool fused = false;
};

/// torch::optim::AdamW, step for step, with t = steps() (this object's own count):
///   p *= 1 - lr * wd;  m = b1 m + (1 - b1) g;  v = b2 v + (1 - b2) g^2;
///   p -= (lr / (1 - b1^t)) * m / (sqrt(v) / sqrt(1 - b2^t) + eps).
class InnerAdamW final : public InnerOptimizer {
public:
    explicit InnerAdamW(AdamWOptions options, ClipOptions clip = {},
                        bool reset_each_round = false);

    /// Whether fused::adamw gives the bits of ATen's operations on this machine: checked once
    /// per process on probe values that cover ATen's vector loops and their scalar tails.
    static bool one_pass_matches_aten();

private:
    void update(std::vector<at::Tensor>& params, const std::vector<at::Tensor>& grads,
                double lr) override;
    void reset_state() override;
    /// The moments, zeros shaped like `params`, unless they exist already.
    void create_state(const std::vector<at::Tensor>& params);
    /// Whether fused_update can run on these lists (and gives ATen's bits).
    bool one_pass_applies(const std::vector<at::Tensor>& params,
                          const std::vector<at::Tensor>& grads) const;
    void fused_update(std::vector<at::Tensor>& params, const std::vector<at::Tensor>& grads,
                      double lr, double bias_correction1, double bias_correction2);
    void aten_update(std::vector<at::Tensor>& params, const std::vector<at::Tensor>& grads,
                     double lr, double bias_correction1, double bias_correction2);
    std::unique_ptr<InnerOptimizer> clone_impl() const override;
    InnerAdamW(const InnerAdamW&) = default;  // shallow: only clone_impl uses it

    AdamWOptions options_;
    std::vector<at::Tensor> exp_avg_;     ///< m
    std::vector<at::Tensor> exp_avg_sq_;  ///< v
};

}  // namespace hetsim::engine
