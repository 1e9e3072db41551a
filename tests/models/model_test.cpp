#include "tests/torch_test.hpp"

#include "models/model.hpp"
#include "sim/error.hpp"

#include <string>

using hetsim::ConfigError;
using hetsim::models::DataShape;
using hetsim::models::make_model;
using hetsim::scenarios::ModelSpec;

namespace {

// One intra-op thread for every Torch test in this executable: results must not depend on how
// OpenBLAS splits work, and the machine's second core is busy with other builds.
const bool kOneThread = [] {
    at::set_num_threads(1);
    return true;
}();

ModelSpec spec_of(const std::string& kind, const std::string& preset = "") {
    ModelSpec s;
    s.kind = kind;
    s.preset = preset;
    return s;
}

const DataShape kLm{.task = "lm", .vocab = 256, .context = 64};
const DataShape kMixture{.task = "classification", .input_dim = 16, .classes = 4};
const DataShape kMnist{.task = "classification", .input_dim = 784, .classes = 10, .image = true};
const DataShape kRegression{.task = "regression", .input_dim = 8};

const DataShape& shape_for(const std::string& kind) {
    if (kind == "gpt") return kLm;
    if (kind == "cnn") return kMnist;
    if (kind == "linear") return kRegression;
    return kMixture;
}

std::string config_error_of(const ModelSpec& spec, const DataShape& shape) {
    try {
        (void)make_model(spec, shape, 1);
    } catch (const ConfigError& e) {
        return e.what();
    }
    return "(no ConfigError)";
}

bool same_parameters(hetsim::models::Model& a, hetsim::models::Model& b) {
    const auto pa = a.parameters(), pb = b.parameters();
    if (pa.size() != pb.size()) return false;
    for (std::size_t i = 0; i < pa.size(); ++i)
        if (!at::equal(pa[i], pb[i])) return false;
    return true;
}

}  // namespace

TEST_CASE("gpt presets resolve to their documented sizes and keep context and vocab") {
    struct Row {
        std::string preset;
        int layers, d_model, heads;
    };
    for (const Row& row : {Row{"nano", 2, 48, 2}, Row{"tiny", 4, 128, 4}, Row{"20M", 6, 256, 4},
                           Row{"60M", 3, 896, 16}, Row{"150M", 12, 896, 16}}) {
        CAPTURE(row.preset);
        ModelSpec s = spec_of("gpt", row.preset);
        s.context = 200;
        s.vocab = 1000;
        const ModelSpec r = hetsim::models::resolve_gpt_preset(s);
        CHECK(r.layers == row.layers);
        CHECK(r.d_model == row.d_model);
        CHECK(r.heads == row.heads);
        CHECK(r.context == 200);
        CHECK(r.vocab == 1000);
    }
    ModelSpec explicit_sizes = spec_of("gpt");
    explicit_sizes.layers = 3;
    explicit_sizes.d_model = 40;
    CHECK(hetsim::models::resolve_gpt_preset(explicit_sizes).layers == 3);
    CHECK(hetsim::models::resolve_gpt_preset(explicit_sizes).d_model == 40);
}

TEST_CASE("an unknown gpt preset is refused naming model.preset") {
    CHECK_THROWS_WITH_AS(hetsim::models::resolve_gpt_preset(spec_of("gpt", "huge")),
                         doctest::Contains("model.preset: unknown preset \"huge\""), ConfigError);
}

TEST_CASE("gpt_parameter_count equals the built model's parameter count") {
    ModelSpec s = spec_of("gpt");
    DataShape shape = kLm;
    SUBCASE("nano") { s.preset = "nano"; }
    SUBCASE("tiny") {
        s.preset = "tiny";
        s.context = 128;
        shape.context = 128;
    }
    SUBCASE("explicit sizes") {
        s.layers = 3;
        s.d_model = 40;
        s.heads = 4;
        s.context = 20;
        shape = DataShape{.task = "lm", .vocab = 100, .context = 20};
    }
    const auto model = make_model(s, shape, 7);
    CHECK(model->parameter_count() == hetsim::models::gpt_parameter_count(s, shape.vocab));
}

