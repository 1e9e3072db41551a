// Scaling of concurrent rounds (issue 7): worker-steps per second of an async run with
// run.threads = 1 (rounds computed inline, one at a time) and 2, 4, ... up to the machine's
// cores (rounds on a RoundPool, one Torch intra-op thread each), for the public toy's MLP
// (512-128-4 on the Gaussian mixture, batch 32, AdamW) with 4 and 8 workers and the nano GPT
// on Brown with 8 workers. Timed: run_schedule with the Trainer (the rounds, the server steps,
// the simulator); untimed: building the model, the replicas and the Trainer, and the final
// evaluation. The summary prints steps/s and the ratio to one thread; the final loss of every
// thread count must be the same (concurrency never changes an answer). The eval-heavy case
// (nano GPT, the global model evaluated after every server update) measures evaluations
// overlapping training (EvaluationQueue): its timed part includes the final evaluation and the
// wait for every queued one (Trainer::finish). docs/performance.md.

#include "engine/trainer.hpp"
#include "models/dataset.hpp"
#include "models/model.hpp"
#include "scenarios/scenario_loader.hpp"
#include "sim/error.hpp"
#include "sim/schedule.hpp"

#include <benchmark/benchmark.h>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <map>
#include <string>
#include <thread>
#include <vector>

using namespace hetsim;

namespace {

using Clock = std::chrono::steady_clock;

struct Case {
    std::string name;
    std::string model_data_toml;  // the [model] and [data] tables
    int workers;
    int inner_steps;  // H
    int rounds;       // server updates = rounds x workers (async: one update per round)
    int eval_every = 1'000'000'000;  // server updates between evaluations (eval.every_updates)
};

const std::vector<Case> kCases{
    {"mlp-k4", R"([model]
kind = "mlp"
hidden = [512, 128]
[data]
source = "gaussian-mixture"
batch_size = 32
validation_examples = 512)",
     4, 20, 40},
    {"mlp-k8", R"([model]
kind = "mlp"
hidden = [512, 128]
[data]
source = "gaussian-mixture"
batch_size = 32
validation_examples = 512)",
     8, 20, 20},
    {"gpt-nano-k8", R"([model]
kind = "gpt"
preset = "nano"
context = 64
[data]
source = "brown"
tokenizer = "byte"
batch_size = 16
validation_examples = 256)",
     8, 10, 6},
    {"gpt-nano-k8-eval", R"([model]
kind = "gpt"
preset = "nano"
context = 64
[data]
source = "brown"
tokenizer = "byte"
batch_size = 16
validation_examples = 256)",
     8, 10, 6, 1},
};

// Async, Delayed Nesterov (buffer K) as in tools/run-demo; workers 1x..4x as in the demo.
std::string scenario_toml(const Case& c, int threads) {
    const std::vector<double> speeds{1.0, 1.0, 1.25, 1.5, 1.75, 2.0, 3.0, 4.0};
    std::vector<std::string> multipliers;
    for (int w = 0; w < c.workers; ++w)
        multipliers.push_back(fmt::format("{}", speeds[static_cast<std::size_t>(w) % 8]));
    return fmt::format(R"(seed = 1
{}
[workers]
count = {}
step_time = "100ms"
multiplier = [{}]
[network]
latency = "20ms"
bandwidth = "1Gbps"
[algorithm]
kind = "async"
inner_steps = {}
[inner]
optimizer = "adamw"
lr = 1e-3
weight_decay = 0.01
[outer]
optimizer = "delayed-nesterov"
lr = 0.7
momentum = 0.9
delayed_nesterov = {{ buffer = {} }}
[eval]
every_updates = {}
[run]
server_updates = {}
threads = {}
)",
                       c.model_data_toml, c.workers, fmt::join(multipliers, ", "),
                       c.inner_steps, c.workers, c.eval_every, c.rounds * c.workers, threads);
}

struct Sample {
    double seconds = 0;
    double steps = 0;  // inner steps computed (applied: no round is lost here)
    double final_loss = 0;
    std::vector<double> losses;  // every evaluation's loss, in order
    int round_threads = 0;
};

std::map<std::string, std::vector<Sample>>& samples() {
    static std::map<std::string, std::vector<Sample>> all;
    return all;
}

std::string key(const Case& c, int threads) {
    return fmt::format("{}/threads:{}", c.name, threads);
}

