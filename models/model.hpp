#pragma once
// The model interface: a fixed list of parameter tensors, a differentiable loss on a batch and
// evaluation sums. Kept free of <torch/torch.h> (only the Tensor type), so that headers which
// many files include stay cheap to compile; the models themselves live in .cpp files.

#include "scenarios/training_spec.hpp"

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace hetsim::models {

/// A batch of examples, on the model's device.
/// lm: inputs [B, T] int64 tokens, targets [B, T] int64 next tokens.
/// classification: inputs [B, D] float (MNIST: [B, 1, 28, 28] for cnn), targets [B] int64.
/// regression: inputs [B, D] float, targets [B] float.
struct Batch {
    at::Tensor inputs;
    at::Tensor targets;
};

/// Evaluation sums over a batch: loss summed over tokens (lm) or examples, their count, and
/// correct predictions (classification; next-token accuracy for lm; 0 for regression).
struct EvalSums {
    double loss_sum = 0.0;
    std::int64_t count = 0;
    std::int64_t correct = 0;
    EvalSums& operator+=(const EvalSums& o) {
        loss_sum += o.loss_sum;
        count += o.count;
        correct += o.correct;
        return *this;
    }
};

/// What a model needs to know about its data.
struct DataShape {
    std::string task;            ///< "lm" | "classification" | "regression"
    std::int64_t vocab = 0;      ///< lm
    std::int64_t context = 0;    ///< lm: tokens per example
    std::int64_t input_dim = 0;  ///< classification / regression: features per example
    std::int64_t classes = 0;    ///< classification
    bool image = false;          ///< inputs are [B, 1, 28, 28] images (MNIST)
};

/// A mean loss and its gradient with respect to Model::parameters(), in that order.
struct LossAndGradients {
    at::Tensor loss;
    std::vector<at::Tensor> gradients;
};

class Model {
public:
    virtual ~Model() = default;
    /// The trainable parameters in a fixed order: leaf tensors with requires_grad, on the
    /// model's device. The trainer copies pulled parameters into them before inner steps.
    virtual std::vector<at::Tensor> parameters() = 0;
    /// Mean loss over the batch, differentiable with respect to parameters().
    virtual at::Tensor loss(const Batch& batch) = 0;
    /// loss(batch) and its gradient, the bits torch::autograd::grad gives (the default computes
    /// exactly that). A model may compute them directly (the MLP: no autograd graph, activations
    /// in buffers it reuses); the gradients are new tensors the caller owns. Not thread-safe:
    /// one thread per model at a time, as for every other call.
    virtual LossAndGradients loss_and_gradients(const Batch& batch);
    /// Sums for evaluation, computed without gradients.
    virtual EvalSums evaluate(const Batch& batch) = 0;
    /// Batched replicas (run.replica_batch, issue 7): the mean loss of each of R replicas of
    /// this model on its own batch, [R] float32. `stacked[i]` holds parameters()[i] of every
    /// replica, [R, ...shape]; `batch` holds the replicas' batches stacked, inputs and targets
    /// [R, B, ...]. Replica r's loss depends only on slice r of each tensor, so the gradient of
    /// the losses' sum holds every replica's own gradient: loss()'s up to float rounding
    /// (batched matmuls add in another order). The default throws hetsim::Error.
    virtual at::Tensor replica_losses(const std::vector<at::Tensor>& stacked, const Batch& batch);
    /// Forward + backward FLOPs of one example (3x the forward matmul FLOPs).
    virtual double flops_per_example() const = 0;
    /// One line: kind, sizes, parameter count.
    virtual std::string describe() const = 0;
    /// Number of scalar parameters.
    std::int64_t parameter_count();
};

/// Builds the model a spec describes, initialised deterministically from `seed`. Throws
/// hetsim::ConfigError for impossible combinations (e.g. cuda on a CPU-only LibTorch, heads
/// not dividing d_model) with a message naming the key.
std::unique_ptr<Model> make_model(const scenarios::ModelSpec& spec, const DataShape& shape,
                                  std::uint64_t seed);

/// Parameter count of a gpt spec without building it (for presets of 150M parameters).
std::int64_t gpt_parameter_count(const scenarios::ModelSpec& spec, std::int64_t vocab);

/// The spec with a gpt preset's sizes filled in (nano, tiny, 20M, 60M, 150M); explicit values
/// in `spec` are kept when preset is empty. Throws ConfigError for an unknown preset.
scenarios::ModelSpec resolve_gpt_preset(const scenarios::ModelSpec& spec);

}  // namespace hetsim::models
