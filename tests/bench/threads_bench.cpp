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
// wait for every queued one (Trainer::finish). It then prints the share of the FLOP floor
// (issue 7): the model's FLOPs of all inner steps / host time / (this machine's GEMM rate on
// one Torch thread x cores), with the GEMM rate measured here by at::mm on 1024^3 squares
// ("gemm/1024") and on the MLP's own shapes ("gemm/mlp"), for the toy case. docs/performance.md.

#include "engine/trainer.hpp"
#include "engine/training_run.hpp"
#include "models/dataset.hpp"
#include "models/model.hpp"
#include "scenarios/scenario_loader.hpp"
#include "sim/error.hpp"
#include "sim/schedule.hpp"
#include "tests/bench/training_bench_support.hpp"

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

using bench::median;
using Clock = std::chrono::steady_clock;

// Step-time multipliers of the workers, cycled: 1x..4x as in the demo.
const std::vector<double> kDemoSpeeds{1.0, 1.0, 1.25, 1.5, 1.75, 2.0, 3.0, 4.0};
// The step times of scenarios/asyncdiloco-toy.toml (0.58, 0.75, 1.51, 3.33 s) over 0.58 s.
const std::vector<double> kToySpeeds{1.0, 0.75 / 0.58, 1.51 / 0.58, 3.33 / 0.58};

struct Case {
    std::string name;
    std::string model_data_toml;  // the [model] and [data] tables
    int workers;
    int inner_steps;  // H
    int rounds;       // server updates = rounds x workers (async: one update per round)
    const std::vector<double>* speeds = &kDemoSpeeds;
    int eval_every = 1'000'000'000;  // server updates between evaluations (eval.every_updates)
};

const char* const kMlpToml = R"([model]
kind = "mlp"
hidden = [512, 128]
[data]
source = "gaussian-mixture"
batch_size = 32
validation_examples = 512)";

// mlp-toy-k4 is the issue's FLOP-floor case: the public toy's four workers and speeds (H fixed
// at 20, no DyLU). Its model ends confident enough that the validation loss rounds to 0.
const std::vector<Case> kCases{
    {"mlp-toy-k4", kMlpToml, 4, 20, 40, &kToySpeeds},
    {"mlp-k4", kMlpToml, 4, 20, 40},
    {"mlp-k8", kMlpToml, 8, 20, 20},
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
     8, 10, 6, &kDemoSpeeds, 1},
};

// Async, Delayed Nesterov (buffer K) as in tools/run-demo; worker speeds from the case.
std::string scenario_toml(const Case& c, int threads) {
    const std::vector<double>& speeds = *c.speeds;
    std::vector<std::string> multipliers;
    for (std::size_t w = 0; w < static_cast<std::size_t>(c.workers); ++w)
        multipliers.push_back(fmt::format("{}", speeds[w % speeds.size()]));
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
                       c.inner_steps, c.workers, c.eval_every, c.rounds * c.workers,
                       threads);
}

struct Sample {
    double seconds = 0;
    double steps = 0;  // inner steps computed (applied: no round is lost here)
    double flops = 0;  // the model's FLOPs of those steps (Model::flops_per_example x batch)
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
    bench::TrainingScenario run(scenario_toml(c, threads), c.workers);
    const scenarios::Scenario& s = run.scenario;
    for (auto _ : state) {
        state.PauseTiming();
        const auto model = run.fresh_model();
        engine::Trainer trainer(s, *model, *run.data);
        state.ResumeTiming();
        const auto t0 = Clock::now();
        const sim::RunResult r = sim::run_schedule(s.world, &trainer);
        const bool eval_heavy = c.eval_every == 1;
        if (eval_heavy) trainer.finish(r.end_time);  // waits for the queued evaluations
        Sample x;
        x.seconds = std::chrono::duration<double>(Clock::now() - t0).count();
        state.PauseTiming();
        x.steps = static_cast<double>(r.inner_steps);
        x.flops = x.steps * s.training.data.batch_size * model->flops_per_example();
        if (!eval_heavy) trainer.finish(r.end_time);
        x.final_loss = trainer.metrics().back().loss;
        for (const auto& row : trainer.metrics()) x.losses.push_back(row.loss);
        x.round_threads = trainer.round_threads();
        samples()[key(c, threads)].push_back(x);
        state.counters["steps/s"] = x.steps / x.seconds;
        state.ResumeTiming();
    }
}

// One [m, k] x [k, n] product; a transposed operand is a transposed view, as at::linear and
// its backward pass hand them to BLAS.
struct Gemm {
    std::int64_t m, k, n;
    bool transpose_a = false, transpose_b = false;
};

// The GEMMs of one forward + backward step of the toy MLP (16-512-128-4, batch 32): per layer
// x W^T (forward), dY^T x (weight gradient) and dY W (input gradient; none for the first
// layer, whose input needs no gradient).
std::vector<Gemm> mlp_gemms() {
    const std::vector<std::int64_t> widths{16, 512, 128, 4};
    const std::int64_t batch = 32;
    std::vector<Gemm> out;
    for (std::size_t i = 0; i + 1 < widths.size(); ++i) {
        const std::int64_t in = widths[i], units = widths[i + 1];
        out.push_back({batch, in, units, false, true});
        out.push_back({units, batch, in, true, false});
        if (i > 0) out.push_back({batch, units, in, false, false});
    }
    return out;
}

