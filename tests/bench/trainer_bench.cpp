// Overhead of hetsim over a plain LibTorch training loop (the issue's target: (a)/(b) <= 1.05).
// (a) runs a fixed number of inner steps through hetsim: 8 simulated workers, a sync or an
// async schedule, the Trainer in the loop. (b) runs the same number of steps of the same model,
// from the same initial parameters, on the same batches in one plain loop: with
// torch::optim::AdamW and backward() ("plain-torch", the issue's baseline) and with the
// project's InnerAdamW and Model::loss_and_gradients ("plain-inner", the Trainer's own step code).
// Timed: only the steps (a: run_schedule; b: the loop). Reported apart, untimed: building the
// model, optimizers and Trainer (setup; the Trainer evaluates the initial model there) and the
// Trainer's final evaluation. After the benchmarks a summary prints medians, ratios and where
// hetsim's extra time goes. Figures and commands: docs/performance.md.

#include "engine/optim/inner_optimizer.hpp"
#include "engine/optim/outer_optimizer.hpp"
#include "engine/optim/tensor_list.hpp"
#include "engine/trainer.hpp"
#include "engine/training_run.hpp"
#include "models/dataset.hpp"
#include "models/model.hpp"
#include "scenarios/scenario_loader.hpp"
#include "sim/error.hpp"
#include "sim/schedule.hpp"

#include <benchmark/benchmark.h>
#include <fmt/format.h>
#include <sys/resource.h>
#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <functional>
#include <map>
#include <string>
#include <vector>

using namespace hetsim;

namespace {

using Clock = std::chrono::steady_clock;
namespace tl = engine::tensor_list;

constexpr int kWorkers = 8;
constexpr int kInnerSteps = 20;          // H, as in scenarios/brown-gpt-8.toml
constexpr std::uint64_t kInitSeed = 77;  // the same initial parameters in (a) and (b)

double seconds_since(Clock::time_point t0) {
    return std::chrono::duration<double>(Clock::now() - t0).count();
}

// This thread's CPU time (user + system; Torch runs inline with one intra-op thread), minor
// page faults and involuntary context switches. CPU time is less sensitive than wall time to
// other processes on the shared cores; the switches say how often they took ours.
struct ThreadUsage {
    double cpu = 0, faults = 0, preempted = 0;
    static ThreadUsage now() {
        rusage u{};
        getrusage(RUSAGE_THREAD, &u);
        const auto s = [](const timeval& t) { return double(t.tv_sec) + 1e-6 * double(t.tv_usec); };
        return {s(u.ru_utime) + s(u.ru_stime), double(u.ru_minflt), double(u.ru_nivcsw)};
    }
};

struct ModelCase {
    std::string name;
    std::string model_data_toml;  // the [model] and [data] tables
    std::int64_t total_steps;     // inner steps of one run, all workers together
};

// The public toy's MLP (gaussian mixture, 16 features, 4 classes; hidden 512 and 128) and the
// demo's nano GPT on Brown (byte tokens). Step counts are whole sync rounds (K x H steps);
// --rounds=N sets both to N rounds (a short run for valgrind).
ModelCase kMlp{"mlp", R"([model]
kind = "mlp"
hidden = [512, 128]
[data]
source = "gaussian-mixture"
batch_size = 32
validation_examples = 512)",
               kWorkers * kInnerSteps * 25};
ModelCase kGpt{"gpt", R"([model]
kind = "gpt"
preset = "nano"
context = 64
[data]
source = "brown"
tokenizer = "byte"
batch_size = 16
validation_examples = 256)",
               kWorkers * kInnerSteps * 4};

// Workers as in the demo (1x..4x). Evaluation only at the end: every_updates is out of reach.
// Outer optimizers as in tools/run-demo: Nesterov for sync (DiLoCo); Delayed Nesterov with
// buffer K for async (Nesterov at lr 0.7 on every single update diverges, and a diverged
// model's steps run at another speed).
std::string scenario_toml(const ModelCase& m, bool async) {
    return fmt::format(R"(seed = 1
{}
[workers]
count = {}
step_time = "100ms"
multiplier = [1.0, 1.0, 1.25, 1.5, 1.75, 2.0, 3.0, 4.0]
[network]
latency = "20ms"
bandwidth = "1Gbps"
[algorithm]
kind = "{}"
inner_steps = {}
[inner]
optimizer = "adamw"
lr = 1e-3
weight_decay = 0.01
[outer]
optimizer = "{}"
lr = 0.7
momentum = 0.9
{}
[eval]
every_updates = 1000000000
[run]
inner_steps = {}
threads = 1
)",
                       m.model_data_toml, kWorkers, async ? "async" : "sync", kInnerSteps,
                       async ? "delayed-nesterov" : "nesterov",
                       async ? fmt::format("delayed_nesterov = {{ buffer = {} }}", kWorkers) : "",
                       m.total_steps);
}

