#pragma once
// Synthetic data drawn from the seed: the gaussian mixture of Liu et al. 2024's public toy
// example (classification) and linear regression with a known optimum.

#include "models/data/labelled_dataset.hpp"
#include "scenarios/training_spec.hpp"

#include <cstdint>

namespace hetsim::models {

/// Synthetic training and validation examples, and the parameters that generated them.
struct SyntheticData {
    LabelledData train;       ///< spec.examples examples
    LabelledData validation;  ///< spec.validation_examples further, independent examples
    /// gaussian-mixture: the centres [classes * clusters_per_class, D] (centre c * k_per + j
    /// belongs to class c); linear-synthetic: the true weights w* [D].
    at::Tensor parameters;
};

/// Centres ~ N(0, I_D), one per (class, cluster); an example picks a class and one of its
/// clusters uniformly and adds noise * N(0, I_D) to the centre. Features [N, D] float32,
/// targets [N] int64.
SyntheticData make_gaussian_mixture(const scenarios::DataSpec& spec, std::uint64_t seed);

/// X ~ N(0, 1) [N, D], w* ~ N(0, I_D), y = X w* + noise * N(0, 1). Features [N, D] float32,
/// targets [N] float32.
SyntheticData make_linear_synthetic(const scenarios::DataSpec& spec, std::uint64_t seed);

/// The linear-synthetic dataset, with the closed-form optimum of its training data for tests.
class LinearSyntheticDataset final : public LabelledDataset {
public:
    LinearSyntheticDataset(SyntheticData data, std::vector<std::vector<std::int64_t>> shards,
                           std::uint64_t seed, std::string fingerprint);
    /// w* that generated the targets, [D] float32.
    const at::Tensor& true_weights() const { return weights_; }
    /// argmin_w |X w - y|^2 over all training examples (normal equations solved by Cholesky in
    /// float64), [D] float32.
    at::Tensor least_squares_solution() const;

private:
    at::Tensor weights_;
};

}  // namespace hetsim::models
