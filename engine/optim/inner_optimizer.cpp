#include "engine/optim/inner_optimizer.hpp"

#include "engine/optim/clipping.hpp"
#include "engine/optim/delta_sgd.hpp"
#include "engine/optim/inner_adamw.hpp"
#include "engine/optim/inner_rmsprop.hpp"
#include "engine/optim/inner_sgd.hpp"
#include "engine/optim/tensor_list.hpp"
#include "sim/error.hpp"

#include <torch/torch.h>

#include <cmath>
#include <string_view>

namespace hetsim::engine {

void InnerOptimizer::step(std::vector<at::Tensor>& params, const std::vector<at::Tensor>& grads,
                          double lr) {
    HETSIM_ASSERT(params.size() == grads.size(), "{} parameters but {} gradients", params.size(),
                  grads.size());
    torch::NoGradGuard no_grad;
    ++steps_;
    if (params.empty()) return;
    if (clip_.max_norm > 0.0) {
        const double norm = tensor_list::global_norm(grads);
        last_grad_norm_ = norm;
        if (norm > clip_.max_norm) {
            // Clip a copy: the caller's gradients stay as they were.
            auto clipped = tensor_list::clone(grads);
            tensor_list::scale_(clipped, clip_.max_norm / norm);
            update(params, clipped, lr);
            return;
        }
    }
    update(params, grads, lr);
}

void InnerOptimizer::reset() {
    steps_ = 0;
    last_grad_norm_.reset();
    reset_state();
}

void InnerOptimizer::begin_round() {
    if (reset_each_round_) reset();
}

void InnerOptimizer::apply_update(std::vector<at::Tensor>& params,
                                  std::vector<at::Tensor>& direction, double scale) const {
    if (clip_.fraction > 0.0) clip_top_fraction_(direction, clip_.fraction);
    tensor_list::axpy_(params, -scale, direction);
}

void InnerOptimizer::apply_ratio_update(std::vector<at::Tensor>& params,
                                        const std::vector<at::Tensor>& numer,
                                        const std::vector<at::Tensor>& denom,
                                        double scale) const {
    if (params.empty()) return;
    if (clip_.fraction > 0.0) {
        auto direction = at::_foreach_div(numer, denom);
        apply_update(params, direction, scale);
        return;
    }
    at::_foreach_addcdiv_(params, numer, denom, -scale);
}

namespace {

void require(bool ok, std::string_view key, std::string_view expected, double found) {
    if (!ok)
        throw ConfigError(fmt::format("inner.{}: expected {}, found {}", key, expected, found));
}

void validate(const scenarios::InnerOptimizerSpec& spec) {
    require(spec.lr > 0.0 && std::isfinite(spec.lr), "lr", "a number > 0", spec.lr);
    require(spec.momentum >= 0.0 && spec.momentum < 1.0, "momentum", "a number in [0, 1)",
            spec.momentum);
    require(spec.beta1 >= 0.0 && spec.beta1 < 1.0, "beta1", "a number in [0, 1)", spec.beta1);
    require(spec.beta2 >= 0.0 && spec.beta2 < 1.0, "beta2", "a number in [0, 1)", spec.beta2);
    require(spec.alpha >= 0.0 && spec.alpha < 1.0, "alpha", "a number in [0, 1)", spec.alpha);
    require(spec.eps > 0.0, "eps", "a number > 0", spec.eps);
    require(spec.weight_decay >= 0.0, "weight_decay", "a number >= 0", spec.weight_decay);
    require(spec.clip_norm >= 0.0, "clip_norm", "a number >= 0 (0 = off)", spec.clip_norm);
    require(spec.clip_fraction >= 0.0 && spec.clip_fraction < 1.0, "clip_fraction",
            "a number in [0, 1) (0 = off)", spec.clip_fraction);
    if (spec.fused && (spec.kind != "adamw" || spec.clip_fraction > 0.0))
        throw ConfigError(fmt::format("inner.fused: the fused kernel is AdamW's, without "
                                      "clip_fraction; found optimizer \"{}\", clip_fraction {}",
                                      spec.kind, spec.clip_fraction));
    if (spec.nesterov && spec.momentum <= 0.0)
        throw ConfigError("inner.nesterov: Nesterov momentum needs inner.momentum > 0");
    if (spec.kind == "delta-sgd") {
        require(spec.delta_eta0 > 0.0, "delta_eta0", "a number > 0", spec.delta_eta0);
        require(spec.delta_theta0 >= 0.0, "delta_theta0", "a number >= 0", spec.delta_theta0);
        require(spec.delta_gamma > 0.0, "delta_gamma", "a number > 0", spec.delta_gamma);
        require(spec.delta_delta >= 0.0, "delta_delta", "a number >= 0", spec.delta_delta);
    }
}

}  // namespace

std::unique_ptr<InnerOptimizer> make_inner_optimizer(const scenarios::InnerOptimizerSpec& spec) {
    validate(spec);
    const ClipOptions clip{spec.clip_norm, spec.clip_fraction};
    if (spec.kind == "sgd")
        return std::make_unique<InnerSgd>(
            SgdOptions{spec.momentum, spec.nesterov, spec.weight_decay}, clip,
            spec.reset_each_round);
    if (spec.kind == "adamw")
        return std::make_unique<InnerAdamW>(
            AdamWOptions{spec.beta1, spec.beta2, spec.eps, spec.weight_decay, spec.fused}, clip,
            spec.reset_each_round);
    if (spec.kind == "rmsprop")
        return std::make_unique<InnerRmsProp>(
            RmsPropOptions{spec.alpha, spec.eps, spec.weight_decay, spec.momentum}, clip,
            spec.reset_each_round);
    if (spec.kind == "delta-sgd")
        return std::make_unique<DeltaSgd>(
            DeltaSgdOptions{spec.delta_eta0, spec.delta_theta0, spec.delta_gamma,
                            spec.delta_delta, spec.weight_decay},
            clip);
    throw ConfigError(fmt::format(
        "inner.kind: expected \"sgd\", \"adamw\", \"rmsprop\" or \"delta-sgd\", found \"{}\"",
        spec.kind));
}

}  // namespace hetsim::engine
