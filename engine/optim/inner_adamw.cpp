#include "engine/optim/inner_adamw.hpp"

#include "engine/optim/fused_kernels.hpp"
#include "engine/optim/tensor_list.hpp"
#include "sim/error.hpp"

#include <torch/torch.h>

#include <cmath>

namespace hetsim::engine {

InnerAdamW::InnerAdamW(AdamWOptions options, ClipOptions clip, bool reset_each_round)
    : InnerOptimizer(clip, reset_each_round), options_(options) {}

void InnerAdamW::reset_state() {
    exp_avg_.clear();
    exp_avg_sq_.clear();
}

void InnerAdamW::update(std::vector<at::Tensor>& params, const std::vector<at::Tensor>& grads,
                        double lr) {
    create_state(params);
    // The step count is this object's, so a worker that joins late (or resets) bias-corrects
    // from 1.
    const auto t = static_cast<double>(steps());
    const double bias_correction1 = 1.0 - std::pow(options_.beta1, t);
    const double bias_correction2 = 1.0 - std::pow(options_.beta2, t);
    // One pass per tensor where it gives the same bits as the operations below (it then
    // replaces nine ATen calls and memory passes per tensor); inner.fused requires it.
    if (one_pass_applies(params, grads)) {
        fused_update(params, grads, lr, bias_correction1, bias_correction2);
        return;
    }
    HETSIM_CHECK(!options_.fused,
                 "inner.fused: the one-pass AdamW kernel needs contiguous CPU float32 parameters "
                 "and gradients, clip_fraction = 0 and a CPU with AVX2 and FMA whose ATen "
                 "kernels round as it does");
    aten_update(params, grads, lr, bias_correction1, bias_correction2);
}

void InnerAdamW::aten_update(std::vector<at::Tensor>& params, const std::vector<at::Tensor>& grads,
                             double lr, double bias_correction1, double bias_correction2) {
    // The operations of torch::optim::AdamW::step (LibTorch 1.13) in their order.
    if (options_.weight_decay != 0.0) at::_foreach_mul_(params, 1.0 - lr * options_.weight_decay);

    at::_foreach_mul_(exp_avg_, options_.beta1);
    at::_foreach_add_(exp_avg_, grads, 1.0 - options_.beta1);
    at::_foreach_mul_(exp_avg_sq_, options_.beta2);
    at::_foreach_addcmul_(exp_avg_sq_, grads, grads, 1.0 - options_.beta2);

    auto denom = at::_foreach_sqrt(exp_avg_sq_);
    at::_foreach_div_(denom, std::sqrt(bias_correction2));
    at::_foreach_add_(denom, options_.eps);
    apply_ratio_update(params, exp_avg_, denom, lr / bias_correction1);
}

bool InnerAdamW::one_pass_matches_aten() {
    static const bool matches = [] {
        if (!fused::adamw_supported()) return false;
        // Probe values with every ATen code path: 67 elements = vector loops and a scalar tail.
        // Two steps from zero state, as AdamW's first steps run; lr and betas as typical.
        AdamWOptions options{0.9, 0.999, 1e-8, 0.01, false};
        const std::int64_t n = 67;
        const at::Tensor index = at::arange(n, at::kFloat);
        std::vector<at::Tensor> p_aten{at::sin(index * 1.3f)}, p_fused{p_aten[0].clone()};
        InnerAdamW aten(options), one_pass(options);
        for (int step = 1; step <= 2; ++step) {
            const std::vector<at::Tensor> grads{at::cos(index * (0.7f * float(step))) * 0.1f};
            aten.create_state(p_aten);
            one_pass.create_state(p_fused);
            const double bc1 = 1.0 - std::pow(0.9, step), bc2 = 1.0 - std::pow(0.999, step);
            aten.aten_update(p_aten, grads, 3e-3, bc1, bc2);
            one_pass.fused_update(p_fused, grads, 3e-3, bc1, bc2);
        }
        return at::equal(p_aten[0], p_fused[0]) &&
               at::equal(aten.exp_avg_[0], one_pass.exp_avg_[0]) &&
               at::equal(aten.exp_avg_sq_[0], one_pass.exp_avg_sq_[0]);
    }();
    return matches;
}

void InnerAdamW::create_state(const std::vector<at::Tensor>& params) {
    if (!exp_avg_.empty()) return;
    exp_avg_ = tensor_list::zeros_like(params);
    exp_avg_sq_ = tensor_list::zeros_like(params);
}

bool InnerAdamW::one_pass_applies(const std::vector<at::Tensor>& params,
                                  const std::vector<at::Tensor>& grads) const {
    return !clips_coordinates() && tensor_list::fusable(params) && tensor_list::fusable(grads) &&
           one_pass_matches_aten();
}

void InnerAdamW::fused_update(std::vector<at::Tensor>& params,
                              const std::vector<at::Tensor>& grads, double lr,
                              double bias_correction1, double bias_correction2) {
    // One pass over each tensor instead of nine ATen calls per tensor.
    const fused::AdamWScalars s{static_cast<float>(1.0 - lr * options_.weight_decay),
                                static_cast<float>(options_.beta1),
                                static_cast<float>(1.0 - options_.beta1),
                                static_cast<float>(options_.beta2),
                                static_cast<float>(1.0 - options_.beta2),
                                static_cast<float>(std::sqrt(bias_correction2)),
                                static_cast<float>(options_.eps),
                                static_cast<float>(-lr / bias_correction1)};
    for (std::size_t i = 0; i < params.size(); ++i) {
        fused::adamw(params[i].data_ptr<float>(), grads[i].data_ptr<float>(),
                     exp_avg_[i].data_ptr<float>(), exp_avg_sq_[i].data_ptr<float>(),
                     params[i].numel(), s);
        params[i].unsafeGetTensorImpl()->bump_version();  // as an in-place op would
    }
}

std::unique_ptr<InnerOptimizer> InnerAdamW::clone_impl() const {
    std::unique_ptr<InnerAdamW> copy(new InnerAdamW(*this));
    copy->exp_avg_ = tensor_list::clone(exp_avg_);
    copy->exp_avg_sq_ = tensor_list::clone(exp_avg_sq_);
    return copy;
}

}  // namespace hetsim::engine
