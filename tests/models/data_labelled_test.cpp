#include "tests/torch_test.hpp"

#include "models/data/data_store.hpp"
#include "models/data/labelled_dataset.hpp"
#include "models/data/mnist.hpp"
#include "models/data/synthetic_data.hpp"
#include "models/dataset.hpp"
#include "sim/error.hpp"

#include <numeric>

using namespace hetsim::models;
using hetsim::scenarios::DataSpec;

namespace {

std::int64_t sum(const std::vector<std::int64_t>& v) {
    return std::accumulate(v.begin(), v.end(), std::int64_t{0});
}

DataSpec source(const std::string& name) {
    DataSpec spec;
    spec.source = name;
    return spec;
}

}  // namespace

TEST_CASE("MNIST loads 10 digits of 28x28 pixels with the package's label counts") {
    const LabelledData all = load_mnist(verified_package_folder(default_data_dir(), kMnistPackage));
    CHECK((all.features.sizes() == at::IntArrayRef({10000, 784})));
    CHECK((all.features.scalar_type() == at::kFloat));
    CHECK(all.features.min().item<float>() == 0.0F);
    CHECK(all.features.max().item<float>() <= 1.0F);
    const at::Tensor counts = at::bincount(all.targets);
    const std::vector<std::int64_t> expected = {1001, 1127, 991,  1032, 980,
                                                863,  1014, 1070, 944,  978};
    CHECK(counts.equal(torch::tensor(expected, torch::kInt64)));
}

TEST_CASE("the MNIST dataset has flat inputs, a held-out tenth and skewed Dirichlet shards") {
    DataSpec spec = source("mnist");
    spec.validation_examples = 300;
    const auto data = make_dataset(spec, 4, 1, default_data_dir(), 0);
    const DataShape shape = data->shape();
    CHECK(shape.task == "classification");
    CHECK(shape.input_dim == 784);
    CHECK(shape.classes == 10);
    CHECK_FALSE(shape.image);
    const Batch b = data->train_batch(0, 0, 16);
    CHECK((b.inputs.sizes() == at::IntArrayRef({16, 784})));
    CHECK((b.targets.sizes() == at::IntArrayRef({16})));
    CHECK((b.targets.scalar_type() == at::kLong));
    std::int64_t train = 0;
    for (const auto& counts : data->shard_label_counts()) train += sum(counts);
    CHECK(train == 10000 - 999);  // round(0.1 n) per digit: 100+113+99+103+98+86+101+107+94+98
    std::int64_t validation = 0;
    for (const Batch& v : data->validation_batches(64)) validation += v.inputs.size(0);
    CHECK(validation == 300);

    spec.partition = "dirichlet";
    spec.dirichlet_alpha = 0.1;
    const auto skewed = make_dataset(spec, 10, 1, default_data_dir(), 0);
    int dominated = 0;
    for (const auto& counts : skewed->shard_label_counts()) {
        const std::int64_t top = *std::max_element(counts.begin(), counts.end());
        if (2 * top >= sum(counts)) ++dominated;  // one label is at least half the shard
    }
    CHECK(dominated >= 5);
    spec.partition = "genre";
    CHECK_THROWS_WITH_AS(make_dataset(spec, 4, 1, default_data_dir(), 0),
                         doctest::Contains("genre applies to brown only"), hetsim::ConfigError);
}