void bm_run(benchmark::State& state, const Case& c, int threads) {
    scenarios::Scenario s = scenarios::parse_scenario(scenario_toml(c, threads), "bench.toml");
    const auto data = models::make_dataset(s.training.data, c.workers, s.world.seed,
                                           models::default_data_dir(), s.training.model.context);
    s.training.model.vocab = static_cast<int>(data->shape().vocab);
    for (auto _ : state) {
        state.PauseTiming();
        const auto model = models::make_model(s.training.model, data->shape(), 77);
        s.world.model_bytes = model->parameter_count() * s.training.model.bytes_per_parameter;
        engine::Trainer trainer(s, *model, *data);
        state.ResumeTiming();
        const auto t0 = Clock::now();
        const sim::RunResult r = sim::run_schedule(s.world, &trainer);
        const bool eval_heavy = c.eval_every == 1;
        if (eval_heavy) trainer.finish(r.end_time);  // waits for the queued evaluations
        Sample x;
        x.seconds = std::chrono::duration<double>(Clock::now() - t0).count();
        state.PauseTiming();
        x.steps = static_cast<double>(r.inner_steps);
        if (!eval_heavy) trainer.finish(r.end_time);
        x.final_loss = trainer.metrics().back().loss;
        for (const auto& row : trainer.metrics()) x.losses.push_back(row.loss);
        x.round_threads = trainer.round_threads();
        samples()[key(c, threads)].push_back(x);
        state.counters["steps/s"] = x.steps / x.seconds;
        state.ResumeTiming();
    }
}

std::vector<int> thread_counts() {
    const int cores = std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
    std::vector<int> counts;
    for (int t = 1; t < cores; t *= 2) counts.push_back(t);
    counts.push_back(cores);
    return counts;
}

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    const std::size_t n = v.size();
    return n == 0 ? 0.0 : n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

void print_summary() {
    fmt::print("\nworker-steps per second (median over repetitions), ratio to threads = 1; "
               "{} cores\n", std::thread::hardware_concurrency());
    fmt::print("  {:<16} {:>8} {:>8} {:>9} {:>6} {:>8} {:>7} {:>12}\n", "case", "threads",
               "used", "steps", "evals", "steps/s", "ratio", "final loss");
    for (const Case& c : kCases) {
        double base = 0;
        std::vector<double> base_losses;
        for (int t : thread_counts()) {
            const auto& xs = samples()[key(c, t)];
            if (xs.empty()) continue;
            std::vector<double> rates;
            for (const Sample& x : xs) rates.push_back(x.steps / x.seconds);
            const double rate = median(rates);
            if (t == 1) base = rate, base_losses = xs.front().losses;
            // Exact comparison on purpose: any thread count must give the same bytes.
            const bool same = t == 1 || xs.front().losses == base_losses;
            fmt::print("  {:<16} {:>8} {:>8} {:>9.0f} {:>6} {:>8.1f} {:>7} {:>12.6g}{}\n", c.name,
                       t, xs.front().round_threads, xs.front().steps, xs.front().losses.size(),
                       rate,
                       base > 0 ? fmt::format("{:.2f}", rate / base) : "-", xs.front().final_loss,
                       same ? "" : "  DIFFERS from threads = 1");
        }
    }
}

}  // namespace

int main(int argc, char** argv) {
    at::set_num_threads(1);
    std::vector<std::string> defaults{"--benchmark_repetitions=3",
                                      "--benchmark_enable_random_interleaving=true",
                                      "--benchmark_display_aggregates_only=true"};
    std::vector<char*> args{argv[0]};
    for (std::string& d : defaults) args.push_back(d.data());
    for (int i = 1; i < argc; ++i) args.push_back(argv[i]);
    try {
        int n = static_cast<int>(args.size());
        benchmark::Initialize(&n, args.data());
        if (benchmark::ReportUnrecognizedArguments(n, args.data())) return 1;
        for (const Case& c : kCases)
            for (int t : thread_counts())
                benchmark::RegisterBenchmark(key(c, t).c_str(),
                                             [&c, t](benchmark::State& s) { bm_run(s, c, t); })
                    ->Iterations(1)
                    ->UseRealTime()
                    ->Unit(benchmark::kMillisecond);
        benchmark::RunSpecifiedBenchmarks();
        print_summary();
    } catch (const std::exception& e) {
        std::fprintf(stderr, "bench_threads: %s\n", e.what());
        return 1;
    }
    benchmark::Shutdown();
    return 0;
}
