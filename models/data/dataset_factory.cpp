// make_dataset: checks the spec, then builds the source it names. Every combination that cannot
// work is a ConfigError here, before any data is read.

#include "models/data/brown_dataset.hpp"
#include "models/data/data_random.hpp"
#include "models/data/data_store.hpp"
#include "models/data/mnist.hpp"
#include "models/data/partition.hpp"
#include "models/data/synthetic_data.hpp"
#include "models/dataset.hpp"
#include "sim/error.hpp"

#include <torch/torch.h>

#include <cmath>

namespace hetsim::models {

namespace {

using Shards = std::vector<std::vector<std::int64_t>>;

void check_spec(const scenarios::DataSpec& spec, int shards) {
    const auto fail = [](std::string message) { throw ConfigError(std::move(message)); };
    if (spec.source != "brown" && spec.source != "mnist" && spec.source != "gaussian-mixture" &&
        spec.source != "linear-synthetic")
        fail(fmt::format("data.source: expected brown, mnist, gaussian-mixture or "
                         "linear-synthetic, found '{}'",
                         spec.source));
    if (shards < 1) fail(fmt::format("data.shards: expected at least 1 shard, found {}", shards));
    if (!(spec.validation_fraction >= 0.0 && spec.validation_fraction < 1.0))
        fail(fmt::format("data.validation_fraction: expected a number in [0, 1), found {}",
                         spec.validation_fraction));
    if (spec.validation_examples < 0)
        fail(fmt::format("data.validation_examples: expected at least 0, found {}",
                         spec.validation_examples));
    const bool labelled = spec.source == "mnist" || spec.source == "gaussian-mixture";
    if (spec.partition == "genre" && spec.source != "brown")
        fail(fmt::format("data.partition: genre applies to brown only, not {}", spec.source));
    if (spec.partition == "dirichlet" && !labelled)
        fail(fmt::format("data.partition: dirichlet needs labelled data (mnist or "
                         "gaussian-mixture), not {}",
                         spec.source));
    if (spec.partition != "iid" && spec.partition != "genre" && spec.partition != "dirichlet")
        fail(fmt::format("data.partition: expected iid, genre or dirichlet, found '{}'",
                         spec.partition));
    if (spec.source == "gaussian-mixture" || spec.source == "linear-synthetic") {
        if (spec.dimension < 1)
            fail(fmt::format("data.dimension: expected at least 1, found {}", spec.dimension));
        if (spec.examples < 1)
            fail(fmt::format("data.examples: expected at least 1, found {}", spec.examples));
        if (!(spec.noise >= 0.0 && std::isfinite(spec.noise)))
            fail(fmt::format("data.noise: expected a number >= 0, found {}", spec.noise));
    }
    if (spec.source == "gaussian-mixture") {
        if (spec.classes < 2)
            fail(fmt::format("data.classes: expected at least 2, found {}", spec.classes));
        if (spec.clusters_per_class < 1)
            fail(fmt::format("data.clusters_per_class: expected at least 1, found {}",
                             spec.clusters_per_class));
    }
}

// Fields every fingerprint holds: a format tag, the split, the partition and the seed.
Fnv1a common_digest(const scenarios::DataSpec& spec, int shards, std::uint64_t seed) {
    Fnv1a digest;
    digest.add(std::string_view("hetsim-data-1")).add(spec.source);
    digest.add(spec.validation_fraction).add(std::int64_t{spec.validation_examples});
    digest.add(spec.partition).add(std::int64_t{shards});
    if (spec.partition == "dirichlet") digest.add(spec.dirichlet_alpha);
    digest.add(static_cast<std::int64_t>(seed));
    return digest;
}

Shards partition_examples(const scenarios::DataSpec& spec, const LabelledData& train,
                          std::int64_t classes, int shards, std::uint64_t seed) {
    if (spec.partition != "dirichlet") return iid_partition(train.size(), shards, seed);
    const at::Tensor targets = train.targets.contiguous();
    const std::int64_t* y = targets.data_ptr<std::int64_t>();
    return dirichlet_partition(std::vector<std::int64_t>(y, y + train.size()),
                               static_cast<int>(classes), shards, spec.dirichlet_alpha, seed);
}

LabelledData select(const LabelledData& data, const std::vector<std::int64_t>& rows) {
    const at::Tensor index = torch::tensor(rows, torch::kInt64);
    return {data.features.index_select(0, index), data.targets.index_select(0, index)};
}

std::unique_ptr<Dataset> make_mnist_dataset(const scenarios::DataSpec& spec, int shards,
                                            std::uint64_t seed,
                                            const std::filesystem::path& data_dir, Fnv1a digest) {
    const LabelledData all = load_mnist(verified_package_folder(data_dir, kMnistPackage));
    const at::Tensor labels = all.targets.contiguous();
    const std::int64_t* y = labels.data_ptr<std::int64_t>();
    const std::vector<bool> held_out =
        held_out_per_group(std::vector<std::int64_t>(y, y + all.size()), spec.validation_fraction);
    std::vector<std::int64_t> train_rows;
    std::vector<std::int64_t> held_rows;  // digit by digit
    for (std::int64_t i = 0; i < all.size(); ++i)
        (held_out[static_cast<std::size_t>(i)] ? held_rows : train_rows).push_back(i);
    // The validation subset: evenly spaced over the held-out rows, so every digit is present.
    std::vector<std::int64_t> validation_rows;
    for (std::int64_t k :
         evenly_spaced(static_cast<std::int64_t>(held_rows.size()), spec.validation_examples))
        validation_rows.push_back(held_rows[static_cast<std::size_t>(k)]);
    LabelledData train = select(all, train_rows);
    DataShape shape;
    shape.task = "classification";
    shape.input_dim = kMnistPixels;
    shape.classes = 10;
    shape.image = false;  // flat [B, 784]; a cnn reshapes to [B, 1, 28, 28] itself
    Shards parts = partition_examples(spec, train, shape.classes, shards, seed);
    return std::make_unique<LabelledDataset>(
        shape, std::move(train), std::move(parts), select(all, validation_rows), seed,
        digest.add(std::string_view(kMnistPackage.integrity)).hex());
}

Fnv1a& add_synthetic_fields(Fnv1a& digest, const scenarios::DataSpec& spec) {
    digest.add(std::int64_t{spec.dimension}).add(spec.examples).add(spec.noise);
    if (spec.source == "gaussian-mixture")
        digest.add(std::int64_t{spec.classes}).add(std::int64_t{spec.clusters_per_class});
    return digest;
}

}  // namespace

std::unique_ptr<Dataset> make_dataset(const scenarios::DataSpec& spec, int workers,
                                      std::uint64_t seed, const std::filesystem::path& data_dir,
                                      std::int64_t context) {
    const int shards = spec.shards > 0 ? spec.shards : workers;
    check_spec(spec, shards);
    Fnv1a digest = common_digest(spec, shards, seed);
    if (spec.source == "brown")
        return make_brown_dataset(spec, shards, seed, data_dir, context, digest);
    if (spec.source == "mnist") return make_mnist_dataset(spec, shards, seed, data_dir, digest);
    if (spec.source == "gaussian-mixture") {
        SyntheticData data = make_gaussian_mixture(spec, seed);
        DataShape shape;
        shape.task = "classification";
        shape.input_dim = spec.dimension;
        shape.classes = spec.classes;
        Shards parts = partition_examples(spec, data.train, shape.classes, shards, seed);
        return std::make_unique<LabelledDataset>(shape, std::move(data.train), std::move(parts),
                                                 std::move(data.validation), seed,
                                                 add_synthetic_fields(digest, spec).hex());
    }
    if (spec.source == "linear-synthetic") {
        SyntheticData data = make_linear_synthetic(spec, seed);
        Shards parts = iid_partition(data.train.size(), shards, seed);
        return std::make_unique<LinearSyntheticDataset>(std::move(data), std::move(parts), seed,
                                                        add_synthetic_fields(digest, spec).hex());
    }
    HETSIM_ASSERT(false, "source '{}' passed check_spec", spec.source);
}

}  // namespace hetsim::models
