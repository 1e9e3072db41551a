// Timing-only simulation speed: events per second of whole schedules with many workers
// (the foundation issue's target: >= 5 M events/s on one core for async with 10,000 workers).

#include "sim/schedule.hpp"

#include <benchmark/benchmark.h>

using namespace hetsim::sim;

namespace {

// k workers with lognormal-ish spread of speeds (fixed list so the bench is reproducible),
// zero or non-zero network, H = 10, stopping after `updates` server updates.
WorldSpec make_world(int k, ScheduleKind kind, bool network, std::int64_t updates) {
    WorldSpec spec;
    spec.seed = 1;
    spec.workers.resize(static_cast<std::size_t>(k));
    for (int w = 0; w < k; ++w) {
        WorkerSpec& worker = spec.workers[static_cast<std::size_t>(w)];
        worker.step_time = Time{100'000'000};
        worker.multiplier = 1.0 + 0.37 * static_cast<double>((w * 7919) % 97) / 97.0;
        if (network) {
            worker.link.latency = Time{20'000'000};
            worker.link.up = parse_bandwidth("1Gbps");
            worker.link.down = parse_bandwidth("1Gbps");
        }
    }
    spec.model_bytes = network ? 4'000'000 : 0;
    spec.algorithm.kind = kind;
    spec.algorithm.inner_steps = 10;
    spec.stop.server_updates = updates;
    return spec;
}

void run(benchmark::State& state, ScheduleKind kind, bool network) {
    const int k = static_cast<int>(state.range(0));
    const WorldSpec spec = make_world(k, kind, network, state.range(1));
    std::uint64_t events = 0;
    for (auto _ : state) {
        const RunResult r = run_schedule(spec);
        events += r.events;
        benchmark::DoNotOptimize(r.updates.data());
    }
    state.counters["events/s"] =
        benchmark::Counter(static_cast<double>(events), benchmark::Counter::kIsRate);
    state.counters["events/run"] = static_cast<double>(events) / state.iterations();
}

void BM_AsyncNoNetwork(benchmark::State& s) { run(s, ScheduleKind::async, false); }
void BM_AsyncNetwork(benchmark::State& s) { run(s, ScheduleKind::async, true); }
void BM_SyncNetwork(benchmark::State& s) { run(s, ScheduleKind::sync, true); }

}  // namespace

BENCHMARK(BM_AsyncNoNetwork)->Args({10'000, 1'000'000})->Args({100, 1'000'000})->Unit(benchmark::kMillisecond);
BENCHMARK(BM_AsyncNetwork)->Args({10'000, 1'000'000})->Unit(benchmark::kMillisecond);
BENCHMARK(BM_SyncNetwork)->Args({10'000, 100})->Unit(benchmark::kMillisecond);

BENCHMARK_MAIN();
