#pragma once
// Private to models/: constructors of the non-transformer models, called by make_model() after
// it has validated the spec against the data (sizes here are known to be positive).

#include "models/model.hpp"
#include "models/parameter_set.hpp"

#include <cstdint>
#include <memory>
#include <vector>

namespace hetsim::models {

/// Classifier [B, input_dim] -> [B, classes]: Linear layers of widths `hidden` with ReLU between
/// them, PyTorch's default init (U(-1/sqrt(fan_in), 1/sqrt(fan_in)) for weights and biases).
/// Inputs of any shape [B, ...] are flattened (MNIST images work too).
std::unique_ptr<Model> make_mlp(std::int64_t input_dim, const std::vector<std::int64_t>& hidden,
                                std::int64_t classes, const Placement& placement,
                                std::uint64_t seed);

/// MNIST classifier [B, 1, 28, 28] (or [B, 784]) -> [B, classes]: two 5x5 convolutions
/// (16 and 32 channels, padding 2, each ReLU + 2x2 max-pool) and two Linear layers
/// (1568 -> 128 -> classes).
std::unique_ptr<Model> make_cnn(std::int64_t classes, const Placement& placement,
                                std::uint64_t seed);

/// Least squares without bias: prediction x . w, w [input_dim]. Training loss
/// 0.5 mean((x w - y)^2), so its minimiser is the least-squares solution; evaluate() sums the
/// plain squared error (loss_sum / count is the MSE, twice the training loss).
std::unique_ptr<Model> make_linear(std::int64_t input_dim, const Placement& placement,
                                   std::uint64_t seed);

}  // namespace hetsim::models
