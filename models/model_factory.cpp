// make_model(): validates a ModelSpec against the data's shape, resolves gpt presets, the device
// and the dtype, and builds the model.

#include "models/gpt.hpp"
#include "models/model.hpp"
#include "models/model_kinds.hpp"
#include "sim/error.hpp"

#include <torch/cuda.h>

#include <fmt/format.h>

#include <array>
#include <string_view>

namespace hetsim::models {
namespace {

using scenarios::ModelSpec;

/// gpt presets. A preset fixes layers, d_model and heads; context and vocab still come from
/// the spec and the data. Parameter counts (gpt_parameter_count) at vocab 256 with the context
/// in brackets, and at the 32,000-token vocabulary of Liu et al. 2024 / DiLoCo:
///
///   preset  layers  d_model  heads  (context)  params @ vocab 256   params @ vocab 32000
///   nano       2       48      2      (64)           84,288              3,131,712
///   tiny       4      128      4     (128)          875,264              9,001,728
///   20M        6      256      4     (256)        4,935,680             21,188,608
///   60M        3      896     16     (256)       29,626,240             86,511,488
///   150M      12      896     16     (256)      116,435,200            173,320,448
///
/// Context adds context x d_model. The last three are the architectures of Liu et al. 2024
/// (Asynchronous Local-SGD, Table 5, from DiLoCo): their names match a 32k vocabulary with one
/// embedding table counted (tied: 13.0M, 57.8M, 144.6M); we keep an untied head, which adds
/// vocab x d_model. With a byte vocabulary (256) nearly all parameters are in the blocks.
struct GptPreset {
    std::string_view name;
    int layers;
    int d_model;
    int heads;
};
constexpr std::array<GptPreset, 5> kGptPresets = {{
    {"nano", 2, 48, 2},  // tests: ~0.08M, a few ms per step
    {"tiny", 4, 128, 4},
    {"20M", 6, 256, 4},
    {"60M", 3, 896, 16},
    {"150M", 12, 896, 16},
}};

[[noreturn]] void config_error(std::string_view key, const std::string& message) {
    throw ConfigError(fmt::format("{}: {}", key, message));
}

void require_positive(std::string_view key, std::int64_t value) {
    if (value < 1) config_error(key, fmt::format("expected a positive integer, found {}", value));
}

void require_task(const ModelSpec& spec, const DataShape& shape, std::string_view task,
                  std::string_view data) {
    if (shape.task != task)
        config_error("model.kind", fmt::format("\"{}\" needs {} data ({}), but the data is \"{}\"",
                                               spec.kind, task, data, shape.task));
}

at::ScalarType resolve_dtype(const ModelSpec& spec, const at::Device& device) {
    if (spec.dtype == "float32") return at::kFloat;
    if (spec.dtype != "bfloat16")
        config_error("model.dtype",
                     fmt::format(R"(expected "float32" or "bfloat16", found "{}")", spec.dtype));
    // bfloat16 matmuls on CPU are slow and lossy in 1.13; the simulator only uses it on GPUs.
    if (!device.is_cuda())
        config_error("model.dtype", fmt::format(R"("bfloat16" needs a cuda device; this model )"
                                                R"(runs on {} (model.device = "{}"))",
                                                device.str(), spec.device));
    return at::kBFloat16;
}

Placement resolve_placement(const ModelSpec& spec) {
    Placement p;
    if (spec.device == "cuda" || spec.device == "auto") {
        if (torch::cuda::is_available())
            p.device = at::Device(at::kCUDA, 0);
        else if (spec.device == "cuda")
            config_error(
                "model.device",
                at::hasCUDA()
                    ? R"("cuda" requested, but no CUDA device is visible; use "cpu" or "auto")"
                    : R"("cuda" requested, but this LibTorch has no CUDA support )"
                      R"((a CPU-only build); use "cpu" or "auto")");
    } else if (spec.device != "cpu") {
        config_error("model.device",
                     fmt::format(R"(expected "cpu", "cuda" or "auto", found "{}")", spec.device));
    }
    p.dtype = resolve_dtype(spec, p.device);
    return p;
}

GptConfig gpt_config(const ModelSpec& spec, std::int64_t vocab) {
    const ModelSpec r = resolve_gpt_preset(spec);
    require_positive("model.layers", r.layers);
    require_positive("model.d_model", r.d_model);
    require_positive("model.heads", r.heads);
    require_positive("model.context", r.context);
    if (r.d_model % r.heads != 0)
        config_error("model.heads",
                     fmt::format("{} heads do not divide model.d_model = {}", r.heads, r.d_model));
    GptConfig c;
    c.layers = r.layers;
    c.d_model = r.d_model;
    c.heads = r.heads;
    c.context = r.context;
    c.vocab = vocab > 0 ? vocab : r.vocab;
    if (c.vocab < 2)
        config_error("model.vocab", fmt::format("expected at least 2, found {}", c.vocab));
    c.tokens_per_example = c.context;
    return c;
}

std::unique_ptr<Model> build_gpt(const ModelSpec& spec, const DataShape& shape,
                                 const Placement& placement, std::uint64_t seed) {
    require_task(spec, shape, "lm", "data.source = \"brown\"");
    GptConfig c = gpt_config(spec, shape.vocab);
    if (shape.context > c.context)
        config_error("model.context",
                     fmt::format("the data has {} tokens per example, more than the {} positions "
                                 "of the model",
                                 shape.context, c.context));
    if (shape.context > 0) c.tokens_per_example = shape.context;
    return std::make_unique<Gpt>(c, placement, seed);
}

std::int64_t feature_count(const ModelSpec& spec, const DataShape& shape) {
    if (shape.input_dim > 0) return shape.input_dim;
    if (shape.image) return 28 * 28;
    config_error("model.kind", fmt::format("\"{}\" needs data with a feature count", spec.kind));
}

std::unique_ptr<Model> build_classifier(const ModelSpec& spec, const DataShape& shape,
                                        const Placement& placement, std::uint64_t seed) {
    require_task(spec, shape, "classification", R"(data.source = "mnist" or "gaussian-mixture")");
    if (shape.classes < 2)
        config_error("model.kind", fmt::format("\"{}\" needs at least 2 classes, the data has {}",
                                               spec.kind, shape.classes));
    const std::int64_t features = feature_count(spec, shape);
    if (spec.kind == "cnn") {
        if (features != 28 * 28)
            config_error("model.kind", fmt::format(R"("cnn" needs 28x28 images (mnist), the )"
                                                   "data has {} features",
                                                   features));
        return make_cnn(shape.classes, placement, seed);
    }
    std::vector<std::int64_t> hidden;
    for (int width : spec.hidden) {
        require_positive("model.hidden", width);
        hidden.push_back(width);
    }
    return make_mlp(features, hidden, shape.classes, placement, seed);
}

}  // namespace

ModelSpec resolve_gpt_preset(const ModelSpec& spec) {
    if (spec.preset.empty()) return spec;
    for (const GptPreset& p : kGptPresets) {
        if (p.name != spec.preset) continue;
        ModelSpec r = spec;
        r.layers = p.layers;
        r.d_model = p.d_model;
        r.heads = p.heads;
        return r;
    }
    config_error("model.preset",
                 fmt::format(R"(unknown preset "{}"; expected one of nano, tiny, 20M, 60M, 150M)",
                             spec.preset));
}

std::int64_t gpt_parameter_count(const ModelSpec& spec, std::int64_t vocab) {
    return gpt_parameter_count(gpt_config(spec, vocab));
}

std::unique_ptr<Model> make_model(const ModelSpec& spec, const DataShape& shape,
                                  std::uint64_t seed) {
    if (spec.kind == "none")
        config_error("model.kind", R"("none" is timing-only and has no model to build)");
    if (spec.kind != "gpt" && spec.kind != "mlp" && spec.kind != "cnn" && spec.kind != "linear")
        config_error("model.kind",
                     fmt::format(R"(expected "none", "gpt", "mlp", "cnn" or "linear", found "{}")",
                                 spec.kind));
    const Placement placement = resolve_placement(spec);
    if (spec.kind == "gpt") return build_gpt(spec, shape, placement, seed);
    if (spec.kind == "linear") {
        require_task(spec, shape, "regression", R"(data.source = "linear-synthetic")");
        return make_linear(feature_count(spec, shape), placement, seed);
    }
    return build_classifier(spec, shape, placement, seed);
}

}  // namespace hetsim::models
