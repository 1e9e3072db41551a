// Batched replicas (issue 7, run.replica_batch): worker-steps per second of a sync run whose R
// equal workers' rounds are computed one by one (replica_batch = 1) or as one batched
// computation (replica_batch = R), at R = 1, 4, 16, 64, for the toy MLP and nano / tiny / 20M
// GPTs on Brown. Timed: run_schedule with the Trainer (rounds, server steps, simulator);
// untimed: building the model and the Trainer, the final evaluation. Printed: steps/s of both,
// their ratio (the issue's target on a GPU: >= 4x for models <= 20M parameters), and how far
// the batched final loss is from the one-by-one one (float rounding only).
//
// On a CPU the batched kernels do the same arithmetic as the one-by-one ones, so expect ~1x
// (the default runs the MLP and the nano GPT at R = 1, 4, 16). On a GPU small models are
// launch-bound and batching is the lever:
//   bench_replicas --device=cuda --models=mlp,nano,tiny,20M --replicas=1,4,16,64
// Flags of its own (before Google Benchmark's): --device=cpu|cuda, --models=a,b,
// --replicas=1,4,..., --inner-steps=H (default 4), --rounds=N (sync steps, default 2).

#include "engine/trainer.hpp"
#include "engine/training_run.hpp"
#include "models/dataset.hpp"
#include "models/model.hpp"
#include "scenarios/scenario_loader.hpp"
#include "sim/schedule.hpp"
#include "tests/bench/training_bench_support.hpp"

#include <benchmark/benchmark.h>
#include <fmt/format.h>
#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <type_traits>
#include <vector>

using namespace hetsim;

namespace {

using bench::median;
using Clock = std::chrono::steady_clock;

struct Options {
    std::string device = "cpu";
    std::vector<std::string> models{"mlp", "nano"};
    std::vector<int> replicas{1, 4, 16};
    int inner_steps = 4;
    int rounds = 2;
};

// The [model] and [data] tables of a named model (batch 8: the launch-bound regime).
std::string model_data_toml(const std::string& name, const std::string& device) {
    if (name == "mlp")
        return fmt::format(R"([model]
kind = "mlp"
hidden = [512, 128]
device = "{}"
[data]
source = "gaussian-mixture"
batch_size = 32
validation_examples = 256)",
                           device);
    return fmt::format(R"([model]
kind = "gpt"
preset = "{}"
context = 64
device = "{}"
[data]
source = "brown"
tokenizer = "byte"
batch_size = 8
validation_examples = 64)",
                       name, device);
}

std::string scenario_toml(const Options& o, const std::string& model, int workers, int batch) {
    return fmt::format(R"(seed = 1
{}
[workers]
count = {}
step_time = "100ms"
[algorithm]
kind = "sync"
inner_steps = {}
[inner]
optimizer = "adamw"
lr = 1e-3
weight_decay = 0.01
[outer]
optimizer = "nesterov"
lr = 0.7
momentum = 0.9
[run]
server_updates = {}
threads = 1
replica_batch = {}
)",
                       model_data_toml(model, o.device), workers, o.inner_steps, o.rounds, batch);
}

struct Sample {
    double seconds = 0;
    double steps = 0;
    double final_loss = 0;
    double mean_batch = 0;  // rounds per batched computation
};

std::map<std::string, std::vector<Sample>>& samples() {
    static std::map<std::string, std::vector<Sample>> all;
    return all;
}

std::string key(const std::string& model, int r, bool batched) {
    return fmt::format("replicas/{}/R:{}/{}", model, r, batched ? "batched" : "one-by-one");
}

void bm_run(benchmark::State& state, const Options& o, const std::string& model_name, int r,
            bool batched) {
    bench::TrainingScenario run(scenario_toml(o, model_name, r, batched ? r : 1), r);
    const scenarios::Scenario& s = run.scenario;
    for (auto _ : state) {
        state.PauseTiming();
        const auto model = run.fresh_model();
        engine::Trainer trainer(s, *model, *run.data);
        state.ResumeTiming();
        const auto t0 = Clock::now();
        const sim::RunResult result = sim::run_schedule(s.world, &trainer);
        Sample x;
        x.seconds = std::chrono::duration<double>(Clock::now() - t0).count();
        state.PauseTiming();
        x.steps = static_cast<double>(result.inner_steps);
        trainer.finish(result.end_time);
        x.final_loss = trainer.metrics().back().loss;
        const engine::ReplicaBatchStats stats = trainer.replica_batches();
        x.mean_batch = stats.batches > 0 ? double(stats.rounds) / double(stats.batches) : 1.0;
        samples()[key(model_name, r, batched)].push_back(x);
        state.counters["steps/s"] = x.steps / x.seconds;
        state.ResumeTiming();
    }
}

