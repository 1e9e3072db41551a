// libhetsim_sentencepiece.so: SentencePiece behind the function table of sentencepiece_api.hpp.
// Built with hidden visibility; only hetsim_sentencepiece_api is exported.

#include "models/data/sentencepiece_api.hpp"

#include <sentencepiece_processor.h>
#include <sentencepiece_trainer.h>

#include <unordered_map>

namespace {

using hetsim::models::SentencePieceApi;
using Processor = sentencepiece::SentencePieceProcessor;

// Feeds the training lines from memory, without a temporary file.
class LineIterator final : public sentencepiece::SentenceIterator {
public:
    explicit LineIterator(const std::vector<std::string>& lines) : lines_(lines) {}
    bool done() const override { return next_ >= lines_.size(); }
    void Next() override { ++next_; }
    const std::string& value() const override { return lines_[next_]; }
    sentencepiece::util::Status status() const override { return {}; }

private:
    const std::vector<std::string>& lines_;
    std::size_t next_ = 0;
};

bool train(const std::vector<std::string>& lines,
           const std::vector<std::pair<std::string, std::string>>& options, std::string& model,
           std::string& error) {
    const std::unordered_map<std::string, std::string> kwargs(options.begin(), options.end());
    LineIterator iterator(lines);
    const auto status = sentencepiece::SentencePieceTrainer::Train(kwargs, &iterator, &model);
    if (!status.ok()) error = status.ToString();
    return status.ok();
}

void* load(const std::string& model, std::string& error) {
    auto processor = std::make_unique<Processor>();
    const auto status = processor->LoadFromSerializedProto(model);
    if (!status.ok()) {
        error = status.ToString();
        return nullptr;
    }
    return processor.release();
}

void release(void* processor) { delete static_cast<Processor*>(processor); }

bool encode(const void* processor, std::string_view text, std::vector<int>& ids,
            std::string& error) {
    const auto status = static_cast<const Processor*>(processor)->Encode(text, &ids);
    if (!status.ok()) error = status.ToString();
    return status.ok();
}

bool decode(const void* processor, const std::vector<int>& ids, std::string& text,
            std::string& error) {
    const auto status = static_cast<const Processor*>(processor)->Decode(ids, &text);
    if (!status.ok()) error = status.ToString();
    return status.ok();
}

int piece_size(const void* processor) {
    return static_cast<const Processor*>(processor)->GetPieceSize();
}

int piece_to_id(const void* processor, const std::string& piece) {
    return static_cast<const Processor*>(processor)->PieceToId(piece);
}

int unk_id(const void* processor) { return static_cast<const Processor*>(processor)->unk_id(); }

constexpr SentencePieceApi kApi{hetsim::models::kSentencePieceApiVersion,
                                train,
                                load,
                                release,
                                encode,
                                decode,
                                piece_size,
                                piece_to_id,
                                unk_id};

}  // namespace

extern "C" __attribute__((visibility("default"))) const SentencePieceApi*
hetsim_sentencepiece_api() {
    return &kApi;
}