struct Fixture {
    scenarios::Scenario sync, async;
    std::unique_ptr<models::Dataset> data;
    models::DataShape shape;
    std::int64_t parameters = 0;
};

// Parsed scenarios and the data set, built once per model and shared by all its benchmarks.
Fixture& fixture(const ModelCase& m) {
    static std::map<std::string, std::unique_ptr<Fixture>> cache;
    std::unique_ptr<Fixture>& f = cache[m.name];
    if (f) return *f;
    f = std::make_unique<Fixture>();
    f->sync = scenarios::parse_scenario(scenario_toml(m, false), "bench.toml");
    f->async = scenarios::parse_scenario(scenario_toml(m, true), "bench.toml");
    const scenarios::TrainingSpec& t = f->sync.training;
    f->data = models::make_dataset(t.data, kWorkers, f->sync.world.seed,
                                   models::default_data_dir(), t.model.context);
    f->shape = f->data->shape();
    for (scenarios::Scenario* s : {&f->sync, &f->async}) {
        s->training.model.vocab = static_cast<int>(f->shape.vocab);
        f->parameters =
            models::make_model(s->training.model, f->shape, kInitSeed)->parameter_count();
        // As engine::run_training does: transfers carry the model's size.
        s->world.model_bytes = f->parameters * s->training.model.bytes_per_parameter;
    }
    return *f;
}

/// One repetition (or, for the per-call ops, seconds per call in `seconds`).
struct Sample {
    double seconds = 0;                         ///< the timed part, wall clock
    double cpu = 0, faults = 0, preempted = 0;  ///< ThreadUsage over the timed part
    double setup = 0, eval = 0, final_loss = 0;
    /// (a) only: seconds inside the hooks, the rest (the simulator), and the inner steps the
    /// Trainer computed, applied or not.
    double compute = 0, apply = 0, started = 0, rest = 0, computed_steps = 0;
    void add_usage(const ThreadUsage& since) {
        const ThreadUsage u = ThreadUsage::now();
        cpu = u.cpu - since.cpu, faults = u.faults - since.faults;
        preempted = u.preempted - since.preempted;
    }
};

std::map<std::string, std::vector<Sample>>& samples() {
    static std::map<std::string, std::vector<Sample>> all;
    return all;
}

// Forwards to the Trainer and times its hooks: worker compute (result_needed: pull copy, H
// steps, pseudo-gradient), server steps (apply) and pulls (round_started); the rest of (a) is
// the simulator. Two clock reads per call, a few hundred calls per run.
class TimedHooks final : public sim::TrainerHooks {
public:
    TimedHooks(engine::Trainer& trainer, Sample& out) : trainer_(trainer), out_(out) {}
    int plan_inner_steps(int w, int planned) override {
        return trainer_.plan_inner_steps(w, planned);
    }
    void round_started(const sim::RoundInfo& r) override {
        timed(out_.started, [&] { trainer_.round_started(r); });
    }
    void result_needed(const sim::RoundInfo& r) override {
        out_.computed_steps += r.inner_steps;
        timed(out_.compute, [&] { trainer_.result_needed(r); });
    }
    void round_lost(const sim::RoundInfo& r) override { trainer_.round_lost(r); }
    void apply(std::span<sim::UpdateRecord> u) override {
        timed(out_.apply, [&] { trainer_.apply(u); });
    }

private:
    static void timed(double& total, const std::function<void()>& f) {
        const auto t0 = Clock::now();
        f();
        total += seconds_since(t0);
    }
    engine::Trainer& trainer_;
    Sample& out_;
};

void record(benchmark::State& state, const std::string& key, const Sample& x,
            std::int64_t steps) {
    samples()[key].push_back(x);
    state.counters["steps/s"] = static_cast<double>(steps) / x.seconds;
    state.counters["cpu_s"] = x.cpu;
    state.counters["preempted"] = x.preempted;
}

