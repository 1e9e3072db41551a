#include "models/data/bpe_tokenizer.hpp"

#include "models/data/data_random.hpp"
#include "models/data/sentencepiece_api.hpp"
#include "sim/error.hpp"

#include <dlfcn.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

namespace hetsim::models {

namespace {

// Paragraph breaks: a control symbol has an id but never matches text, so a literal "<nl>" in
// the corpus stays ordinary text.
constexpr const char* kNewlinePiece = "<nl>";

// Loads the module once per process: $HETSIM_SENTENCEPIECE_MODULE, else the path the build
// gave (HETSIM_SENTENCEPIECE_MODULE, set in models/data_sources.cmake). RTLD_DEEPBIND makes
// SentencePiece bind to its own protobuf before the one LibTorch loaded.
const SentencePieceApi& module_api() {
    static const SentencePieceApi* api = [] {
        const char* path = std::getenv("HETSIM_SENTENCEPIECE_MODULE");
        if (path == nullptr || *path == '\0') path = HETSIM_SENTENCEPIECE_MODULE;
        void* handle = ::dlopen(path, RTLD_NOW | RTLD_LOCAL | RTLD_DEEPBIND);
        if (handle == nullptr)
            throw DataError(fmt::format("cannot load the SentencePiece module {} ({}); build the "
                                        "hetsim_sentencepiece target",
                                        path, ::dlerror()));
        using Entry = const SentencePieceApi* (*)();
        auto entry = reinterpret_cast<Entry>(::dlsym(handle, "hetsim_sentencepiece_api"));
        const SentencePieceApi* table = entry == nullptr ? nullptr : entry();
        if (table == nullptr || table->version != kSentencePieceApiVersion)
            throw DataError(fmt::format("{} is not a SentencePiece module of this hetsim version; "
                                        "rebuild the hetsim_sentencepiece target",
                                        path));
        return table;  // never unloaded: processors may live until exit
    }();
    return *api;
}

}  // namespace

std::string BpeTokenizer::train(const std::vector<std::string>& lines, int vocab_size) {
    if (vocab_size < 32)
        throw ConfigError(
            fmt::format("data.vocab_size: expected at least 32, found {}", vocab_size));
    const std::vector<std::pair<std::string, std::string>> options = {
        {"model_type", "bpe"},
        {"vocab_size", std::to_string(vocab_size)},
        // Every character of the training text gets a piece: no <unk> on Brown text.
        {"character_coverage", "1.0"},
        // Keep the text's bytes as they are (no NFKC), so bytes per token counts real bytes.
        {"normalization_rule_name", "identity"},
        {"control_symbols", kNewlinePiece},
        // Brown paragraphs can exceed the default 4192 bytes; longer lines would be skipped.
        {"max_sentence_length", "1000000"},
        {"input_sentence_size", "0"},  // use every line: sampling would need a random seed
        {"num_threads", "1"},          // one thread: the same model on every machine
        {"minloglevel", "2"},          // library code does not print
    };
    std::string model;
    std::string error;
    if (!module_api().train(lines, options, model, error))
        throw ConfigError(fmt::format("training a BPE tokenizer with vocab_size {} failed: {}",
                                      vocab_size, error));
    return model;
}

BpeTokenizer::BpeTokenizer(const std::string& serialized_model) {
    const SentencePieceApi& api = module_api();
    std::string error;
    processor_ = api.load(serialized_model, error);
    if (processor_ == nullptr) throw DataError(fmt::format("invalid BPE model: {}", error));
    newline_id_ = api.piece_to_id(processor_, kNewlinePiece);
    if (newline_id_ == api.unk_id(processor_)) {
        api.release(processor_);
        throw DataError("invalid BPE model: it has no <nl> piece (not made by hetsim?)");
    }
    description_ = fmt::format("bpe:{}:{}", api.piece_size(processor_),
                               Fnv1a().add(std::string_view(serialized_model)).hex());
}

BpeTokenizer::~BpeTokenizer() { module_api().release(processor_); }

std::unique_ptr<BpeTokenizer> BpeTokenizer::load_or_train(const std::filesystem::path& cache_file,
                                                          const std::vector<std::string>& lines,
                                                          int vocab_size) {
    if (std::ifstream in{cache_file, std::ios::binary}) {
        std::ostringstream content;
        content << in.rdbuf();
        return std::make_unique<BpeTokenizer>(content.str());
    }
    const std::string model = train(lines, vocab_size);
    std::error_code ec;
    std::filesystem::create_directories(cache_file.parent_path(), ec);
    // A temporary name per process, then rename: readers see a whole model or none.
    std::filesystem::path tmp = cache_file;
    tmp += fmt::format(".tmp{}", ::getpid());
    {
        std::ofstream out(tmp, std::ios::binary);
        out << model;
        if (!out) throw DataError(fmt::format("cannot write {}", tmp.string()));
    }
    std::filesystem::rename(tmp, cache_file, ec);
    if (ec) throw DataError(fmt::format("cannot write {}: {}", cache_file.string(), ec.message()));
    return std::make_unique<BpeTokenizer>(model);
}

std::int64_t BpeTokenizer::vocab_size() const { return module_api().piece_size(processor_); }

std::vector<std::int32_t> BpeTokenizer::encode(std::string_view text) const {
    const SentencePieceApi& api = module_api();
    std::vector<std::int32_t> out;
    std::vector<int> ids;
    std::string error;
    for (std::size_t pos = 0;;) {
        std::size_t eol = text.find('\n', pos);
        const bool last = eol == std::string_view::npos;
        if (last) eol = text.size();
        HETSIM_ASSERT(api.encode(processor_, text.substr(pos, eol - pos), ids, error),
                      "SentencePiece encode failed: {}", error);
        out.insert(out.end(), ids.begin(), ids.end());
        if (last) break;
        out.push_back(newline_id_);
        pos = eol + 1;
    }
    return out;
}

std::string BpeTokenizer::decode(const std::vector<std::int32_t>& ids) const {
    const SentencePieceApi& api = module_api();
    std::string text;
    std::string line;
    std::string error;
    std::vector<int> segment;
    auto flush = [&] {
        HETSIM_ASSERT(api.decode(processor_, segment, line, error),
                      "SentencePiece decode failed: {}", error);
        text += line;
        segment.clear();
    };
    for (std::int32_t id : ids) {
        if (id == newline_id_) {
            flush();
            text += '\n';
        } else {
            segment.push_back(id);
        }
    }
    flush();
    return text;
}

}  // namespace hetsim::models