TEST_CASE("the gaussian mixture is deterministic per seed and has the documented shapes") {
    DataSpec spec = source("gaussian-mixture");
    spec.examples = 1000;
    spec.validation_examples = 200;
    const SyntheticData a = make_gaussian_mixture(spec, 3);
    CHECK((a.train.features.sizes() == at::IntArrayRef({1000, 16})));
    CHECK((a.train.targets.sizes() == at::IntArrayRef({1000})));
    CHECK((a.validation.features.sizes() == at::IntArrayRef({200, 16})));
    CHECK((a.parameters.sizes() == at::IntArrayRef({8, 16})));  // 4 classes x 2 clusters
    CHECK(a.train.targets.min().item<std::int64_t>() == 0);
    CHECK(a.train.targets.max().item<std::int64_t>() == 3);
    const SyntheticData same = make_gaussian_mixture(spec, 3);
    CHECK(a.train.features.equal(same.train.features));
    CHECK(a.train.targets.equal(same.train.targets));
    CHECK_FALSE(a.train.features.equal(make_gaussian_mixture(spec, 4).train.features));
    // Nearly every example lies nearest to a centre of its own class (noise 0.5 in 16
    // dimensions against centres about 5.7 apart).
    const at::Tensor d = at::cdist(a.train.features, a.parameters);          // [N, 8]
    const at::Tensor nearest_class = std::get<1>(d.min(1)).div(2, "floor");  // [N]
    CHECK(nearest_class.eq(a.train.targets).sum().item<std::int64_t>() >= 990);

    const auto data = make_dataset(spec, 4, 3, default_data_dir(), 0);
    CHECK(data->shape().input_dim == 16);
    CHECK(data->shape().classes == 4);
    std::int64_t total = 0;
    for (const auto& counts : data->shard_label_counts()) total += sum(counts);
    CHECK(total == 1000);
    CHECK(data->fingerprint() == make_dataset(spec, 4, 3, default_data_dir(), 0)->fingerprint());
    CHECK(data->fingerprint() != make_dataset(spec, 4, 4, default_data_dir(), 0)->fingerprint());
    spec.examples = 3;
    CHECK_THROWS_WITH_AS(make_dataset(spec, 4, 3, default_data_dir(), 0),
                         doctest::Contains("4 shards but only 3 training examples"),
                         hetsim::ConfigError);
}

TEST_CASE("linear-synthetic is deterministic and its least-squares solution matches lstsq") {
    DataSpec spec = source("linear-synthetic");
    spec.examples = 500;
    spec.dimension = 8;
    spec.noise = 0.1;
    spec.validation_examples = 50;
    const auto data = make_dataset(spec, 2, 11, default_data_dir(), 0);
    const auto& linear = dynamic_cast<const LinearSyntheticDataset&>(*data);
    CHECK(data->shape().task == "regression");
    CHECK(data->shape().input_dim == 8);
    CHECK(data->shard_label_counts().empty());
    const Batch b = data->train_batch(1, 0, 5);
    CHECK((b.inputs.sizes() == at::IntArrayRef({5, 8})));
    CHECK((b.targets.sizes() == at::IntArrayRef({5})));
    CHECK((b.targets.scalar_type() == at::kFloat));
    CHECK(data->validation_batches(64).at(0).inputs.size(0) == 50);

    const at::Tensor x = linear.train_data().features.to(at::kDouble);
    const at::Tensor y = linear.train_data().targets.to(at::kDouble).unsqueeze(1);
    const at::Tensor reference = std::get<0>(at::linalg_lstsq(x, y)).squeeze(1).to(at::kFloat);
    const at::Tensor solution = linear.least_squares_solution();
    CHECK((solution.sizes() == at::IntArrayRef({8})));
    CHECK(solution.allclose(reference, 1e-5, 1e-5));
    CHECK(solution.allclose(linear.true_weights(), 0.0, 0.05));  // little noise, many examples

    const auto again = make_dataset(spec, 2, 11, default_data_dir(), 0);
    const auto& linear_again = dynamic_cast<const LinearSyntheticDataset&>(*again);
    CHECK(linear_again.train_data().features.equal(linear.train_data().features));
    CHECK(linear_again.train_data().targets.equal(linear.train_data().targets));
    spec.partition = "dirichlet";
    CHECK_THROWS_AS(make_dataset(spec, 2, 11, default_data_dir(), 0), hetsim::ConfigError);
}
