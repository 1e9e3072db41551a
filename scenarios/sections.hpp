#pragma once
// Readers for the sections of a scenario file. Each validates its table completely (including
// unknown keys) and returns resolved sim:: structs. Internal to hetsim::scenarios.

#include "scenarios/table_reader.hpp"
#include "scenarios/training_spec.hpp"
#include "sim/world.hpp"

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <optional>
#include <vector>

namespace hetsim::scenarios::detail {

/// The largest world hetsim accepts, in workers.
inline constexpr std::int64_t kMaxWorkers = 1'000'000;

/// How the parameters of a distribution table are written.
enum class DistributionUnit {
    factor,   ///< plain numbers (multipliers, jitter)
    duration  ///< durations, converted to seconds (downtime)
};

/// The choice at `key` among `choices` (an error names them), or `fallback` when absent.
template <std::size_t N>
std::string pick(TableReader& table, std::string_view key,
                 const std::array<std::string_view, N>& choices, std::string fallback) {
    const auto index = table.choice(key, choices);
    return index ? std::string(choices[*index]) : std::move(fallback);
}

/// A duration in seconds, as stored in duration distributions (exact for "30s": 30.0).
double seconds(sim::Time t);

/// A distribution table `{ dist = "...", <parameters> }`; all its draws are > 0.
sim::Distribution read_distribution(TableReader table, DistributionUnit unit);

/// `[workers]`: count, step times, multipliers (drawn from `seed`), jitter, stragglers,
/// failures and per-worker overrides. Links are left at their defaults.
std::vector<sim::WorkerSpec> read_workers(TableReader workers, std::uint64_t seed);

/// `[workers.failures]`, except per-worker overrides of `mtbf`. Returns whether a downtime
/// was given (required as soon as any worker has an mtbf).
bool read_failures(TableReader failures, std::vector<sim::WorkerSpec>& workers);

/// `[network]`: sets every worker's link and returns the server's settings.
sim::NetworkSpec read_network(TableReader network, std::vector<sim::WorkerSpec>& workers);

/// `[algorithm]`: the schedule and its knobs, with per-kind defaults applied; fills `qsr` from
/// local_steps = "qsr" and [algorithm.qsr].
sim::AlgorithmSpec read_algorithm(TableReader algorithm, QsrSpec& qsr);

/// `[model]`: the model; `explicit_bytes` gets `bytes` when the file sets it.
ModelSpec read_model(TableReader model, std::optional<std::int64_t>& explicit_bytes);
/// `[data]`, with defaults that depend on the model kind.
DataSpec read_data(TableReader data, const ModelSpec& model);
/// `[inner]`, `[outer]`, `[aggregation]`.
InnerOptimizerSpec read_inner(TableReader inner);
OuterOptimizerSpec read_outer(TableReader outer);
AggregationSpec read_aggregation(TableReader aggregation);
/// `[eval]`; without `every` or `every_updates`, about 20 evaluations over the run.
EvalSpec read_eval(TableReader eval, const sim::WorldSpec& world);
/// Fills what depends on the whole scenario: a cosine schedule's length, and checks the
/// model/data combination. `where` positions errors about the combination.
void complete_training(TrainingSpec& training, const sim::WorldSpec& world, const TableReader& inner);

/// `[run]`: when the run stops (at least one limit), and Torch's thread count.
sim::StopSpec read_run(TableReader run, int& threads);

/// A worker index in 0..count-1 (the message names workers.count).
std::size_t to_worker_index(const toml::node& node, const std::string& key, std::size_t count);

/// The workers an override entry applies to: its `worker = i` or `workers = [i, j, ...]`
/// (exactly one of the two; indices distinct and in range).
std::vector<std::size_t> read_override_targets(TableReader& entry, std::size_t count);

}  // namespace hetsim::scenarios::detail
