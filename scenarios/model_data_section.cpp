// [model] and [data]: what is trained, on what.
#include "scenarios/sections.hpp"

#include <fmt/format.h>

#include <array>

namespace hetsim::scenarios::detail {
namespace {

constexpr std::array<std::string_view, 5> kModelKinds{"none", "gpt", "mlp", "cnn", "linear"};
constexpr std::array<std::string_view, 5> kPresets{"nano", "tiny", "20M", "60M", "150M"};
constexpr std::array<std::string_view, 3> kDevices{"cpu", "cuda", "auto"};
constexpr std::array<std::string_view, 2> kDtypes{"float32", "bfloat16"};
constexpr std::array<std::string_view, 4> kSources{"brown", "mnist", "gaussian-mixture",
                                                   "linear-synthetic"};
constexpr std::array<std::string_view, 2> kTokenizers{"byte", "bpe"};
constexpr std::array<std::string_view, 3> kPartitions{"iid", "genre", "dirichlet"};
constexpr std::array<std::string_view, 3> kAssignments{"fixed", "balanced", "least-visited"};

int int_key(TableReader& t, std::string_view key, IntRange range, int fallback) {
    return static_cast<int>(t.integer(key, range).value_or(fallback));
}

std::vector<int> read_widths(TableReader& model, std::vector<int> fallback) {
    const toml::array* widths = model.array("hidden");
    if (widths == nullptr) return fallback;
    std::vector<int> out;
    const std::string key = model.key_path("hidden");
    for (std::size_t i = 0; i < widths->size(); ++i)
        out.push_back(static_cast<int>(
            to_integer(*widths->get(i), fmt::format("{}[{}]", key, i), IntRange{1, 1'000'000})));
    if (out.empty()) fail(*model.get("hidden"), key, "a non-empty list of layer widths like [128]");
    return out;
}

// The source each model kind trains on unless [data] says otherwise.
std::string default_source(const std::string& model) {
    if (model == "gpt") return "brown";
    if (model == "cnn") return "mnist";
    if (model == "linear") return "linear-synthetic";
    return "gaussian-mixture";
}

// The sources a model kind can train on, as written in messages.
std::string_view fitting_sources(const std::string& model) {
    if (model == "gpt") return R"("brown")";
    if (model == "linear") return R"("linear-synthetic")";
    if (model == "cnn") return R"("mnist")";
    return R"("mnist" or "gaussian-mixture")";  // mlp
}

bool source_fits(const std::string& model, const std::string& source) {
    return fitting_sources(model).find(fmt::format("\"{}\"", source)) != std::string_view::npos;
}

// The partitions a source supports: genres exist in the Brown corpus only, and dirichlet
// needs class labels (mnist, gaussian-mixture).
std::string_view fitting_partitions(const std::string& source) {
    if (source == "brown") return R"("iid" or "genre" with data.source = "brown")";
    if (source == "linear-synthetic")
        return R"("iid" with data.source = "linear-synthetic" (no genres, no labels))";
    return R"("iid" or "dirichlet" (genres exist in the Brown corpus only))";
}

bool partition_fits(const std::string& source, const std::string& partition) {
    if (partition == "iid") return true;
    if (partition == "genre") return source == "brown";
    return source == "mnist" || source == "gaussian-mixture";  // dirichlet
}

// gpt sizes: a preset only for gpt, and never together with the sizes it sets; heads must
// divide d_model (reported on the key the file gave).
void check_gpt_sizes(TableReader& model, const ModelSpec& spec) {
    if (!spec.preset.empty() && spec.kind != "gpt")
        fail(*model.get("preset"), model.key_path("preset"),
             fmt::format(R"(no `preset` with kind = "{}" (presets are gpt sizes))", spec.kind));
    if (!spec.preset.empty())
        for (const char* key : {"layers", "d_model", "heads"})
            if (const toml::node* node = model.get(key))
                fail(*node, model.key_path(key),
                     fmt::format("no `{}` with preset = \"{}\" (the preset sets the sizes)", key,
                                 spec.preset));
    if (spec.d_model % spec.heads == 0) return;
    if (const toml::node* heads = model.get("heads"))
        fail(*heads, model.key_path("heads"),
             fmt::format("a number of heads that divides d_model = {}", spec.d_model));
    fail(*model.get("d_model"), model.key_path("d_model"),
         fmt::format("a multiple of heads = {}", spec.heads));
}

}  // namespace

ModelSpec read_model(TableReader model, std::optional<std::int64_t>& explicit_bytes) {
    ModelSpec spec;
    spec.kind = pick(model, "kind", kModelKinds, "none");
    explicit_bytes = model.bytes("bytes");
    spec.preset = pick(model, "preset", kPresets, "");
    spec.layers = int_key(model, "layers", {1, 1000}, spec.layers);
    spec.d_model = int_key(model, "d_model", {1, 1 << 16}, spec.d_model);
    spec.heads = int_key(model, "heads", {1, 1024}, spec.heads);
    spec.context = int_key(model, "context", {2, 1 << 16}, spec.context);
    check_gpt_sizes(model, spec);
    spec.hidden = read_widths(model, spec.hidden);
    spec.device = pick(model, "device", kDevices, spec.device);
    spec.dtype = pick(model, "dtype", kDtypes, spec.dtype);
    // bfloat16 matmuls run on CUDA only (models/model_factory.cpp); "auto" decides at run time.
    if (spec.dtype == "bfloat16" && spec.device == "cpu")
        fail(*model.get("dtype"), model.key_path("dtype"),
             R"("float32" with device = "cpu" (bfloat16 needs device = "cuda" or "auto"))");
    spec.bytes_per_parameter = int_key(model, "bytes_per_parameter", {1, 16}, 4);
    model.finish();
    return spec;
}

DataSpec read_data(TableReader data, const ModelSpec& model) {
    DataSpec spec;
    spec.source = pick(data, "source", kSources, default_source(model.kind));
    if (model.kind != "none" && !source_fits(model.kind, spec.source))
        fail(*data.get("source"), data.key_path("source"),
             fmt::format(R"({} (the data model.kind = "{}" trains on))",
                         fitting_sources(model.kind), model.kind));
    spec.tokenizer = pick(data, "tokenizer", kTokenizers, spec.tokenizer);
    spec.vocab_size = int_key(data, "vocab_size", {260, 65536}, spec.vocab_size);
    spec.partition = pick(data, "partition", kPartitions, spec.partition);
    if (!partition_fits(spec.source, spec.partition))
        fail(*data.get("partition"), data.key_path("partition"),
             std::string(fitting_partitions(spec.source)));
    spec.dirichlet_alpha = data.number("alpha", NumberRange::positive()).value_or(0.5);
    spec.shards = int_key(data, "shards", {1, 1'000'000}, 0);
    spec.assignment = pick(data, "assignment", kAssignments, spec.assignment);
    spec.batch_size = int_key(data, "batch_size", {1, 1 << 20}, spec.batch_size);
    spec.validation_fraction =
        data.number("validation_fraction", {0.0, true, 1.0, true}).value_or(0.1);
    spec.validation_examples = int_key(data, "validation_examples", {1, 1 << 24}, 512);
    spec.classes = int_key(data, "classes", {2, 1000}, spec.classes);
    spec.clusters_per_class = int_key(data, "clusters_per_class", {1, 1000}, 2);
    spec.dimension = int_key(data, "dimension", {1, 1 << 20}, spec.dimension);
    spec.noise = data.number("noise", NumberRange::at_least(0.0)).value_or(spec.noise);
    spec.examples = data.integer("examples", {16, 100'000'000}).value_or(spec.examples);
    data.finish();
    return spec;
}

}  // namespace hetsim::scenarios::detail
