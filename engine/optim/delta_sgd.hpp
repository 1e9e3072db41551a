#pragma once
// Delta-SGD (Kim, Toghani, Uribe & Kyrillidis, "Adaptive Federated Learning with Auto-Tuned
// Clients", ICLR 2024, arXiv 2306.11201, Algorithm 1): SGD whose step size adapts to the local
// smoothness seen by each client.

#include "engine/optim/inner_optimizer.hpp"

namespace hetsim::engine {

/// Options of DeltaSgd; defaults are the paper's (eta_0 0.2, theta_0 1, gamma 2, delta 0.1).
struct DeltaSgdOptions {
    double eta0 = 0.2;          ///< step size of a round's first step
    double theta0 = 1.0;        ///< initial step-size ratio
    double gamma = 2.0;         ///< scales the smoothness bound: gamma ||dx|| / (2 ||dg||)
    double delta = 0.1;         ///< damps the growth factor sqrt(1 + delta theta)
    double weight_decay = 0.0;  ///< L2 added to the applied direction (authors' code)
};

/// Algorithm 1, for the k-th local step of a round (k = 0, 1, ...), with gradient g_k at x_k:
///   k = 0:  eta_0 = eta0, theta_0 = theta0
///   k >= 1: eta_k = min( gamma ||x_k - x_{k-1}|| / (2 ||g_k - g_{k-1}||),
///                        sqrt(1 + delta theta_{k-1}) eta_{k-1} ),
///           theta_k = eta_k / eta_{k-1}
///   x_{k+1} = x_k - eta_k g_k
/// Norms are global over all parameters. With gamma = 2 the first term is ||dx|| / ||dg||, an
/// inverse local smoothness estimate (the authors' code writes it with damping = 2 / gamma).
/// Differences from the paper, both forced by the one-gradient-per-step interface:
///  - g_k - g_{k-1} uses consecutive minibatch gradients; the paper evaluates both points on
///    the same minibatch z_k (exact for deterministic gradients, e.g. the tests' quadratic);
///  - when ||dx|| or ||dg|| is 0 the bound is undefined and only the growth term is used (as
///    in the authors' code).
/// The `lr` argument of step() is ignored. The state (eta, theta, x_{k-1}, g_{k-1}) restarts
/// every round, as Algorithm 1 sets eta and theta back to eta_0, theta_0 for each round:
/// resets_each_round() is always true, so the trainer's begin_round() call resets it.
class DeltaSgd final : public InnerOptimizer {
public:
    explicit DeltaSgd(DeltaSgdOptions options = {}, ClipOptions clip = {});

    /// eta used by the last step (eta0 before the first step of a round).
    double step_size() const { return eta_; }
    /// theta after the last step (theta0 before the second step of a round).
    double theta() const { return theta_; }

private:
    void update(std::vector<at::Tensor>& params, const std::vector<at::Tensor>& grads,
                double lr) override;
    void reset_state() override;
    std::unique_ptr<InnerOptimizer> clone_impl() const override;
    DeltaSgd(const DeltaSgd&) = default;  // shallow: only clone_impl uses it

    DeltaSgdOptions options_;
    double eta_;
    double theta_;
    std::vector<at::Tensor> prev_params_;  ///< x_{k-1}
    std::vector<at::Tensor> prev_grads_;   ///< g_{k-1}
};

}  // namespace hetsim::engine
