#include "models/data/labelled_dataset.hpp"

#include "sim/error.hpp"

#include <torch/torch.h>

namespace hetsim::models {

std::int64_t LabelledData::size() const { return features.defined() ? features.size(0) : 0; }

std::vector<std::int64_t>
LabelledDataset::sizes(const std::vector<std::vector<std::int64_t>>& shards) {
    std::vector<std::int64_t> out;
    for (const auto& shard : shards) out.push_back(static_cast<std::int64_t>(shard.size()));
    return out;
}

LabelledDataset::LabelledDataset(DataShape shape, LabelledData train,
                                 std::vector<std::vector<std::int64_t>> shards,
                                 LabelledData validation, std::uint64_t seed,
                                 std::string fingerprint)
    : shape_(std::move(shape)), train_(std::move(train)), shards_(std::move(shards)),
      validation_(std::move(validation)), fingerprint_(std::move(fingerprint)),
      order_(seed, sizes(shards_)) {
    HETSIM_ASSERT(train_.features.dim() == 2 && train_.targets.dim() == 1 &&
                      train_.features.size(0) == train_.targets.size(0),
                  "features must be [N, D] and targets [N]");
}

const std::vector<std::int64_t>& LabelledDataset::shard_indices(int shard) const {
    return shards_.at(static_cast<std::size_t>(shard));
}

Batch LabelledDataset::train_batch(int shard, std::int64_t position, int count) const {
    const std::vector<std::int64_t> local = order_.indices(shard, position, count);
    const std::vector<std::int64_t>& members = shards_[static_cast<std::size_t>(shard)];
    at::Tensor index = torch::empty({static_cast<std::int64_t>(local.size())}, torch::kInt64);
    std::int64_t* p = index.data_ptr<std::int64_t>();
    for (std::size_t i = 0; i < local.size(); ++i)
        p[i] = members[static_cast<std::size_t>(local[i])];
    return {train_.features.index_select(0, index), train_.targets.index_select(0, index)};
}

std::vector<Batch> LabelledDataset::validation_batches(int batch_size) const {
    HETSIM_CHECK(batch_size > 0, "validation batch size must be positive, found {}", batch_size);
    std::vector<Batch> batches;
    const std::int64_t n = validation_.size();
    for (std::int64_t first = 0; first < n; first += batch_size) {
        const std::int64_t len = std::min<std::int64_t>(batch_size, n - first);
        batches.push_back({validation_.features.narrow(0, first, len).clone(),
                           validation_.targets.narrow(0, first, len).clone()});
    }
    return batches;
}

std::vector<std::vector<std::int64_t>> LabelledDataset::shard_label_counts() const {
    if (shape_.task != "classification") return {};
    const at::Tensor labels = train_.targets.contiguous();
    const std::int64_t* y = labels.data_ptr<std::int64_t>();
    std::vector<std::vector<std::int64_t>> counts(
        shards_.size(), std::vector<std::int64_t>(static_cast<std::size_t>(shape_.classes), 0));
    for (std::size_t s = 0; s < shards_.size(); ++s)
        for (std::int64_t i : shards_[s]) ++counts[s][static_cast<std::size_t>(y[i])];
    return counts;
}

}  // namespace hetsim::models
