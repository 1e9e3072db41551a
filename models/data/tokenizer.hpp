#pragma once
// Text to token ids and back. The byte tokenizer is exact and needs no training; the BPE one
// (SentencePiece, bpe_tokenizer.hpp) is trained on the training split.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace hetsim::models {

class Tokenizer {
public:
    virtual ~Tokenizer() = default;
    /// Number of distinct token ids: every id is in [0, vocab_size()).
    virtual std::int64_t vocab_size() const = 0;
    virtual std::vector<std::int32_t> encode(std::string_view text) const = 0;
    virtual std::string decode(const std::vector<std::int32_t>& ids) const = 0;
    /// Identifies the tokenizer and its model for fingerprints, e.g. "byte" or
    /// "bpe:1024:<digest of the model>".
    virtual std::string describe() const = 0;
};

/// UTF-8 bytes as tokens: vocabulary 256, decode(encode(s)) == s for every string.
class ByteTokenizer final : public Tokenizer {
public:
    std::int64_t vocab_size() const override { return 256; }
    std::vector<std::int32_t> encode(std::string_view text) const override;
    std::string decode(const std::vector<std::int32_t>& ids) const override;
    std::string describe() const override { return "byte"; }
};

}  // namespace hetsim::models