TEST_CASE("gpt preset parameter counts match the documented table") {
    auto count = [](const std::string& preset, int context, std::int64_t vocab) {
        ModelSpec s = spec_of("gpt", preset);
        s.context = context;
        return hetsim::models::gpt_parameter_count(s, vocab);
    };
    CHECK(count("nano", 64, 256) == 84'288);
    CHECK(count("tiny", 128, 256) == 875'264);
    CHECK(count("20M", 256, 256) == 4'935'680);
    CHECK(count("60M", 256, 256) == 29'626'240);
    CHECK(count("150M", 256, 256) == 116'435'200);
    CHECK(count("20M", 256, 32'000) == 21'188'608);
    CHECK(count("60M", 256, 32'000) == 86'511'488);
    CHECK(count("150M", 256, 32'000) == 173'320'448);
    // The names: ~0.1M and ~1M at vocab 256; the paper presets at its 32k vocabulary, counting
    // one embedding table (our head is untied and adds vocab x d_model on top).
    CHECK(count("nano", 64, 256) > 50'000);
    CHECK(count("nano", 64, 256) < 150'000);
    CHECK(count("tiny", 128, 256) > 700'000);
    CHECK(count("tiny", 128, 256) < 1'300'000);
    CHECK(count("20M", 256, 32'000) == doctest::Approx(20e6).epsilon(0.1));
    CHECK(count("60M", 256, 32'000) - 32'000 * 896 == doctest::Approx(60e6).epsilon(0.05));
    CHECK(count("150M", 256, 32'000) - 32'000 * 896 == doctest::Approx(150e6).epsilon(0.05));
}

TEST_CASE("the same seed gives identical parameters and another seed different ones") {
    for (const std::string kind : {"gpt", "mlp", "cnn", "linear"}) {
        CAPTURE(kind);
        ModelSpec s = spec_of(kind, kind == "gpt" ? "nano" : "");
        const auto a = make_model(s, shape_for(kind), 42);
        const auto b = make_model(s, shape_for(kind), 42);
        const auto c = make_model(s, shape_for(kind), 43);
        CHECK(same_parameters(*a, *b));
        CHECK_FALSE(same_parameters(*a, *c));
    }
}

TEST_CASE("building models leaves torch's global generator untouched") {
    auto draws = [](bool build) {
        at::manual_seed(1234);
        const at::Tensor before = at::randn({8});
        if (build)
            for (const std::string kind : {"gpt", "mlp", "cnn", "linear"})
                (void)make_model(spec_of(kind, kind == "gpt" ? "nano" : ""), shape_for(kind), 5);
        return at::cat({before, at::randn({8})});
    };
    CHECK(at::equal(draws(true), draws(false)));
}

TEST_CASE("parameters() returns the same leaf tensors in the same order on every call") {
    const auto model = make_model(spec_of("gpt", "nano"), kLm, 1);
    const auto first = model->parameters();
    const auto second = model->parameters();
    REQUIRE(first.size() == second.size());
    // 2 embeddings + 12 per block x 2 blocks + final norm (2) + head
    CHECK(first.size() == 2 + 12 * 2 + 2 + 1);
    for (std::size_t i = 0; i < first.size(); ++i) {
        CHECK(first[i].is_same(second[i]));
        CHECK(first[i].is_leaf());
        CHECK(first[i].requires_grad());
        CHECK((first[i].scalar_type() == at::kFloat));
        CHECK(first[i].device().is_cpu());
    }
}

TEST_CASE("a model's parameters are views of one buffer, back to back in parameters() order") {
    for (const std::string kind : {"gpt", "mlp", "cnn", "linear"}) {
        CAPTURE(kind);
        const auto model =
            make_model(spec_of(kind, kind == "gpt" ? "nano" : ""), shape_for(kind), 3);
        const auto params = model->parameters();
        std::int64_t offset = params.front().storage_offset();
        for (const auto& p : params) {
            CHECK(p.storage().is_alias_of(params.front().storage()));
            CHECK(p.storage_offset() == offset);
            CHECK(p.is_contiguous());
            CHECK(p.is_leaf());
            CHECK(p.requires_grad());
            offset += p.numel();
        }
        // Gradients still reach every view.
        at::Tensor sum = at::zeros({});
        for (const auto& p : params) sum = sum + p.square().sum();
        const auto grads = torch::autograd::grad({sum}, params);
        for (std::size_t i = 0; i < params.size(); ++i)
            CHECK(at::allclose(grads[i], 2 * params[i].detach()));
    }
}

TEST_CASE("heads that do not divide d_model are refused naming model.heads") {
    ModelSpec s = spec_of("gpt");
    s.d_model = 64;
    s.heads = 3;
    CHECK(config_error_of(s, kLm) == "model.heads: 3 heads do not divide model.d_model = 64");
    CHECK_THROWS_AS((void)hetsim::models::gpt_parameter_count(s, 256), ConfigError);
}

TEST_CASE("impossible gpt sizes are refused naming the key") {
    ModelSpec s = spec_of("gpt");
    SUBCASE("layers") {
        s.layers = 0;
        CHECK(config_error_of(s, kLm) == "model.layers: expected a positive integer, found 0");
    }
    SUBCASE("data longer than the context") {
        s.context = 32;
        CHECK(config_error_of(s, kLm) ==
              "model.context: the data has 64 tokens per example, more than the 32 positions of "
              "the model");
    }
}

TEST_CASE("cuda is refused with a clear message when this LibTorch has no CUDA") {
    if (torch::cuda::is_available()) return;  // a GPU build: nothing to refuse
    ModelSpec s = spec_of("mlp");
    s.device = "cuda";
    const std::string message = config_error_of(s, kMixture);
    CHECK(message.rfind("model.device: ", 0) == 0);
    if (!at::hasCUDA())
        CHECK(message.find("this LibTorch has no CUDA support") != std::string::npos);
}

TEST_CASE("device auto falls back to cpu, and unknown devices and dtypes are refused") {
    if (torch::cuda::is_available()) return;
    ModelSpec s = spec_of("mlp");
    s.device = "auto";
    CHECK(make_model(s, kMixture, 1)->parameters()[0].device().is_cpu());
    s.device = "tpu";
    CHECK(config_error_of(s, kMixture) ==
          R"(model.device: expected "cpu", "cuda" or "auto", found "tpu")");
    s.device = "cpu";
    s.dtype = "bfloat16";
    CHECK(config_error_of(s, kMixture) == R"(model.dtype: "bfloat16" needs a cuda device; )"
                                          R"(this model runs on cpu (model.device = "cpu"))");
    s.dtype = "float16";
    CHECK(config_error_of(s, kMixture) ==
          R"(model.dtype: expected "float32" or "bfloat16", found "float16")");
}

TEST_CASE("a model kind that does not fit the data is refused naming model.kind") {
    CHECK(config_error_of(spec_of("gpt", "nano"), kMixture)
              .rfind("model.kind: \"gpt\" needs lm", 0) == 0);
    CHECK(config_error_of(spec_of("linear"), kMixture)
              .rfind("model.kind: \"linear\" needs regression", 0) == 0);
    CHECK(config_error_of(spec_of("cnn"), kMixture) ==
          R"(model.kind: "cnn" needs 28x28 images (mnist), the data has 16 features)");
    CHECK(config_error_of(spec_of("none"), kMixture) ==
          R"(model.kind: "none" is timing-only and has no model to build)");
    CHECK(config_error_of(spec_of("rnn"), kMixture) ==
          R"(model.kind: expected "none", "gpt", "mlp", "cnn" or "linear", found "rnn")");
    ModelSpec s = spec_of("mlp");
    s.hidden = {32, 0};
    CHECK(config_error_of(s, kMixture) == "model.hidden: expected a positive integer, found 0");
}

TEST_CASE("flops per example follow the documented formulas") {
    // gpt nano, T = 64: T (6 N + 12 L T d), N = 12 L d^2 + d V
    const double n = 12.0 * 2 * 48 * 48 + 48.0 * 256;
    CHECK(make_model(spec_of("gpt", "nano"), kLm, 1)->flops_per_example() ==
          doctest::Approx(64 * (6 * n + 12.0 * 2 * 64 * 48)));
    const auto mlp = make_model(spec_of("mlp"), kMixture, 1);
    CHECK(mlp->flops_per_example() == doctest::Approx(6.0 * double(mlp->parameter_count())));
    CHECK(make_model(spec_of("linear"), kRegression, 1)->flops_per_example() == 6.0 * 8);
    const double cnn_macs = 28 * 28 * 16 * 25 + 14 * 14 * 32 * 16 * 25 + 1568 * 128 + 128 * 10;
    CHECK(make_model(spec_of("cnn"), kMnist, 1)->flops_per_example() ==
          doctest::Approx(6 * cnn_macs));
}

TEST_CASE("describe names the kind, the sizes and the parameter count") {
    CHECK(make_model(spec_of("gpt", "nano"), kLm, 1)->describe() ==
          "gpt: 2 layers, d_model 48, 2 heads, context 64, vocab 256, 84288 parameters, cpu "
          "float32");
    CHECK(make_model(spec_of("mlp"), kMixture, 1)->describe() ==
          "mlp: widths 16-128-4, 2692 parameters, cpu float32");
}
