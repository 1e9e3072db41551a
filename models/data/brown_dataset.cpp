#include "models/data/brown_dataset.hpp"

#include "models/data/bpe_tokenizer.hpp"
#include "models/data/data_store.hpp"
#include "models/data/partition.hpp"
#include "sim/error.hpp"

#include <algorithm>

namespace hetsim::models {

namespace {

// Bump when the BPE trainer options in bpe_tokenizer.cpp change, so old cached models are not
// reused.
constexpr std::int64_t kBpeOptionsVersion = 1;
constexpr std::string_view kDocumentSeparator = "\n\n";

using Stream = std::vector<std::int32_t>;

void append(Stream& to, const Stream& from) { to.insert(to.end(), from.begin(), from.end()); }

// One stream per group (genre, or everything for iid), then each shard's slices of them.
std::vector<Stream> cut_into_shards(const std::vector<Stream>& groups, int shards) {
    std::vector<std::int64_t> sizes;
    for (const Stream& g : groups) sizes.push_back(static_cast<std::int64_t>(g.size()));
    std::vector<Stream> out;
    for (const auto& slices : group_partition(sizes, shards)) {
        Stream shard;
        for (const GroupSlice& s : slices) {
            const Stream& g = groups[static_cast<std::size_t>(s.group)];
            const auto n = static_cast<std::int64_t>(g.size());
            shard.insert(shard.end(), g.begin() + even_boundary(n, s.parts, s.part),
                         g.begin() + even_boundary(n, s.parts, s.part + 1));
        }
        out.push_back(std::move(shard));
    }
    return out;
}

std::vector<Stream> training_groups(const scenarios::DataSpec& spec,
                                    const std::vector<BrownDocument>& documents,
                                    const std::vector<bool>& held_out,
                                    const std::vector<Stream>& tokens, std::uint64_t seed) {
    std::vector<std::int64_t> training;
    for (std::size_t i = 0; i < documents.size(); ++i)
        if (!held_out[i]) training.push_back(static_cast<std::int64_t>(i));
    if (spec.partition == "iid") {
        sim::Rng rng = data_stream(seed, DataStream::partition, -1);
        shuffle_in_place(training, rng);
        Stream all;
        for (std::int64_t d : training) append(all, tokens[static_cast<std::size_t>(d)]);
        return {std::move(all)};
    }
    std::vector<Stream> genres;  // in letter order; documents in name order
    char current = 0;
    for (std::int64_t d : training) {
        if (documents[static_cast<std::size_t>(d)].genre != current) {
            current = documents[static_cast<std::size_t>(d)].genre;
            genres.emplace_back();
        }
        append(genres.back(), tokens[static_cast<std::size_t>(d)]);
    }
    return genres;
}

}  // namespace

std::vector<std::string> brown_training_lines(const std::vector<BrownDocument>& documents,
                                              const std::vector<bool>& held_out) {
    std::vector<std::string> lines;
    for (std::size_t i = 0; i < documents.size(); ++i) {
        if (held_out[i]) continue;
        const std::string& text = documents[i].text;
        for (std::size_t pos = 0; pos < text.size();) {
            std::size_t eol = text.find('\n', pos);
            if (eol == std::string::npos) eol = text.size();
            if (eol > pos) lines.push_back(text.substr(pos, eol - pos));
            pos = eol + 1;
        }
    }
    return lines;
}

std::unique_ptr<Tokenizer> make_brown_tokenizer(const scenarios::DataSpec& spec,
                                                const std::vector<BrownDocument>& documents,
                                                const std::vector<bool>& held_out,
                                                const std::filesystem::path& data_dir) {
    if (spec.tokenizer == "byte") return std::make_unique<ByteTokenizer>();
    if (spec.tokenizer != "bpe")
        throw ConfigError(
            fmt::format("data.tokenizer: expected byte or bpe, found '{}'", spec.tokenizer));
    const std::string key = Fnv1a()
                                .add(std::string_view(kBrownPackage.integrity))
                                .add(std::string_view("held_out_per_group"))
                                .add(spec.validation_fraction)
                                .add(std::int64_t{spec.vocab_size})
                                .add(kBpeOptionsVersion)
                                .hex();
    const auto file = data_dir / "bpe" / fmt::format("brown-{}-{}.model", spec.vocab_size, key);
    return BpeTokenizer::load_or_train(file, brown_training_lines(documents, held_out),
                                       spec.vocab_size);
}

std::unique_ptr<LmDataset> make_brown_dataset(const scenarios::DataSpec& spec, int shards,
                                              std::uint64_t seed,
                                              const std::filesystem::path& data_dir,
                                              std::int64_t context, Fnv1a digest) {
    if (spec.partition != "iid" && spec.partition != "genre")
        throw ConfigError(fmt::format(
            "data.partition: '{}' does not apply to brown (expected iid or genre; dirichlet "
            "needs labelled data: mnist or gaussian-mixture)",
            spec.partition));
    if (context < 1)
        throw ConfigError(fmt::format("model.context: expected at least 1, found {}", context));
    const std::vector<BrownDocument> documents =
        load_brown_documents(verified_package_folder(data_dir, kBrownPackage));
    const std::vector<bool> held_out =
        brown_validation_documents(documents, spec.validation_fraction);
    const std::unique_ptr<Tokenizer> tokenizer =
        make_brown_tokenizer(spec, documents, held_out, data_dir);

    std::vector<Stream> tokens;  // per document, with the separator
    tokens.reserve(documents.size());
    for (const BrownDocument& d : documents)
        tokens.push_back(tokenizer->encode(d.text + std::string(kDocumentSeparator)));

    LmDatasetParts parts;
    parts.vocab = tokenizer->vocab_size();
    parts.context = context;
    parts.shard_tokens =
        cut_into_shards(training_groups(spec, documents, held_out, tokens, seed), shards);
    // Bytes per token over the held-out text (over all text when nothing is held out).
    const bool any_held_out = std::find(held_out.begin(), held_out.end(), true) != held_out.end();
    std::int64_t bytes = 0;
    std::int64_t counted_tokens = 0;
    for (std::size_t i = 0; i < documents.size(); ++i) {
        if (held_out[i]) append(parts.validation_tokens, tokens[i]);
        if (held_out[i] || !any_held_out) {
            bytes +=
                static_cast<std::int64_t>(documents[i].text.size() + kDocumentSeparator.size());
            counted_tokens += static_cast<std::int64_t>(tokens[i].size());
        }
    }
    parts.bytes_per_token = static_cast<double>(bytes) / static_cast<double>(counted_tokens);
    parts.validation_examples = spec.validation_examples;
    parts.seed = seed;
    parts.fingerprint = digest.add(std::string_view(kBrownPackage.integrity))
                            .add(tokenizer->describe())
                            .add(context)
                            .hex();
    return std::make_unique<LmDataset>(std::move(parts));
}

}  // namespace hetsim::models
