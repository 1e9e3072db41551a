#pragma once
// The Brown corpus as a language-modelling dataset: documents tokenized (byte or BPE), split
// into training and held-out documents (brown_validation_documents), training documents
// partitioned into shards (iid or by genre), each shard a token stream cut into windows.

#include "models/data/brown_corpus.hpp"
#include "models/data/data_random.hpp"
#include "models/data/lm_dataset.hpp"
#include "models/data/tokenizer.hpp"
#include "scenarios/training_spec.hpp"

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace hetsim::models {

/// The training paragraphs (one per line of each training document, in name order): the text
/// a BPE tokenizer is trained on.
std::vector<std::string> brown_training_lines(const std::vector<BrownDocument>& documents,
                                              const std::vector<bool>& held_out);

/// The tokenizer spec.tokenizer names: "byte", or "bpe" with spec.vocab_size pieces trained on
/// the training paragraphs and cached as data_dir/bpe/brown-<vocab>-<key>.model, where the key
/// digests the corpus integrity, the split and the trainer options. Throws ConfigError for an
/// unknown tokenizer.
std::unique_ptr<Tokenizer> make_brown_tokenizer(const scenarios::DataSpec& spec,
                                                const std::vector<BrownDocument>& documents,
                                                const std::vector<bool>& held_out,
                                                const std::filesystem::path& data_dir);

/// The Brown dataset for `shards` shards and `context` tokens per example. Partitions:
/// iid: training documents in a random order (from the seed), concatenated and cut into
/// `shards` streams of equal length (± 1 token); genre: group_partition (partition.hpp) of the
/// 15 genre streams (documents in name order): whole genres per shard when shards <= 15, equal
/// slices of genres otherwise. Documents are separated by "\n\n". `digest` already holds the
/// fields common to every source; the corpus, tokenizer and context are added.
std::unique_ptr<LmDataset> make_brown_dataset(const scenarios::DataSpec& spec, int shards,
                                              std::uint64_t seed,
                                              const std::filesystem::path& data_dir,
                                              std::int64_t context, Fnv1a digest);

}  // namespace hetsim::models