double median_rate(const std::vector<Sample>& xs) {
    std::vector<double> rates;
    for (const Sample& x : xs) rates.push_back(x.steps / x.seconds);
    return median(rates);
}

void print_summary(const Options& o) {
    fmt::print("\nworker-steps per second (median over repetitions), device {}, sync, H = {}, "
               "{} rounds\n",
               o.device, o.inner_steps, o.rounds);
    fmt::print("  {:<8} {:>4} {:>12} {:>12} {:>7} {:>11} {:>14}\n", "model", "R", "one-by-one",
               "batched", "ratio", "mean batch", "loss rel diff");
    for (const std::string& m : o.models)
        for (int r : o.replicas) {
            const auto& one = samples()[key(m, r, false)];
            const auto& batched = samples()[key(m, r, true)];
            if (one.empty() || batched.empty()) continue;
            const double a = median_rate(one), b = median_rate(batched);
            const double la = one.front().final_loss, lb = batched.front().final_loss;
            fmt::print("  {:<8} {:>4} {:>12.1f} {:>12.1f} {:>7.2f} {:>11.1f} {:>14.2e}\n", m, r, a,
                       b, b / a, batched.front().mean_batch,
                       std::abs(la - lb) / std::max(std::abs(la), 1e-12));
        }
}

template <typename T>
std::vector<T> parse_list(const std::string& text) {
    std::vector<T> out;
    std::istringstream in(text);
    std::string item;
    while (std::getline(in, item, ',')) {
        if constexpr (std::is_same_v<T, int>)
            out.push_back(std::stoi(item));
        else
            out.push_back(item);
    }
    return out;
}

// Removes this program's own flags from argv (Google Benchmark rejects unknown ones).
Options parse_options(int& argc, char** argv) {
    Options o;
    int kept = 1;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        auto value = [&](const std::string& flag) -> std::optional<std::string> {
            if (arg.rfind(flag + "=", 0) == 0) return arg.substr(flag.size() + 1);
            return std::nullopt;
        };
        if (const auto device = value("--device")) o.device = *device;
        else if (const auto models = value("--models")) o.models = parse_list<std::string>(*models);
        else if (const auto rs = value("--replicas")) o.replicas = parse_list<int>(*rs);
        else if (const auto h = value("--inner-steps")) o.inner_steps = std::stoi(*h);
        else if (const auto rounds = value("--rounds")) o.rounds = std::stoi(*rounds);
        else argv[kept++] = argv[i];
    }
    argc = kept;
    return o;
}

}  // namespace

int main(int argc, char** argv) {
    engine::keep_freed_memory();  // as hetsim run does (engine/training_run.hpp)
    at::set_num_threads(1);
    try {
        const Options o = parse_options(argc, argv);
        std::vector<std::string> defaults{"--benchmark_repetitions=3",
                                          "--benchmark_enable_random_interleaving=true",
                                          "--benchmark_display_aggregates_only=true"};
        std::vector<char*> args{argv[0]};
        for (std::string& d : defaults) args.push_back(d.data());
        for (int i = 1; i < argc; ++i) args.push_back(argv[i]);
        int n = static_cast<int>(args.size());
        benchmark::Initialize(&n, args.data());
        if (benchmark::ReportUnrecognizedArguments(n, args.data())) return 1;
        for (const std::string& m : o.models)
            for (int r : o.replicas)
                for (bool batched : {false, true})
                    benchmark::RegisterBenchmark(key(m, r, batched).c_str(),
                                                 [&o, m, r, batched](benchmark::State& s) {
                                                     bm_run(s, o, m, r, batched);
                                                 })
                        ->Iterations(1)
                        ->UseRealTime()
                        ->Unit(benchmark::kMillisecond);
        benchmark::RunSpecifiedBenchmarks();
        print_summary(o);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "bench_replicas: %s\n", e.what());
        return 1;
    }
    benchmark::Shutdown();
    return 0;
}
