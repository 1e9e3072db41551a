#include "models/model_kinds.hpp"

#include <fmt/format.h>

#include <cmath>

namespace hetsim::models {
namespace {

// No bias on purpose: the minimiser of 0.5 mean((x w - y)^2) is then exactly the solution of
// the normal equations X^T X w = X^T y, which tests and toy scenarios compare against.
class Linear final : public Model {
public:
    Linear(std::int64_t input_dim, const Placement& placement, std::uint64_t seed)
        : input_dim_(input_dim), params_(placement, seed) {
        weight_ = params_.uniform({input_dim}, 1.0 / std::sqrt(static_cast<double>(input_dim)));
        params_.pack();
    }

    std::vector<at::Tensor> parameters() override { return params_.tensors(); }

    /// 0.5 mean((x w - y)^2): the 1/2 makes the gradient X^T (X w - y) / B.
    at::Tensor loss(const Batch& batch) override { return 0.5 * residuals(batch).square().mean(); }

    at::Tensor replica_losses(const std::vector<at::Tensor>& stacked, const Batch& batch) override {
        const Placement& where = params_.placement();
        const std::int64_t r = stacked[0].size(0);
        const at::Tensor x = where.place(batch.inputs).reshape({r, -1, input_dim_});  // [R, B, D]
        const at::Tensor y = where.place(batch.targets).reshape({r, -1});             // [R, B]
        const at::Tensor residuals = (at::bmm(x, stacked[0].unsqueeze(2)).squeeze(2) - y);
        return 0.5 * residuals.to(at::kFloat).square().mean(1);
    }

    /// loss_sum = sum of squared errors (not halved), count = examples, correct = 0.
    EvalSums evaluate(const Batch& batch) override {
        const at::NoGradGuard no_grad;
        const at::Tensor r = residuals(batch);
        EvalSums sums;
        sums.loss_sum = r.square().sum().item<double>();
        sums.count = r.numel();
        return sums;
    }

    double flops_per_example() const override { return 6.0 * static_cast<double>(input_dim_); }

    std::string describe() const override {
        return fmt::format("linear: least squares, {} parameters (no bias), {}", input_dim_,
                           params_.placement().describe());
    }

private:
    at::Tensor residuals(const Batch& batch) const {  // [B], float32 for the sums
        const Placement& where = params_.placement();
        const at::Tensor x = where.place(batch.inputs).reshape({-1, input_dim_});  // [B, D]
        const at::Tensor y = where.place(batch.targets).reshape({-1});             // [B]
        return (at::mv(x, weight_) - y).to(at::kFloat);
    }

    std::int64_t input_dim_;
    ParameterSet params_;
    at::Tensor weight_;  // [D]
};

}  // namespace

std::unique_ptr<Model> make_linear(std::int64_t input_dim, const Placement& placement,
                                   std::uint64_t seed) {
    return std::make_unique<Linear>(input_dim, placement, seed);
}

}  // namespace hetsim::models