std::map<std::string, std::vector<double>>& gemm_rates() {
    static std::map<std::string, std::vector<double>> all;
    return all;
}

// FLOP/s of at::mm_out over `shapes` on this thread (one Torch thread), operands allocated once.
void bm_gemm(benchmark::State& state, const std::string& name, const std::vector<Gemm>& shapes) {
    struct Operands {
        at::Tensor a, b, out;
    };
    std::vector<Operands> ops;
    double flops_per_pass = 0;
    for (const Gemm& g : shapes) {
        at::Tensor a = g.transpose_a ? at::randn({g.k, g.m}).t() : at::randn({g.m, g.k});
        at::Tensor b = g.transpose_b ? at::randn({g.n, g.k}).t() : at::randn({g.k, g.n});
        ops.push_back({a, b, at::empty({g.m, g.n})});
        flops_per_pass += 2.0 * double(g.m) * double(g.k) * double(g.n);
    }
    const auto t0 = Clock::now();
    for (auto _ : state)
        for (Operands& o : ops) at::mm_out(o.out, o.a, o.b);
    const double seconds = std::chrono::duration<double>(Clock::now() - t0).count();
    const double rate = flops_per_pass * double(state.iterations()) / seconds;
    gemm_rates()[name].push_back(rate);
    state.counters["GFLOP/s"] = rate * 1e-9;
}

std::vector<int> thread_counts() {
    const int cores = std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
    std::vector<int> counts;
    for (int t = 1; t < cores; t *= 2) counts.push_back(t);
    counts.push_back(cores);
    return counts;
}

// The issue's figure, FLOPs of all inner steps / host time / (GEMM rate x cores), for every
// case and thread count, against the large-GEMM rate (the floor) and the MLP-shape rate.
void print_floor() {
    const double big = median(gemm_rates()["gemm/1024"]);
    const double small = median(gemm_rates()["gemm/mlp"]);
    if (big <= 0) return;
    const int cores = std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
    fmt::print("\nGEMM rate on one Torch thread (median): {:.1f} GFLOP/s at 1024^3, {:.1f} "
               "GFLOP/s at the MLP's shapes (batch 32); {} cores\n",
               big * 1e-9, small * 1e-9, cores);
    fmt::print("  {:<16} {:>8} {:>10} {:>9} {:>9} {:>12} {:>14}\n", "case", "threads",
               "GFLOP/run", "host s", "GFLOP/s", "floor share", "of MLP shapes");
    for (const Case& c : kCases)
        for (int t : thread_counts()) {
            const auto& xs = samples()[key(c, t)];
            if (xs.empty()) continue;
            std::vector<double> secs;
            for (const Sample& x : xs) secs.push_back(x.seconds);
            const double rate = xs.front().flops / median(secs);
            fmt::print("  {:<16} {:>8} {:>10.2f} {:>9.3f} {:>9.1f} {:>12.3f} {:>14.3f}\n", c.name,
                       t, xs.front().flops * 1e-9, median(secs), rate * 1e-9,
                       rate / (big * cores), small > 0 ? rate / (small * cores) : 0.0);
        }
    // The issue's case.
    for (const Case& floor_case : {kCases[0]}) {
        const auto& xs = samples()[key(floor_case, cores)];
        if (xs.empty()) continue;
        std::vector<double> secs;
        for (const Sample& x : xs) secs.push_back(x.seconds);
        const double s = median(secs), f = xs.front().flops;
        fmt::print("FLOP floor share = {:.4g} FLOP / {:.3f} s / ({:.1f} GFLOP/s x {} cores) = "
                   "{:.3f} ({}, threads = {}, {:.0f} steps, {:.0f} steps/s)\n",
                   f, s, big * 1e-9, cores, f / s / (big * cores), floor_case.name, cores,
                   xs.front().steps, xs.front().steps / s);
    }
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
    engine::keep_freed_memory();  // as hetsim run does (engine/training_run.hpp)
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
        benchmark::RegisterBenchmark("gemm/1024", [](benchmark::State& s) {
            bm_gemm(s, "gemm/1024", {{1024, 1024, 1024}});
        })->UseRealTime();
        benchmark::RegisterBenchmark("gemm/mlp", [](benchmark::State& s) {
            bm_gemm(s, "gemm/mlp", mlp_gemms());
        })->UseRealTime();
        for (const Case& c : kCases)
            for (int t : thread_counts())
                benchmark::RegisterBenchmark(key(c, t).c_str(),
                                             [&c, t](benchmark::State& s) { bm_run(s, c, t); })
                    ->Iterations(1)
                    ->UseRealTime()
                    ->Unit(benchmark::kMillisecond);
        benchmark::RunSpecifiedBenchmarks();
        print_summary();
        print_floor();
    } catch (const std::exception& e) {
        std::fprintf(stderr, "bench_threads: %s\n", e.what());
        return 1;
    }
    benchmark::Shutdown();
    return 0;
}
