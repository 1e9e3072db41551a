#pragma once
// Byte-pair encoding with SentencePiece (Debian's libsentencepiece 0.1.97), trained on the
// training split and cached as a model file so that later runs only load it. SentencePiece runs
// inside a separately loaded module (sentencepiece_api.hpp says why).

#include "models/data/tokenizer.hpp"

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace hetsim::models {

class BpeTokenizer final : public Tokenizer {
public:
    /// Trains a BPE model with `vocab_size` pieces on `lines` (one paragraph each, no '\n')
    /// and returns it serialized. Deterministic: same lines and size, same model. Throws
    /// ConfigError when the text is too small for the vocabulary.
    static std::string train(const std::vector<std::string>& lines, int vocab_size);
    /// Loads a serialized model (from train() or a cached file). Throws DataError if invalid
    /// or when the SentencePiece module cannot be loaded.
    explicit BpeTokenizer(const std::string& serialized_model);
    /// Loads `cache_file` if it exists, else trains on `lines` and writes it (atomically: a
    /// temporary file renamed into place, so concurrent runs never see half a model).
    static std::unique_ptr<BpeTokenizer> load_or_train(const std::filesystem::path& cache_file,
                                                       const std::vector<std::string>& lines,
                                                       int vocab_size);
    ~BpeTokenizer() override;
    BpeTokenizer(const BpeTokenizer&) = delete;
    BpeTokenizer& operator=(const BpeTokenizer&) = delete;

    std::int64_t vocab_size() const override;
    /// Encodes each line separately and joins them with the newline piece, so that paragraph
    /// breaks survive: decode(encode(s)) == s for text the model covers, with single spaces.
    std::vector<std::int32_t> encode(std::string_view text) const override;
    std::string decode(const std::vector<std::int32_t>& ids) const override;
    std::string describe() const override { return description_; }

private:
    void* processor_ = nullptr;  // owned; released through the module
    std::string description_;
    std::int32_t newline_id_ = -1;
};

}  // namespace hetsim::models