// (a): run_schedule with the Trainer. Iterations(1): one iteration is one repetition.
void bm_hetsim(benchmark::State& state, const ModelCase& m, bool async) {
    Fixture& f = fixture(m);
    const scenarios::Scenario& s = async ? f.async : f.sync;
    for (auto _ : state) {
        state.PauseTiming();
        Sample x;
        auto t0 = Clock::now();
        const auto model = models::make_model(s.training.model, f.shape, kInitSeed);
        engine::Trainer trainer(s, *model, *f.data);
        TimedHooks hooks(trainer, x);
        x.setup = seconds_since(t0);
        state.ResumeTiming();
        t0 = Clock::now();
        const ThreadUsage u0 = ThreadUsage::now();
        const sim::RunResult r = sim::run_schedule(s.world, &hooks);
        x.add_usage(u0);
        x.seconds = seconds_since(t0);
        state.PauseTiming();
        HETSIM_CHECK(r.inner_steps == m.total_steps, "applied {} inner steps, expected {}",
                     r.inner_steps, m.total_steps);
        x.rest = x.seconds - x.compute - x.apply - x.started;
        t0 = Clock::now();
        trainer.finish(r.end_time);
        x.eval = seconds_since(t0);
        x.final_loss = trainer.metrics().back().loss;
        state.counters["computed_steps"] = x.computed_steps;
        record(state, m.name + (async ? "/hetsim-async" : "/hetsim-sync"), x, m.total_steps);
        state.ResumeTiming();
    }
}

using BatchPlan = std::vector<std::pair<int, std::int64_t>>;

// The (shard, position) of every batch of the sync run (assignment "fixed": worker w reads
// shard w), in the order of its rounds.
BatchPlan batch_plan(std::int64_t total, int batch) {
    BatchPlan plan;
    for (std::int64_t i = 0; i < total; ++i) {
        const std::int64_t round = i / (kWorkers * kInnerSteps);
        const auto worker = static_cast<int>((i / kInnerSteps) % kWorkers);
        plan.emplace_back(worker, (round * kInnerSteps + i % kInnerSteps) * batch);
    }
    return plan;
}

// The timed loops of (b), apart so that valgrind --toggle-collect can select them.
[[gnu::noinline]] void plain_torch_loop(const models::Dataset& data, const BatchPlan& plan,
                                        int batch, models::Model& model,
                                        torch::optim::AdamW& adamw) {
    for (const auto& [shard, position] : plan) {
        const models::Batch b = data.train_batch(shard, position, batch);
        adamw.zero_grad();
        model.loss(b).backward();
        adamw.step();
    }
}

[[gnu::noinline]] void plain_inner_loop(const models::Dataset& data, const BatchPlan& plan,
                                        int batch, models::Model& model,
                                        engine::InnerOptimizer& inner, double lr) {
    std::vector<at::Tensor> params = model.parameters();
    for (const auto& [shard, position] : plan) {
        const models::LossAndGradients out =
            model.loss_and_gradients(data.train_batch(shard, position, batch));
        inner.step(params, out.gradients, lr);
    }
}

// (b): one model, one optimizer, the same batches in a plain loop.
void bm_plain(benchmark::State& state, const ModelCase& m, bool torch_adamw) {
    Fixture& f = fixture(m);
    const scenarios::TrainingSpec& t = f.sync.training;
    const int batch = t.data.batch_size;
    const BatchPlan plan = batch_plan(m.total_steps, batch);
    for (auto _ : state) {
        state.PauseTiming();
        Sample x;
        auto t0 = Clock::now();
        const auto model = models::make_model(t.model, f.shape, kInitSeed);
        torch::optim::AdamW adamw(model->parameters(), torch::optim::AdamWOptions(t.inner.lr)
                                                           .betas({t.inner.beta1, t.inner.beta2})
                                                           .eps(t.inner.eps)
                                                           .weight_decay(t.inner.weight_decay));
        const auto inner = engine::make_inner_optimizer(t.inner);
        x.setup = seconds_since(t0);
        state.ResumeTiming();
        t0 = Clock::now();
        const ThreadUsage u0 = ThreadUsage::now();
        if (torch_adamw)
            plain_torch_loop(*f.data, plan, batch, *model, adamw);
        else
            plain_inner_loop(*f.data, plan, batch, *model, *inner, t.inner.lr);
        x.add_usage(u0);
        x.seconds = seconds_since(t0);
        state.PauseTiming();
        record(state, m.name + (torch_adamw ? "/plain-torch" : "/plain-inner"), x, m.total_steps);
        state.ResumeTiming();
    }
}

