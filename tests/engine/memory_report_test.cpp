// The memory estimate against the real models and run.json: the MLP and nano GPT whose byte
// numbers memory_estimate_test computes by hand have those parameter counts, and a training
// run reports its estimate under training.memory.

#include "tests/torch_test.hpp"

#include "engine/memory_estimate.hpp"
#include "engine/training_run.hpp"
#include "models/model.hpp"
#include "scenarios/scenario_loader.hpp"

#include <fmt/format.h>

using namespace hetsim;

TEST_CASE("the MLP and nano GPT of the memory tests have the hand-counted parameters") {
    at::set_num_threads(1);
    scenarios::ModelSpec mlp;
    mlp.kind = "mlp";
    mlp.hidden = {32, 16};
    models::DataShape features;
    features.task = "classification";
    features.input_dim = 8;
    features.classes = 4;
    CHECK(models::make_model(mlp, features, 1)->parameter_count() == 884);
    scenarios::ModelSpec gpt;
    gpt.kind = "gpt";
    gpt.preset = "nano";
    gpt.context = 16;
    models::DataShape text;
    text.task = "lm";
    text.vocab = 256;
    text.context = 16;
    CHECK(models::make_model(gpt, text, 1)->parameter_count() == 81984);
}

TEST_CASE("a training run reports its memory estimate in run.json's training object") {
    // Five workers, AdamW inside, Delayed Nesterov outside; P parameters of 4 bytes a copy.
    // One round thread: server 4 copies (model, global, m, D), per worker 4 (snapshot,
    // pseudo-gradient, two moments). Two: + 2 evaluation snapshots on the server, + 2 state
    // copies per worker computed ahead, + 2 replicas.
    for (const int threads : {1, 2}) {
        CAPTURE(threads);
        scenarios::LoadOptions options;
        options.overrides = {fmt::format("run.threads={}", threads)};
        scenarios::Scenario s = scenarios::parse_scenario(R"(seed = 3
[model]
kind = "mlp"
hidden = [32, 16]
[data]
source = "gaussian-mixture"
examples = 1024
batch_size = 16
validation_examples = 64
[workers]
count = 5
step_time = "1s"
[algorithm]
kind = "async"
inner_steps = 2
[outer]
optimizer = "delayed-nesterov"
delayed_nesterov = { buffer = 5 }
[run]
server_updates = 5
)",
                                                          "memory.toml", options);
        const engine::TrainingRun run = engine::run_training(s, {});
        const nlohmann::json& m = run.info.at("memory");
        const std::int64_t p = run.info.at("parameters").get<std::int64_t>();
        const std::int64_t copy = 4 * p;
        CHECK(m.at("parameters") == p);
        CHECK(m.at("copy_bytes") == copy);
        CHECK(m.at("per_worker").at("optimizer_state_bytes") == 2 * copy);
        if (threads == 1) {
            CHECK(m.at("per_worker").at("bytes") == 4 * copy);
            CHECK(m.at("server").at("bytes") == 4 * copy);
            CHECK(m.at("replicas") == 0);
            CHECK(m.at("bytes") == (4 + 5 * 4) * copy);
        } else {
            CHECK(m.at("per_worker").at("bytes") == 6 * copy);
            CHECK(m.at("server").at("bytes") == 6 * copy);
            CHECK(m.at("replicas") == 2);
            CHECK(m.at("bytes") == (6 + 5 * 6 + 2) * copy);
        }
    }
}
