// Throughput of the event queue in the "hold" pattern: the queue is kept at a fixed size by
// popping the next event and pushing one at a later random time, as a running simulation does.
// Run with --benchmark_min_time=0.2; items_per_second is push+pop pairs (or fired events).

#include "sim/event_queue.hpp"
#include "sim/random_streams.hpp"
#include "sim/simulator.hpp"
#include "sim/time.hpp"

#include <benchmark/benchmark.h>

#include <cstdint>

namespace {

using hetsim::sim::EventQueue;
using hetsim::sim::Rng;
using hetsim::sim::Simulator;
using hetsim::sim::Time;

// New events land uniformly within this window after the current one (1 ms of virtual time);
// with 1e6 pending events that makes same-instant ties common, as in large runs.
constexpr std::uint64_t kHorizonNs = 1'000'000;

Time random_delay(Rng& rng) { return Time{static_cast<std::int64_t>(rng() % kHorizonNs)}; }

void queue_push_pop(benchmark::State& state) {
    const auto pending = static_cast<std::size_t>(state.range(0));
    Rng rng(1);
    EventQueue queue;
    queue.reserve(pending);
    std::int64_t counter = 0;
    // Same capture shape as the simulator benchmark (a pointer and an int): no allocation.
    for (std::size_t i = 0; i < pending; ++i) {
        queue.push(random_delay(rng), [&counter, k = static_cast<int>(i)] { counter += k; });
    }
    for (auto _ : state) {
        auto [time, callback] = queue.pop();
        queue.push(time + random_delay(rng), std::move(callback));
    }
    benchmark::DoNotOptimize(counter);
    state.SetItemsProcessed(state.iterations());
}

// A callback that reschedules itself, capturing `this` and an int, as timing models do.
class SelfRescheduling {
public:
    explicit SelfRescheduling(std::size_t pending) : rng_(2) {
        sim_.reserve(pending);
        for (std::size_t i = 0; i < pending; ++i) {
            const int k = static_cast<int>(i);
            sim_.schedule_after(random_delay(rng_), [this, k] { fire(k); });
        }
    }
    Simulator& sim() { return sim_; }
    std::uint64_t checksum() const { return checksum_; }

private:
    void fire(int k) {
        checksum_ += static_cast<std::uint64_t>(k);
        sim_.schedule_after(random_delay(rng_), [this, k] { fire(k); });
    }

    Simulator sim_;
    Rng rng_;
    std::uint64_t checksum_ = 0;
};

void simulator_schedule_step(benchmark::State& state) {
    SelfRescheduling bench(static_cast<std::size_t>(state.range(0)));
    for (auto _ : state) {
        bench.sim().step();
    }
    benchmark::DoNotOptimize(bench.checksum());
    state.SetItemsProcessed(state.iterations());
}

}  // namespace

BENCHMARK(queue_push_pop)->ArgName("pending")->Arg(1'000)->Arg(1'000'000);
BENCHMARK(simulator_schedule_step)->ArgName("pending")->Arg(1'000)->Arg(1'000'000);

BENCHMARK_MAIN();
