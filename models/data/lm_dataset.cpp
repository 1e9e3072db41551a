#include "models/data/lm_dataset.hpp"

#include "models/data/data_random.hpp"
#include "sim/error.hpp"

#include <torch/torch.h>

namespace hetsim::models {

namespace {

std::vector<std::int64_t> window_counts(const std::vector<std::vector<std::int32_t>>& shards,
                                        std::int64_t window) {
    std::vector<std::int64_t> counts;
    for (std::size_t s = 0; s < shards.size(); ++s) {
        const auto tokens = static_cast<std::int64_t>(shards[s].size());
        if (tokens < window)
            throw ConfigError(fmt::format(
                "data.shards: shard {} of {} holds {} tokens, fewer than one example (context + 1 "
                "= {}); use fewer shards or a shorter model.context",
                s, shards.size(), tokens, window));
        counts.push_back(tokens / window);
    }
    return counts;
}

}  // namespace

LmDataset::LmDataset(LmDatasetParts parts)
    : vocab_(parts.vocab), context_(parts.context), shards_(std::move(parts.shard_tokens)),
      bytes_per_token_(parts.bytes_per_token), fingerprint_(std::move(parts.fingerprint)),
      order_(parts.seed, window_counts(shards_, parts.context + 1)) {
    const std::int64_t window = context_ + 1;
    for (std::size_t s = 0; s < shards_.size(); ++s)
        shards_[s].resize(
            static_cast<std::size_t>(order_.shard_size(static_cast<int>(s)) * window));
    // A fixed, evenly spread subset of the held-out windows.
    const auto available = static_cast<std::int64_t>(parts.validation_tokens.size()) / window;
    for (std::int64_t w : evenly_spaced(available, parts.validation_examples)) {
        const auto begin = parts.validation_tokens.begin() + w * window;
        validation_.insert(validation_.end(), begin, begin + window);
    }
}

DataShape LmDataset::shape() const {
    DataShape shape;
    shape.task = "lm";
    shape.vocab = vocab_;
    shape.context = context_;
    return shape;
}

const std::vector<std::int32_t>& LmDataset::shard_tokens(int shard) const {
    return shards_.at(static_cast<std::size_t>(shard));
}

Batch LmDataset::gather(const std::vector<std::int32_t>& tokens,
                        const std::vector<std::int64_t>& windows) const {
    const auto count = static_cast<std::int64_t>(windows.size());
    at::Tensor inputs = torch::empty({count, context_}, torch::kInt64);   // [B, T]
    at::Tensor targets = torch::empty({count, context_}, torch::kInt64);  // [B, T]
    std::int64_t* in = inputs.data_ptr<std::int64_t>();
    std::int64_t* out = targets.data_ptr<std::int64_t>();
    for (std::int64_t b = 0; b < count; ++b) {
        const std::int32_t* w = tokens.data() + windows[b] * (context_ + 1);
        for (std::int64_t t = 0; t < context_; ++t) {
            in[b * context_ + t] = w[t];
            out[b * context_ + t] = w[t + 1];
        }
    }
    return {inputs, targets};
}

Batch LmDataset::train_batch(int shard, std::int64_t position, int count) const {
    return gather(shards_.at(static_cast<std::size_t>(shard)),
                  order_.indices(shard, position, count));
}

std::vector<Batch> LmDataset::validation_batches(int batch_size) const {
    HETSIM_CHECK(batch_size > 0, "validation batch size must be positive, found {}", batch_size);
    const auto windows = static_cast<std::int64_t>(validation_.size()) / (context_ + 1);
    std::vector<Batch> batches;
    for (std::int64_t first = 0; first < windows; first += batch_size) {
        std::vector<std::int64_t> chosen;
        for (std::int64_t w = first; w < std::min(windows, first + batch_size); ++w)
            chosen.push_back(w);
        batches.push_back(gather(validation_, chosen));
    }
    return batches;
}

}  // namespace hetsim::models