// The Trainer's tensor work around the steps, one call at a time, on the model's parameters:
// per round pull_copy and delta; per update norm and (into g) aggregate; per server step
// clone_global and the sync outer step (Nesterov).
enum class RoundOp { pull_copy, delta, norm, aggregate, clone_global, outer_step };
constexpr const char* kRoundOpNames[] = {"pull_copy", "delta", "norm",
                                         "aggregate", "clone_global", "outer_step"};

void bm_round_op(benchmark::State& state, const ModelCase& m, RoundOp op) {
    Fixture& f = fixture(m);
    const auto model = models::make_model(f.sync.training.model, f.shape, kInitSeed);
    std::vector<at::Tensor> live = model->parameters();
    const std::vector<at::Tensor> pulled = tl::clone(live);
    std::vector<at::Tensor> theta = tl::clone(live), g = tl::zeros_like(live);
    const std::vector<at::Tensor> delta = tl::sub(pulled, tl::clone(live));
    const auto outer = engine::make_outer_optimizer(f.sync.training.outer);
    torch::NoGradGuard no_grad;
    const auto t0 = Clock::now();
    for (auto _ : state) {
        switch (op) {
        case RoundOp::pull_copy: tl::copy_(live, pulled); break;
        case RoundOp::delta: benchmark::DoNotOptimize(tl::sub(pulled, live)); break;
        case RoundOp::norm: benchmark::DoNotOptimize(tl::global_norm(delta)); break;
        case RoundOp::aggregate:
            g = tl::zeros_like(delta);
            tl::axpy_(g, 1.0 / kWorkers, delta);
            break;
        case RoundOp::clone_global: benchmark::DoNotOptimize(tl::clone(pulled)); break;
        case RoundOp::outer_step: outer->step(theta, delta); break;
        }
    }
    Sample x;
    x.seconds = seconds_since(t0) / static_cast<double>(state.iterations());
    samples()[m.name + "/op/" + kRoundOpNames[static_cast<int>(op)]].push_back(x);
}

void register_all() {
    const auto reg = [](const std::string& name, auto fn) {
        return benchmark::RegisterBenchmark(name.c_str(), fn);
    };
    for (const ModelCase* m : {&kMlp, &kGpt}) {
        for (bool async : {false, true})
            reg("hetsim/" + m->name + (async ? "/async" : "/sync"),
                [m, async](benchmark::State& s) { bm_hetsim(s, *m, async); })
                ->Iterations(1)->UseRealTime()->Unit(benchmark::kMillisecond);
        for (bool torch_adamw : {true, false})
            reg("plain/" + m->name + (torch_adamw ? "/torch_adamw" : "/inner_adamw"),
                [m, torch_adamw](benchmark::State& s) { bm_plain(s, *m, torch_adamw); })
                ->Iterations(1)->UseRealTime()->Unit(benchmark::kMillisecond);
        for (int op = 0; op < 6; ++op)
            reg("round_op/" + m->name + "/" + kRoundOpNames[op],
                [m, op](benchmark::State& s) { bm_round_op(s, *m, static_cast<RoundOp>(op)); })
                ->Iterations(500)->Unit(benchmark::kMicrosecond);
    }
}

/// Median, min and max of one field over a variant's repetitions.
struct Stats {
    double med = 0, min = 0, max = 0;
};

Stats stats(const std::string& key, double Sample::*field) {
    std::vector<double> v;
    for (const Sample& x : samples()[key]) v.push_back(x.*field);
    if (v.empty()) return {};
    std::sort(v.begin(), v.end());
    const std::size_t n = v.size();
    return {n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]), v.front(), v.back()};
}

double med(const std::string& key, double Sample::*field) { return stats(key, field).med; }

// Where (a)'s time goes, against plain-inner (the same step code without the Trainer).
void print_split(const ModelCase& m, const std::string& variant) {
    const std::string key = m.name + "/" + variant;
    const double compute = med(key, &Sample::compute), steps = med(key, &Sample::computed_steps);
    const double inner_step =
        med(m.name + "/plain-inner", &Sample::seconds) / double(m.total_steps);
    fmt::print("  {}: compute {:.3f} s for {:.0f} steps ({:.1f} us/step, plain-inner {:.1f}), "
               "apply {:.4f} s, round_started {:.4f} s, simulator {:.4f} s; untimed: setup "
               "{:.3f} s, final eval {:.3f} s (loss {:.4g})\n",
               variant, compute, steps, 1e6 * compute / steps, 1e6 * inner_step,
               med(key, &Sample::apply), med(key, &Sample::started), med(key, &Sample::rest),
               med(key, &Sample::setup), med(key, &Sample::eval), med(key, &Sample::final_loss));
}

