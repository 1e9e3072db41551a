#pragma once
// [[workers.group]]: kinds of hardware, each a group of workers with its own step time or
// speed, multiplier, jitter, stragglers, link, failures and data shards. Groups are laid out in
// file order as workers 0..K-1. Internal to hetsim::scenarios (workers_section.cpp uses it).

#include "scenarios/sections.hpp"
#include "scenarios/step_time_reader.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace hetsim::scenarios::detail {

/// One [[workers.group]] entry as written; what it leaves out comes from [workers].
struct WorkerGroup {
    std::string name;
    std::size_t first = 0;  // its first worker: groups are laid out in file order
    std::size_t count = 0;
    StepTimeSetting step_time;
    std::optional<double> speed;
    const toml::node* speed_node = nullptr;
    const toml::node* multiplier = nullptr;
    std::string multiplier_key;
    std::optional<sim::Distribution> jitter;
    std::optional<sim::StragglerSpec> stragglers;
    LinkSettings link;
    std::optional<sim::Time> mtbf;
    std::optional<sim::Distribution> downtime;
    std::vector<int> shards;  // data shards its workers read with assignment "fixed"
    const toml::node* shards_node = nullptr;
    std::optional<TableReader> table;  // positions errors found after the entry was read
};

/// Base step times and their sources, one per worker, before multipliers.
struct StepTimeLayout {
    std::vector<sim::Time> step_times;  // 0 where the engine resolves the source
    std::vector<StepTimeSource> sources;
};

/// `[[workers.group]]` of `workers`, each entry read and checked on its own (names unique,
/// counts >= 1, at most kMaxWorkers in all).
std::vector<WorkerGroup> read_groups(TableReader& workers);

/// Base step times and sources with groups: each group's own `step_time` / `device_flops`,
/// or `[workers]`'s divided by its `speed`, or `[workers]`'s. `list` (`step_times`) and `toy`
/// (heterogeneity = "asyncdiloco-toy") are errors with groups; a `count` must be their sum.
StepTimeLayout layout_groups(TableReader& workers, const std::vector<WorkerGroup>& groups,
                             std::optional<std::size_t> count, const StepTimeSetting& base,
                             const toml::node* list, const toml::node* toy);

/// The settings a group applies after `[workers]`'s: its name, multiplier, jitter, stragglers,
/// failures, and its link (into `extras`).
void apply_group(const WorkerGroup& g, bool downtime_given, std::uint64_t seed,
                 std::vector<sim::WorkerSpec>& specs, WorkersExtras& extras);

/// Per worker, the shard its group pins it to with data.assignment = "fixed" (-1: none);
/// empty when no group sets `shards`.
std::vector<int> group_shards(const std::vector<WorkerGroup>& groups,
                              const TrainingSpec& training, std::size_t workers);

/// workers.jitter and a group's: a distribution table of factors.
sim::Distribution read_jitter(const toml::node& node, const std::string& key);
/// workers.stragglers and a group's: { probability, factor }.
sim::StragglerSpec read_stragglers(const toml::node& node, const std::string& key);
/// A multiplier for workers first..first+count-1: a number, a list (one per worker), or a
/// distribution drawn from each worker's own speed stream (seed, index in the whole world).
void read_multiplier(const toml::node& node, const std::string& key, std::uint64_t seed,
                     std::vector<sim::WorkerSpec>& specs, std::size_t first, std::size_t count);

}  // namespace hetsim::scenarios::detail
