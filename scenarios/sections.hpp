#pragma once
// Readers for the sections of a scenario file. Each validates its table completely (including
// unknown keys) and returns resolved sim:: structs. Internal to hetsim::scenarios.

#include "scenarios/scenario.hpp"
#include "scenarios/step_time.hpp"
#include "scenarios/table_reader.hpp"
#include "scenarios/training_spec.hpp"
#include "sim/world.hpp"

#include <array>
#include <cstdint>
#include <filesystem>
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

/// The link keys shared by [network], [[network.override]] and [[workers.group]] `link`;
/// unset keys stay nullopt.
struct LinkSettings {
    std::optional<sim::Time> latency;
    std::optional<sim::Bandwidth> bandwidth;
    std::optional<sim::Bandwidth> up;
    std::optional<sim::Bandwidth> down;

    bool empty() const { return !latency && !bandwidth && !up && !down; }
    /// `bandwidth` sets both directions; `up_bandwidth` / `down_bandwidth` win over it.
    void apply(sim::LinkSpec& link) const {
        if (latency) link.latency = *latency;
        if (bandwidth) link.up = link.down = *bandwidth;
        if (up) link.up = *up;
        if (down) link.down = *down;
    }
};

/// `latency`, `bandwidth`, `up_bandwidth` and `down_bandwidth` of `table`.
LinkSettings read_link(TableReader& table);

/// The link of a [[workers.group]]: workers first..first+count-1.
struct GroupLink {
    std::size_t first = 0;
    std::size_t count = 0;
    LinkSettings settings;
};

/// What `[workers]` resolves beside the WorkerSpecs.
struct WorkersExtras {
    /// One per worker when some step time is resolved by the engine (device_flops, "measure");
    /// empty when every step time is a duration.
    std::vector<StepTimeSource> step_time_sources;
    /// Group links, applied by read_network after [network] and before its overrides.
    std::vector<GroupLink> group_links;
    /// One per worker when a group sets `shards` (-1 for the workers of other groups): the
    /// shard each reads with data.assignment = "fixed". Empty otherwise.
    std::vector<int> fixed_shards;
};

/// `[workers]`: count, groups, step times and their sources, presets, multipliers (drawn from
/// `seed`), jitter, stragglers, failures and per-worker overrides. Links are left at their
/// defaults (group links go to `extras`). `training` (its model and data, already read)
/// decides whether FLOPs or a measurement can give step times and checks group shards.
/// `trace_step_times`, when not empty, are the base step times of a device trace (one per
/// worker, read_worker_traces): they stand for a `step_times` list, which the file then does
/// not have, so `multiplier`, jitter, stragglers and [[workers.override]] apply on top.
std::vector<sim::WorkerSpec> read_workers(TableReader workers, std::uint64_t seed,
                                          const TrainingSpec& training,
                                          const std::vector<sim::Time>& trace_step_times,
                                          WorkersExtras& extras);

/// `[workers.failures]`, except per-worker overrides of `mtbf`. Returns whether a downtime
/// was given (required as soon as any worker has an mtbf).
bool read_failures(TableReader failures, std::vector<sim::WorkerSpec>& workers);

/// `[workers.preemption]`: `rate = "2/h"` or `mean_interval = "30m"`, and `delay` (a duration
/// or a distribution table); sets every worker's PreemptionSpec.
void read_preemption(TableReader preemption, std::vector<sim::WorkerSpec>& workers);

/// `[[timeline]]` entries and `[elastic]` (timeline_section.cpp): adds events and periodic
/// patterns to world.timeline. Needs world.workers (groups) and world.stop (ramps). The events
/// already in world.timeline are the traces' (add_trace_events); when both they and the file
/// have leaves or joins, these are replaced by their combination (sim::intersect_presence: a
/// worker is present only while the trace and the file both have it present).
void read_timeline(std::vector<TableReader> entries, TableReader elastic, sim::WorldSpec& world);

/// A failure downtime: a duration > 0 or a distribution table of durations (in seconds).
sim::Distribution read_downtime(const toml::node& node, const std::string& key);

/// `[network]`: sets every worker's link (then the groups' links) and returns the server's
/// settings.
sim::NetworkSpec read_network(TableReader network, std::vector<sim::WorkerSpec>& workers,
                              const std::vector<GroupLink>& group_links = {});

/// `[algorithm]`: the schedule and its knobs, with per-kind defaults applied; fills `qsr` from
/// local_steps = "qsr" and [algorithm.qsr].
sim::AlgorithmSpec read_algorithm(TableReader algorithm, QsrSpec& qsr);

/// `[model]`: the model; `explicit_bytes` gets `bytes` when the file sets it.
ModelSpec read_model(TableReader model, std::optional<std::int64_t>& explicit_bytes);
/// `[data]`, with defaults that depend on the model kind.
DataSpec read_data(TableReader data, const ModelSpec& model);
/// `[inner]` (`fused` is checked against the model's device), `[outer]`, `[aggregation]`.
InnerOptimizerSpec read_inner(TableReader inner, const ModelSpec& model);
OuterOptimizerSpec read_outer(TableReader outer);
AggregationSpec read_aggregation(TableReader aggregation);
/// `[eval]`; without `every` or `every_updates`, about 20 evaluations over the run.
EvalSpec read_eval(TableReader eval, const sim::WorldSpec& world);
/// `[pretrain]`, with defaults from the inner optimizer and the data.
PretrainSpec read_pretrain(TableReader pretrain, const InnerOptimizerSpec& inner,
                           const DataSpec& data);
/// Fills what depends on the whole scenario: a cosine schedule's length, and checks the
/// model/data combination. `where` positions errors about the combination.
void complete_training(TrainingSpec& training, const sim::WorldSpec& world, const TableReader& inner);

/// `[run]`: when the run stops (at least one limit); training.threads and
/// training.replica_batch (read after [model]: batched replicas need a model).
sim::StopSpec read_run(TableReader run, TrainingSpec& training);

/// The loader's steps, shared with the study expansion (scenario_loader.cpp): reading a file
/// (errors name it), parsing TOML (a syntax error at its position), and validating and
/// resolving a parsed, overridden table; and the refusal of study keys in a single scenario
/// (study.cpp).
std::string read_scenario_file(const std::filesystem::path& file);
toml::table parse_scenario_toml(std::string_view text, const std::string& source_name);
Scenario resolve_scenario(const toml::table& root, const std::string& source,
                          const LoadOptions& options);
void reject_study_keys(const toml::table& root);

/// A worker index in 0..count-1 (the message names workers.count).
std::size_t to_worker_index(const toml::node& node, const std::string& key, std::size_t count);

/// The workers an override entry applies to: its `worker = i` or `workers = [i, j, ...]`
/// (exactly one of the two; indices distinct and in range).
std::vector<std::size_t> read_override_targets(TableReader& entry, std::size_t count);

}  // namespace hetsim::scenarios::detail
