#pragma once
// The optimizer a worker runs for its inner steps. One object per worker: its state (moments,
// momentum buffers, step count) lives across rounds unless reset. State is created lazily on
// the first step, shaped like the parameters (same dtype and device).

#include "scenarios/training_spec.hpp"

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

namespace hetsim::engine {

/// Clipping applied inside InnerOptimizer::step.
struct ClipOptions {
    double max_norm = 0.0;  ///< clip gradients to this global norm first; 0 = off
    double fraction = 0.0;  ///< clip this top fraction of update coordinates; 0 = off
};

class InnerOptimizer {
public:
    virtual ~InnerOptimizer() = default;
    InnerOptimizer& operator=(const InnerOptimizer&) = delete;

    /// A deep copy: the same options, step count and state, sharing no tensor with this one.
    /// The trainer runs a round on a copy when rounds run concurrently, so that a round lost
    /// before its result was needed leaves the worker's state as if it never ran.
    std::unique_ptr<InnerOptimizer> clone() const { return clone_impl(); }

    /// One inner step, in place on `params`, without autograd. `grads[i]` is the gradient of
    /// `params[i]`; it is not modified (global-norm clipping works on a copy). `lr` is the
    /// step size for this step (from lr_at; Delta-SGD ignores it). Order: count the step,
    /// clip the gradients by global norm (ClipOptions::max_norm), run the algorithm, and clip
    /// the top fraction of its update coordinates (ClipOptions::fraction) before applying it.
    void step(std::vector<at::Tensor>& params, const std::vector<at::Tensor>& grads, double lr);

    /// Forgets all state: moments, momentum buffers, Delta-SGD's step size, the step count.
    /// The next step behaves like the first step of a fresh optimizer.
    void reset();

    /// Call at the start of every round (after the worker pulled the global parameters):
    /// resets when resets_each_round(). Keeps state otherwise.
    void begin_round();

    /// Whether begin_round() resets: InnerOptimizerSpec::reset_each_round, and always for
    /// Delta-SGD (its Algorithm 1 restarts eta and theta from eta_0, theta_0 every round).
    bool resets_each_round() const { return reset_each_round_; }

    /// Steps taken since construction or the last reset (AdamW's bias correction uses it).
    std::int64_t steps() const { return steps_; }

    /// Global gradient norm before clipping at the last step; empty before the first step and
    /// when global-norm clipping is off (the norm is only computed when it is needed).
    std::optional<double> last_grad_norm() const { return last_grad_norm_; }

protected:
    InnerOptimizer(ClipOptions clip, bool reset_each_round)
        : clip_(clip), reset_each_round_(reset_each_round) {}
    /// Shallow (state tensors shared): only for clone_impl, which deep-copies the state next.
    InnerOptimizer(const InnerOptimizer&) = default;

    /// A copy of this optimizer whose state tensors are deep copies (tensor_list::clone).
    virtual std::unique_ptr<InnerOptimizer> clone_impl() const = 0;

    /// The algorithm: update `params` from `grads` at step size `lr`; steps() already counts
    /// this step. Implementations move the parameters with apply_update/apply_ratio_update
    /// so that coordinate clipping applies to their update.
    virtual void update(std::vector<at::Tensor>& params, const std::vector<at::Tensor>& grads,
                        double lr) = 0;
    /// Drops the algorithm's state (the base resets the step count).
    virtual void reset_state() = 0;

    /// Whether updates go through coordinate clipping (ClipOptions::fraction > 0); fused
    /// kernels apply only when they do not.
    bool clips_coordinates() const { return clip_.fraction > 0.0; }

    /// params[i] -= scale * direction[i], after clipping the top fraction of `direction`'s
    /// coordinates when configured (direction may be modified).
    void apply_update(std::vector<at::Tensor>& params, std::vector<at::Tensor>& direction,
                      double scale) const;
    /// params[i] -= scale * numer[i] / denom[i] (a fused addcdiv when no coordinate clipping is
    /// configured, so that results match torch::optim bit for bit).
    void apply_ratio_update(std::vector<at::Tensor>& params, const std::vector<at::Tensor>& numer,
                            const std::vector<at::Tensor>& denom, double scale) const;

private:
    ClipOptions clip_;
    bool reset_each_round_ = false;
    std::int64_t steps_ = 0;
    std::optional<double> last_grad_norm_;
};

/// Builds the inner optimizer a spec describes (kind sgd | adamw | rmsprop | delta-sgd).
/// Throws hetsim::ConfigError naming the `inner.*` key for an unknown kind or an invalid
/// value (negative momentum, betas outside [0, 1), clip_fraction outside [0, 1), ...).
std::unique_ptr<InnerOptimizer> make_inner_optimizer(const scenarios::InnerOptimizerSpec& spec);

}  // namespace hetsim::engine
