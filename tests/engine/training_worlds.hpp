#pragma once
// Small training worlds shared by the trainer's equivalence tests (threads_test.cpp: the same
// bytes on any thread count; replica_batch_test.cpp: batched replicas match one-by-one rounds),
// and running one with an override into the text of its files.

#include "analysis/run_files.hpp"
#include "engine/training_run.hpp"
#include "scenarios/scenario_loader.hpp"

#include <fmt/format.h>

#include <cstdint>
#include <sstream>
#include <string>

namespace hetsim::test {

/// What a training run wrote, as the equivalence tests compare it.
struct RunText {
    std::string updates;  ///< updates.csv
    std::string metrics;  ///< metrics.csv (without host time)
    nlohmann::json info;  ///< run.json's `training` object
    std::int64_t rounds_lost = 0;
    std::int64_t updates_dropped = 0;
};

/// Runs the scenario `toml` with one `--set` override (e.g. "run.threads=4").
inline RunText run_with(const std::string& toml, const std::string& override_setting) {
    scenarios::LoadOptions options;
    options.overrides = {override_setting};
    scenarios::Scenario s = scenarios::parse_scenario(toml, "world.toml", options);
    const engine::TrainingRun run = engine::run_training(s, {});
    RunText out;
    std::ostringstream updates, metrics;
    analysis::write_updates_csv(updates, run.result);
    analysis::write_metrics_csv(metrics, run.metrics);
    out.updates = updates.str();
    out.metrics = metrics.str();
    out.info = run.info;
    for (const sim::WorkerStats& w : run.result.workers) {
        out.rounds_lost += w.rounds_lost;
        out.updates_dropped += w.updates_dropped;
    }
    return out;
}

inline constexpr const char* kAdamW = R"(optimizer = "adamw"
lr = 3e-3
weight_decay = 0.01)";

/// The toy MLP on the Gaussian mixture, five workers of different speeds, AdamW inside by
/// default (its moments and step count carry across rounds, so a wrongly kept lost round
/// shows), outer Nesterov at `outer_lr`, 24 server updates. `algorithm` is the [algorithm]
/// body, `failures` goes under [workers] (e.g. scripted failures), `inner` and `eval` are the
/// bodies of those tables.
inline std::string mlp_world(const std::string& algorithm, const std::string& failures = "",
                             const std::string& inner = kAdamW,
                             const std::string& eval = "every_updates = 5",
                             double outer_lr = 0.7) {
    return fmt::format(R"(seed = 3
[model]
kind = "mlp"
hidden = [32, 16]
[data]
source = "gaussian-mixture"
examples = 4096
batch_size = 16
validation_examples = 256
[workers]
count = 5
step_time = "1s"
multiplier = [1.0, 1.0, 1.5, 2.0, 3.0]
jitter = {{ dist = "uniform", low = 0.8, high = 1.2 }}
{}
[network]
latency = "50ms"
bandwidth = "100Mbps"
[algorithm]
{}
[inner]
{}
[outer]
optimizer = "nesterov"
lr = {}
momentum = 0.9
[eval]
{}
[run]
server_updates = 24
)",
                       failures, algorithm, inner, outer_lr, eval);
}

/// A nano GPT (context 16) on Brown, four async workers at step-time `multipliers` (a TOML
/// array body), AdamW inside and outer SGD at lr 0.7, H = 2, 9 server updates.
inline std::string nano_gpt_world(const std::string& multipliers) {
    return fmt::format(R"(seed = 4
[model]
kind = "gpt"
preset = "nano"
context = 16
[data]
source = "brown"
batch_size = 4
validation_examples = 16
[workers]
count = 4
step_time = "100ms"
multiplier = [{}]
[algorithm]
kind = "async"
inner_steps = 2
[inner]
optimizer = "adamw"
lr = 3e-3
[outer]
optimizer = "sgd"
lr = 0.7
[eval]
every_updates = 3
[run]
server_updates = 9
)",
                       multipliers);
}

}  // namespace hetsim::test