void print_summary(const ModelCase& m) {
    const std::string base = m.name + "/plain-torch";
    if (samples()[base].empty()) return;
    const Stats b = stats(base, &Sample::seconds), bc = stats(base, &Sample::cpu);
    fmt::print("\n{}: {} parameters, {} inner steps per run (K = {}, H = {}), {} repetitions. "
               "Seconds of the timed part: median [min, max]; ratios to plain-torch\n",
               m.name, fixture(m).parameters, m.total_steps, kWorkers, kInnerSteps,
               samples()[base].size());
    fmt::print("  {:<13} {:>7} {:>7} {:>7} {:>8} {:>8} {:>9} {:>9} {:>9} {:>7} {:>9}\n",
               "variant", "median", "min", "max", "cpu med", "steps/s", "ratio med",
               "ratio min", "ratio cpu", "faults", "preempted");
    for (const char* v : {"plain-torch", "plain-inner", "hetsim-sync", "hetsim-async"}) {
        const std::string key = m.name + "/" + v;
        if (samples()[key].empty()) continue;
        const Stats w = stats(key, &Sample::seconds), c = stats(key, &Sample::cpu);
        fmt::print("  {:<13} {:7.3f} {:7.3f} {:7.3f} {:8.3f} {:8.1f} {:9.3f} {:9.3f} {:9.3f} "
                   "{:7.0f} {:9.0f}\n",
                   v, w.med, w.min, w.max, c.med, double(m.total_steps) / w.med, w.med / b.med,
                   w.min / b.min, c.med / bc.med, med(key, &Sample::faults),
                   med(key, &Sample::preempted));
    }
    for (const char* v : {"hetsim-sync", "hetsim-async"})
        if (!samples()[m.name + "/" + v].empty() && !samples()[m.name + "/plain-inner"].empty())
            print_split(m, v);
    fmt::print("  Trainer tensor work per call (median us):");
    for (const char* op : kRoundOpNames)
        fmt::print(" {} {:.1f}", op, 1e6 * med(m.name + "/op/" + op, &Sample::seconds));
    fmt::print("\n");
}

// Our flags, taken out before Google Benchmark reads the rest: --rounds=N, --flush_denormal.
std::vector<char*> own_flags(int argc, char** argv, std::vector<std::string>& defaults) {
    std::vector<char*> args{argv[0]};
    for (std::string& d : defaults) args.push_back(d.data());
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        if (arg == "--flush_denormal") {
            at::globalContext().setFlushDenormal(true);
        } else if (arg.starts_with("--rounds=")) {
            const std::int64_t rounds = std::stoll(arg.substr(9));
            HETSIM_CHECK(rounds >= 1, "--rounds must be at least 1, found {}", rounds);
            for (ModelCase* m : {&kMlp, &kGpt}) m->total_steps = rounds * kWorkers * kInnerSteps;
        } else {
            args.push_back(argv[i]);
        }
    }
    return args;
}

}  // namespace

int main(int argc, char** argv) {
    engine::keep_freed_memory();  // as hetsim run does (engine/training_run.hpp)
    at::set_num_threads(1);
    // Defaults that flags given later on the line override. Repetitions are interleaved at
    // random, so that a change of load on a shared machine hits every variant alike.
    std::vector<std::string> defaults{"--benchmark_repetitions=5",
                                      "--benchmark_enable_random_interleaving=true",
                                      "--benchmark_display_aggregates_only=true"};
    try {
        std::vector<char*> args = own_flags(argc, argv, defaults);
        int n = static_cast<int>(args.size());
        benchmark::Initialize(&n, args.data());
        if (benchmark::ReportUnrecognizedArguments(n, args.data())) return 1;
        register_all();
        benchmark::RunSpecifiedBenchmarks();
        print_summary(kMlp);
        print_summary(kGpt);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "bench_trainer: %s\n", e.what());
        return 1;
    }
    benchmark::Shutdown();
    return 0;
}
