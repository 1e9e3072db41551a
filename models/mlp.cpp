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

    // The operations autograd runs for loss() and torch::autograd::grad, called directly (no
    // graph, below the autograd dispatch), so the gradient has the same bits: per layer
    // addmm(b, x, W^T) and ReLU; log_softmax and nll_loss (cross_entropy_loss); back through
    // nll_loss_backward, _log_softmax_backward_data, then per layer dW = g^T h (AddmmBackward's
    // mat2 gradient, transposed back by TBackward), db = g summed over the batch (the engine's
    // sum_to), g h-gradient = g W (mat1's) and threshold_backward through the ReLU. Activations
    // live in buffers kept for the batch size; the gradients in one new packed buffer.
    LossAndGradients loss_and_gradients(const Batch& batch) override {
        const Placement& where = params_.placement();
        if (where.device != at::kCPU || where.dtype != at::kFloat)
            return Model::loss_and_gradients(batch);
        const at::AutoDispatchBelowADInplaceOrView below_autograd;
        const at::Tensor x = where.place(batch.inputs).flatten(1);  // [B, D]
        const at::Tensor targets = where.place(batch.targets);
        const std::size_t layers = weights_.size();
        Activations& a = activations_for(x.size(0));
        for (std::size_t i = 0; i < layers; ++i) {
            at::addmm_out(a.out[i], biases_[i], i == 0 ? x : a.out[i - 1], weights_[i].t());
            if (i + 1 < layers) a.out[i].relu_();  // ReLU's result: what its backward reads
        }
        at::_log_softmax_out(a.log_probs, a.out.back(), 1, false);
        auto [loss, total_weight] =
            at::nll_loss_forward(a.log_probs, targets, {}, at::Reduction::Mean, -100);
        at::nll_loss_backward_out(a.grad_log_probs, a.one, a.log_probs, targets, {},
                                  at::Reduction::Mean, -100, total_weight);
        at::_log_softmax_backward_data_out(a.grad_out.back(), a.grad_log_probs, a.log_probs, 1,
                                           at::kFloat);
        std::vector<at::Tensor> grads = packed_empty_like(params_.tensors());
        for (std::size_t i = layers; i-- > 0;) {
            const at::Tensor& g = a.grad_out[i];
            at::mm_out(grads[2 * i], g.t(), i == 0 ? x : a.out[i - 1]);
            at::sum_out(grads[2 * i + 1], g, {0});
            if (i == 0) break;
            at::mm_out(a.grad_in[i - 1], g, weights_[i]);
            at::threshold_backward_out(a.grad_out[i - 1], a.grad_in[i - 1], a.out[i - 1], 0);
        }
        return {std::move(loss), std::move(grads)};
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

    // loss_and_gradients' buffers for one batch size: out[i] the output of layer i (after its
    // ReLU), grad_out[i] the loss gradient there (before the ReLU), grad_in[i] after it.
    struct Activations {
        std::int64_t batch = -1;
        std::vector<at::Tensor> out, grad_out, grad_in;
        at::Tensor log_probs, grad_log_probs, one;
    };

    Activations& activations_for(std::int64_t batch) {
        if (activations_.batch == batch) return activations_;
        const at::TensorOptions options = at::TensorOptions().dtype(at::kFloat);
        Activations a;
        a.batch = batch;
        for (std::size_t i = 1; i < widths_.size(); ++i) {
            a.out.push_back(at::empty({batch, widths_[i]}, options));
            a.grad_out.push_back(at::empty({batch, widths_[i]}, options));
            a.grad_in.push_back(at::empty({batch, widths_[i]}, options));
        }
        a.log_probs = at::empty({batch, widths_.back()}, options);
        a.grad_log_probs = at::empty({batch, widths_.back()}, options);
        a.one = at::ones({}, options);  // d loss / d loss, as autograd::grad seeds it
        activations_ = std::move(a);
        return activations_;
    }

    std::vector<std::int64_t> widths_;
    ParameterSet params_;
    std::vector<at::Tensor> weights_, biases_;
    Activations activations_;
};

}  // namespace

std::unique_ptr<Model> make_mlp(std::int64_t input_dim, const std::vector<std::int64_t>& hidden,
                                std::int64_t classes, const Placement& placement,
                                std::uint64_t seed) {
    return std::make_unique<Mlp>(input_dim, hidden, classes, placement, seed);
}

}  // namespace hetsim::models
