#include "models/losses.hpp"
#include "models/model_kinds.hpp"
#include "models/replica_ops.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <cmath>

namespace hetsim::models {
namespace {

class Mlp final : public Model {
public:
    Mlp(std::int64_t input_dim, const std::vector<std::int64_t>& hidden, std::int64_t classes,
        const Placement& placement, std::uint64_t seed)
        : params_(placement, seed) {
        widths_.push_back(input_dim);
        widths_.insert(widths_.end(), hidden.begin(), hidden.end());
        widths_.push_back(classes);
        for (std::size_t i = 0; i + 1 < widths_.size(); ++i) {
            const double bound = 1.0 / std::sqrt(static_cast<double>(widths_[i]));
            weights_.push_back(params_.uniform({widths_[i + 1], widths_[i]}, bound));
            biases_.push_back(params_.uniform({widths_[i + 1]}, bound));
        }
        params_.pack();
    }

    std::vector<at::Tensor> parameters() override { return params_.tensors(); }

    at::Tensor loss(const Batch& batch) override {
        return mean_cross_entropy(logits(batch.inputs), params_.placement().place(batch.targets));
    }

    EvalSums evaluate(const Batch& batch) override {
        const at::NoGradGuard no_grad;
        return cross_entropy_sums(logits(batch.inputs), params_.placement().place(batch.targets));
    }

    at::Tensor replica_losses(const std::vector<at::Tensor>& stacked, const Batch& batch) override {
        const Placement& where = params_.placement();
        at::Tensor x = where.place(batch.inputs).flatten(2);  // [R, B, D]
        const std::size_t layers = weights_.size();
        for (std::size_t i = 0; i < layers; ++i) {
            x = replica::linear(x, stacked[2 * i], stacked[2 * i + 1]);
            if (i + 1 < layers) x = at::relu(x);
        }
        return replica::mean_cross_entropy(x, where.place(batch.targets));
    }

    double flops_per_example() const override { return 6.0 * static_cast<double>(params_.count()); }

    std::string describe() const override {
        return fmt::format("mlp: widths {}, {} parameters, {}", fmt::join(widths_, "-"),
                           params_.count(), params_.placement().describe());
    }

private:
    at::Tensor logits(const at::Tensor& inputs) const {
        at::Tensor x = params_.placement().place(inputs).flatten(1);  // [B, D]
        for (std::size_t i = 0; i < weights_.size(); ++i) {
            x = at::linear(x, weights_[i], biases_[i]);
            if (i + 1 < weights_.size()) x = at::relu(x);
        }
        return x;  // [B, classes]
    }

    std::vector<std::int64_t> widths_;
    ParameterSet params_;
    std::vector<at::Tensor> weights_, biases_;
};

}  // namespace

std::unique_ptr<Model> make_mlp(std::int64_t input_dim, const std::vector<std::int64_t>& hidden,
                                std::int64_t classes, const Placement& placement,
                                std::uint64_t seed) {
    return std::make_unique<Mlp>(input_dim, hidden, classes, placement, seed);
}

}  // namespace hetsim::models
