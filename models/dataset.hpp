#pragma once
// Training data split into shards, and a fixed validation subset. Reading is a pure function
// of (shard, position): a worker round reserves a range of positions when it starts, so its
// data is fixed then, whoever computes it and whenever.

#include "models/model.hpp"
#include "scenarios/training_spec.hpp"

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace hetsim::models {

class Dataset {
public:
    virtual ~Dataset() = default;
    /// Shapes for the model (vocab, context, input_dim, classes, task).
    virtual DataShape shape() const = 0;
    virtual int num_shards() const = 0;
    /// Examples in `shard` (one epoch).
    virtual std::int64_t shard_examples(int shard) const = 0;
    /// Examples [position, position + count) of `shard`'s read order: each epoch is a
    /// permutation of the shard drawn from (seed, shard, epoch). Same arguments, same batch.
    virtual Batch train_batch(int shard, std::int64_t position, int count) const = 0;
    /// The fixed validation subset in batches of at most `batch_size` examples.
    virtual std::vector<Batch> validation_batches(int batch_size) const = 0;
    /// Tokens per example (lm: context), 1 for other tasks.
    virtual std::int64_t tokens_per_example() const = 0;
    /// lm: UTF-8 bytes per token over the validation set, for bits per byte; 1 otherwise.
    virtual double bytes_per_token() const = 0;
    /// Hex digest of the data, the split, the partition and the tokenizer (for run.json).
    virtual std::string fingerprint() const = 0;
    /// Examples per label in each shard (classification), for partition checks; empty otherwise.
    virtual std::vector<std::vector<std::int64_t>> shard_label_counts() const { return {}; }
};

/// Builds the dataset a spec describes for `workers` workers (shards = spec.shards or workers).
/// `context` is the number of tokens per lm example (ModelSpec.context; ignored by the other
/// sources). Data comes from `data_dir` (tools/fetch-data installs it there; a BPE model is
/// cached under data_dir/bpe). Throws hetsim::DataError (missing or corrupt data, with what to
/// run to fetch it) or ConfigError (impossible combination, e.g. genre partition on MNIST).
/// MNIST inputs are flat [B, 784] (DataShape.image is false): a cnn reshapes them itself.
std::unique_ptr<Dataset> make_dataset(const scenarios::DataSpec& spec, int workers,
                                      std::uint64_t seed, const std::filesystem::path& data_dir,
                                      std::int64_t context);

/// Where downloaded and cached data lives: $HETSIM_DATA, else ~/.cache/hetsim.
std::filesystem::path default_data_dir();

}  // namespace hetsim::models
