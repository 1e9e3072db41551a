#pragma once
// A language-modelling dataset: each shard is a token stream (its documents, concatenated) cut
// into non-overlapping windows of context + 1 tokens; a window is one example, its first
// `context` tokens the inputs and its last `context` tokens the targets (next tokens).

#include "models/data/read_order.hpp"
#include "models/dataset.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace hetsim::models {

/// What an LmDataset is built from (dataset_factory.cpp fills it from the Brown corpus).
struct LmDatasetParts {
    std::int64_t vocab = 256;
    std::int64_t context = 64;                            ///< tokens per example
    std::vector<std::vector<std::int32_t>> shard_tokens;  ///< one stream per shard
    std::vector<std::int32_t> validation_tokens;          ///< the held-out stream
    std::int64_t validation_examples = 512;               ///< at most this many validation windows
    double bytes_per_token = 1.0;  ///< UTF-8 bytes per token of the held-out text
    std::uint64_t seed = 0;        ///< for the read order
    std::string fingerprint;
};

class LmDataset final : public Dataset {
public:
    /// Throws ConfigError when a shard is shorter than one window (too many shards or too long
    /// a context for the data).
    explicit LmDataset(LmDatasetParts parts);

    DataShape shape() const override;
    int num_shards() const override { return order_.num_shards(); }
    std::int64_t shard_examples(int shard) const override { return order_.shard_size(shard); }
    /// inputs [count, T] int64, targets [count, T] int64.
    Batch train_batch(int shard, std::int64_t position, int count) const override;
    std::vector<Batch> validation_batches(int batch_size) const override;
    std::int64_t tokens_per_example() const override { return context_; }
    double bytes_per_token() const override { return bytes_per_token_; }
    std::string fingerprint() const override { return fingerprint_; }

    /// The token stream of `shard` (whole windows only), for tests.
    const std::vector<std::int32_t>& shard_tokens(int shard) const;

private:
    // Copies windows (start offsets into `tokens`) into a batch.
    Batch gather(const std::vector<std::int32_t>& tokens,
                 const std::vector<std::int64_t>& windows) const;

    std::int64_t vocab_;
    std::int64_t context_;
    std::vector<std::vector<std::int32_t>> shards_;
    std::vector<std::int32_t> validation_;  // the chosen validation windows, back to back
    double bytes_per_token_;
    std::string fingerprint_;
    ReadOrder order_;
};

}  // namespace hetsim::models
