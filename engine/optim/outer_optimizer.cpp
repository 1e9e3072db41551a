#include "engine/optim/outer_optimizer.hpp"

#include "engine/optim/delayed_nesterov.hpp"
#include "engine/optim/outer_adam.hpp"
#include "engine/optim/outer_nesterov.hpp"
#include "engine/optim/outer_sgd.hpp"
#include "sim/error.hpp"

#include <torch/torch.h>

#include <cmath>
#include <string_view>

namespace hetsim::engine {

void OuterOptimizer::step(std::vector<at::Tensor>& theta, const std::vector<at::Tensor>& g) {
    HETSIM_ASSERT(theta.size() == g.size(), "{} parameters but {} pseudo-gradients",
                  theta.size(), g.size());
    torch::NoGradGuard no_grad;
    ++steps_;
    if (theta.empty()) return;
    update(theta, g);
}

namespace {

void require(bool ok, std::string_view key, std::string_view expected, double found) {
    if (!ok)
        throw ConfigError(fmt::format("outer.{}: expected {}, found {}", key, expected, found));
}

}  // namespace

std::unique_ptr<OuterOptimizer> make_outer_optimizer(const scenarios::OuterOptimizerSpec& spec) {
    require(spec.lr > 0.0 && std::isfinite(spec.lr), "lr", "a number > 0", spec.lr);
    require(spec.momentum >= 0.0 && spec.momentum < 1.0, "momentum", "a number in [0, 1)",
            spec.momentum);
    if (spec.kind == "sgd") return std::make_unique<OuterSgd>(spec.lr, spec.momentum);
    if (spec.kind == "nesterov") return std::make_unique<OuterNesterov>(spec.lr, spec.momentum);
    if (spec.kind == "adam") {
        require(spec.beta1 >= 0.0 && spec.beta1 < 1.0, "beta1", "a number in [0, 1)", spec.beta1);
        require(spec.beta2 >= 0.0 && spec.beta2 < 1.0, "beta2", "a number in [0, 1)", spec.beta2);
        require(spec.eps > 0.0, "eps", "a number > 0", spec.eps);
        return std::make_unique<OuterAdam>(spec.lr, spec.beta1, spec.beta2, spec.eps);
    }
    if (spec.kind == "delayed-nesterov")
        return std::make_unique<DelayedNesterov>(spec.lr, spec.momentum, spec.buffer,
                                                 spec.activation);
    throw ConfigError(fmt::format(
        "outer.kind: expected \"sgd\", \"nesterov\", \"adam\" or \"delayed-nesterov\", found "
        "\"{}\"",
        spec.kind));
}

}  // namespace hetsim::engine
