#pragma once
// A dataset of (features, target) examples held in memory: classification (MNIST, the
// gaussian mixture) and regression (linear-synthetic). Shards are lists of example indices.

#include "models/data/read_order.hpp"
#include "models/dataset.hpp"

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <string>
#include <vector>

namespace hetsim::models {

/// Examples as tensors: features [N, D] float32; targets [N] int64 (classification) or float32
/// (regression).
struct LabelledData {
    at::Tensor features;
    at::Tensor targets;
    std::int64_t size() const;
};

class LabelledDataset : public Dataset {
public:
    /// `shards[s]` lists the indices into `train` of shard s (non-empty); `validation` is the
    /// fixed validation subset. `shape.task` is "classification" or "regression".
    LabelledDataset(DataShape shape, LabelledData train,
                    std::vector<std::vector<std::int64_t>> shards, LabelledData validation,
                    std::uint64_t seed, std::string fingerprint);

    DataShape shape() const override { return shape_; }
    int num_shards() const override { return order_.num_shards(); }
    std::int64_t shard_examples(int shard) const override { return order_.shard_size(shard); }
    /// inputs [count, D] float32; targets [count] int64 or float32.
    Batch train_batch(int shard, std::int64_t position, int count) const override;
    std::vector<Batch> validation_batches(int batch_size) const override;
    std::int64_t tokens_per_example() const override { return 1; }
    double bytes_per_token() const override { return 1.0; }
    std::string fingerprint() const override { return fingerprint_; }
    std::vector<std::vector<std::int64_t>> shard_label_counts() const override;

    /// The training examples (all shards) and shard s's indices into them, for tests.
    const LabelledData& train_data() const { return train_; }
    const std::vector<std::int64_t>& shard_indices(int shard) const;

private:
    static std::vector<std::int64_t> sizes(const std::vector<std::vector<std::int64_t>>& shards);

    DataShape shape_;
    LabelledData train_;
    std::vector<std::vector<std::int64_t>> shards_;
    LabelledData validation_;
    std::string fingerprint_;
    ReadOrder order_;
};

}  // namespace hetsim::models
