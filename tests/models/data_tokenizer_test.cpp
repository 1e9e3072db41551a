#include "tests/torch_test.hpp"

#include "models/data/bpe_tokenizer.hpp"
#include "models/data/brown_dataset.hpp"
#include "models/data/data_store.hpp"
#include "models/data/tokenizer.hpp"
#include "models/dataset.hpp"
#include "sim/error.hpp"

#include <filesystem>

#include <unistd.h>

namespace fs = std::filesystem;
using namespace hetsim::models;

namespace {

// The first `count` training paragraphs of the real corpus: enough text for a small
// vocabulary, little enough to train in a fraction of a second.
std::vector<std::string> some_training_lines(std::size_t count) {
    const auto docs =
        load_brown_documents(verified_package_folder(default_data_dir(), kBrownPackage));
    std::vector<std::string> lines =
        brown_training_lines(docs, brown_validation_documents(docs, 0.1));
    lines.resize(std::min(lines.size(), count));
    return lines;
}

}  // namespace

TEST_CASE("the byte tokenizer round-trips every byte") {
    ByteTokenizer tokenizer;
    std::string text;
    for (int b = 0; b < 256; ++b) text += static_cast<char>(b);
    text += "caf\xc3\xa9\n";
    const std::vector<std::int32_t> ids = tokenizer.encode(text);
    CHECK(ids.size() == text.size());
    CHECK(ids[65] == 65);
    CHECK(ids[255] == 255);
    CHECK(tokenizer.decode(ids) == text);
    CHECK(tokenizer.vocab_size() == 256);
}

TEST_CASE("a BPE tokenizer trains with the vocabulary asked for and round-trips a sentence") {
    const std::vector<std::string> lines = some_training_lines(3000);
    const std::string model = BpeTokenizer::train(lines, 300);
    BpeTokenizer tokenizer(model);
    CHECK(tokenizer.vocab_size() == 300);
    CHECK(tokenizer.describe().rfind("bpe:300:", 0) == 0);

    const std::string sentence =
        "The jury further said in term-end presentments that the City Executive Committee, "
        "which had over-all charge of the election, \"deserves the praise\".";
    const std::vector<std::int32_t> ids = tokenizer.encode(sentence);
    CHECK(ids.size() < sentence.size() / 2);  // merges happened
    for (std::int32_t id : ids) CHECK((id >= 0 && id < 300));
    CHECK(tokenizer.decode(ids) == sentence);
    // Paragraph breaks survive as their own piece.
    const std::string two_paragraphs = "First paragraph.\nSecond one.\n\n";
    CHECK(tokenizer.decode(tokenizer.encode(two_paragraphs)) == two_paragraphs);

    SUBCASE("training is deterministic") { CHECK(BpeTokenizer::train(lines, 300) == model); }
    SUBCASE("a vocabulary too large for the text is a ConfigError") {
        CHECK_THROWS_AS(BpeTokenizer::train({"a b", "b a"}, 5000), hetsim::ConfigError);
    }
}

TEST_CASE("a trained BPE model is cached and reloaded") {
    const fs::path dir = fs::temp_directory_path() / ("hetsim-bpe-" + std::to_string(::getpid()));
    fs::remove_all(dir);
    const fs::path file = dir / "bpe" / "test.model";
    const std::vector<std::string> lines = some_training_lines(500);
    const auto trained = BpeTokenizer::load_or_train(file, lines, 200);
    CHECK(fs::exists(file));
    // A second call only loads: with no training lines it could not train.
    const auto loaded = BpeTokenizer::load_or_train(file, {}, 200);
    CHECK(loaded->describe() == trained->describe());
    CHECK(loaded->encode("The jury said.") == trained->encode("The jury said."));
    fs::remove_all(dir);
}

TEST_CASE("the Brown dataset with a BPE tokenizer reports its vocabulary and bytes per token") {
    hetsim::scenarios::DataSpec spec;
    spec.tokenizer = "bpe";
    spec.vocab_size = 512;
    const auto dataset = make_dataset(spec, 4, 1, default_data_dir(), 32);
    CHECK(dataset->shape().vocab == 512);
    CHECK(dataset->bytes_per_token() > 2.0);  // BPE tokens average more than two bytes
    CHECK(dataset->bytes_per_token() < 5.0);
    const Batch batch = dataset->train_batch(0, 0, 4);
    CHECK(batch.inputs.max().item<std::int64_t>() < 512);
    spec.tokenizer = "byte";
    CHECK(make_dataset(spec, 4, 1, default_data_dir(), 32)->fingerprint() !=
          dataset->fingerprint());
    spec.tokenizer = "wordpiece";
    CHECK_THROWS_WITH_AS(make_dataset(spec, 4, 1, default_data_dir(), 32),
                         doctest::Contains("data.tokenizer"), hetsim::ConfigError);
}
