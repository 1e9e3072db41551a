#include "models/data/synthetic_data.hpp"

#include "models/data/data_random.hpp"

#include <boost/random/normal_distribution.hpp>
#include <boost/random/uniform_int_distribution.hpp>
#include <torch/torch.h>

namespace hetsim::models {

namespace {

// [rows, cols] float32 of N(0, 1) draws, row by row.
at::Tensor normal_tensor(std::int64_t rows, std::int64_t cols, sim::Rng& rng) {
    boost::random::normal_distribution<double> normal(0.0, 1.0);
    at::Tensor out = torch::empty({rows, cols}, torch::kFloat32);
    float* p = out.data_ptr<float>();
    for (std::int64_t i = 0; i < rows * cols; ++i) p[i] = static_cast<float>(normal(rng));
    return out;
}

LabelledData mixture_examples(const scenarios::DataSpec& spec, const at::Tensor& centres,
                              std::int64_t n, sim::Rng& rng) {
    const std::int64_t d = spec.dimension;
    boost::random::uniform_int_distribution<int> pick_class(0, spec.classes - 1);
    boost::random::uniform_int_distribution<int> pick_cluster(0, spec.clusters_per_class - 1);
    boost::random::normal_distribution<double> normal(0.0, 1.0);
    at::Tensor features = torch::empty({n, d}, torch::kFloat32);  // [N, D]
    at::Tensor labels = torch::empty({n}, torch::kInt64);         // [N]
    float* x = features.data_ptr<float>();
    std::int64_t* y = labels.data_ptr<std::int64_t>();
    const float* c = centres.data_ptr<float>();
    for (std::int64_t i = 0; i < n; ++i) {
        const int label = pick_class(rng);
        const std::int64_t centre = label * spec.clusters_per_class + pick_cluster(rng);
        y[i] = label;
        for (std::int64_t j = 0; j < d; ++j)
            x[i * d + j] = c[centre * d + j] + static_cast<float>(spec.noise * normal(rng));
    }
    return {features, labels};
}

LabelledData linear_examples(const scenarios::DataSpec& spec, const at::Tensor& weights,
                             std::int64_t n, sim::Rng& rng) {
    const std::int64_t d = spec.dimension;
    at::Tensor features = normal_tensor(n, d, rng);  // [N, D]
    // Noise drawn after all features: the same X whatever the noise level.
    at::Tensor noise = normal_tensor(n, 1, rng);              // [N, 1]
    at::Tensor targets = torch::empty({n}, torch::kFloat32);  // [N]
    const float* x = features.data_ptr<float>();
    const float* w = weights.data_ptr<float>();
    const float* e = noise.data_ptr<float>();
    float* y = targets.data_ptr<float>();
    // A plain float64 loop rather than a BLAS call: the same bits on every machine.
    for (std::int64_t i = 0; i < n; ++i) {
        double sum = spec.noise * static_cast<double>(e[i]);
        for (std::int64_t j = 0; j < d; ++j)
            sum += static_cast<double>(x[i * d + j]) * static_cast<double>(w[j]);
        y[i] = static_cast<float>(sum);
    }
    return {features, targets};
}

}  // namespace

SyntheticData make_gaussian_mixture(const scenarios::DataSpec& spec, std::uint64_t seed) {
    sim::Rng centre_rng = data_stream(seed, DataStream::centres);
    at::Tensor centres = normal_tensor(std::int64_t{spec.classes} * spec.clusters_per_class,
                                       spec.dimension, centre_rng);
    sim::Rng train_rng = data_stream(seed, DataStream::train_set);
    sim::Rng validation_rng = data_stream(seed, DataStream::validation_set);
    return {mixture_examples(spec, centres, spec.examples, train_rng),
            mixture_examples(spec, centres, spec.validation_examples, validation_rng), centres};
}

SyntheticData make_linear_synthetic(const scenarios::DataSpec& spec, std::uint64_t seed) {
    sim::Rng weight_rng = data_stream(seed, DataStream::centres);
    at::Tensor weights = normal_tensor(spec.dimension, 1, weight_rng).squeeze(1);  // [D]
    sim::Rng train_rng = data_stream(seed, DataStream::train_set);
    sim::Rng validation_rng = data_stream(seed, DataStream::validation_set);
    return {linear_examples(spec, weights, spec.examples, train_rng),
            linear_examples(spec, weights, spec.validation_examples, validation_rng), weights};
}

LinearSyntheticDataset::LinearSyntheticDataset(SyntheticData data,
                                               std::vector<std::vector<std::int64_t>> shards,
                                               std::uint64_t seed, std::string fingerprint)
    : LabelledDataset(
          [&] {
              DataShape shape;
              shape.task = "regression";
              shape.input_dim = data.train.features.size(1);
              return shape;
          }(),
          data.train, std::move(shards), data.validation, seed, std::move(fingerprint)),
      weights_(data.parameters) {}

at::Tensor LinearSyntheticDataset::least_squares_solution() const {
    const at::Tensor x = train_data().features.to(torch::kFloat64);  // [N, D]
    const at::Tensor y = train_data().targets.to(torch::kFloat64);   // [N]
    const at::Tensor gram = at::matmul(x.t(), x);                    // [D, D]
    const at::Tensor rhs = at::matmul(x.t(), y).unsqueeze(1);        // [D, 1]
    const at::Tensor factor = at::linalg_cholesky(gram);
    return at::cholesky_solve(rhs, factor).squeeze(1).to(torch::kFloat32);  // [D]
}

}  // namespace hetsim::models
