#include "scenarios/presets.hpp"
#include "scenarios/sections.hpp"
#include "scenarios/step_time_reader.hpp"
#include "scenarios/worker_groups.hpp"

#include "sim/error.hpp"
#include "sim/random_streams.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace hetsim::scenarios::detail {
namespace {

constexpr std::string_view kOverrideSettings = "step_time, multiplier, jitter, stragglers, mtbf";

// workers.count, checked separately so that huge worlds get a message of their own.
std::optional<std::size_t> read_count(TableReader& workers) {
    const toml::node* node = workers.get("count");
    if (node == nullptr) return std::nullopt;
    const std::string key = workers.key_path("count");
    if (const auto* i = node->as_integer(); i != nullptr && **i > kMaxWorkers)
        fail(*node, key,
             fmt::format("at most {} workers (larger worlds are not supported)", kMaxWorkers));
    return static_cast<std::size_t>(to_integer(*node, key, IntRange{1, kMaxWorkers}));
}

std::vector<sim::Time> read_step_time_list(const toml::node& node, const std::string& key) {
    const auto* list = node.as_array();
    if (list == nullptr || list->empty())
        fail(node, key, R"(a non-empty list of durations like ["0.58s", "0.75s"])");
    if (list->size() > static_cast<std::size_t>(kMaxWorkers))
        fail(node, key, fmt::format("at most {} step times (one per worker)", kMaxWorkers));
    std::vector<sim::Time> times;
    times.reserve(list->size());
    for (std::size_t i = 0; i < list->size(); ++i)
        times.push_back(
            to_duration(*list->get(i), fmt::format("{}[{}]", key, i), TimeRange::positive()));
    return times;
}

// Without groups: `step_time` / `device_flops` for `count` workers, `step_times`, a device
// trace's step times (`trace`: read_worker_traces has refused the other sources beside it and
// drawn `count` devices), or the asyncdiloco-toy preset.
StepTimeLayout layout_flat(TableReader& workers, std::optional<std::size_t> count,
                           const StepTimeSetting& base, const toml::node* list_node, bool toy,
                           const std::vector<sim::Time>& trace) {
    if (!trace.empty()) {
        HETSIM_ASSERT(!toy && !base.given() && list_node == nullptr &&
                          (!count || *count == trace.size()),
                      "a device trace's step times come alone");
        return {trace, std::vector<StepTimeSource>(trace.size())};
    }
    const std::string list_key = workers.key_path("step_times");
    if (toy) {
        const std::string why = R"(with heterogeneity = "asyncdiloco-toy" (the preset sets )"
                                R"(the 4 step times))";
        if (base.node != nullptr)
            fail(*base.node, base.key,
                 fmt::format("no {} {}", base.device_flops ? "device_flops" : "step_time", why));
        if (list_node != nullptr) fail(*list_node, list_key, "no step_times " + why);
        if (count && *count != 4)
            fail(*workers.get("count"), workers.key_path("count"), "4 or nothing " + why);
        const std::vector<sim::Time> toy_times = asyncdiloco_toy_step_times();
        return {toy_times, std::vector<StepTimeSource>(toy_times.size())};
    }
    if (base.given() && list_node != nullptr)
        fail(*list_node, list_key,
             fmt::format("either `{}` or `step_times`, not both",
                         base.device_flops ? "device_flops" : "step_time"),
             "both");
    if (!base.given() && list_node == nullptr)
        workers.missing("step_time", "`step_time` (a duration > 0) or `step_times` (a list)");
    if (base.given()) {
        if (!count)
            workers.missing("count", fmt::format("the number of workers, 1..{}", kMaxWorkers));
        return {std::vector<sim::Time>(*count, base.duration.value_or(sim::Time{0})),
                std::vector<StepTimeSource>(*count, to_source(base, std::nullopt, workers))};
    }
    std::vector<sim::Time> times = read_step_time_list(*list_node, list_key);
    if (count && *count != times.size())
        fail(*list_node, list_key,
             fmt::format("a list of {} durations (workers.count = {})", *count, *count),
             fmt::format("a list of {} durations", times.size()));
    return {times, std::vector<StepTimeSource>(times.size())};
}

// workers.heterogeneity: its multipliers (or, for asyncdiloco-toy, nothing more: the layout
// has set the step times). An explicit multiplier anywhere conflicts with a preset.
void apply_preset(const std::string& name,
                  const toml::node* multiplier, const std::string& multiplier_key,
                  const std::vector<WorkerGroup>& groups, std::vector<sim::WorkerSpec>& specs) {
    const std::string why =
        fmt::format(R"(no multiplier with heterogeneity = "{}" (the preset sets every )"
                    R"(worker's speed))",
                    name);
    if (multiplier != nullptr) fail(*multiplier, multiplier_key, why);
    for (const WorkerGroup& g : groups)
        if (g.multiplier != nullptr) fail(*g.multiplier, g.multiplier_key, why);
    if (const auto preset = find_heterogeneity_preset(name)) {
        const std::vector<double> m = preset_multipliers(*preset, specs.size());
        for (std::size_t w = 0; w < specs.size(); ++w) specs[w].multiplier = m[w];
    }
}

// One [[workers.override]] entry. An mtbf needs the downtime of [workers.failures]. A step
// time written here replaces any other source of the workers' step time.
void apply_override(TableReader entry, bool downtime_given, std::vector<sim::WorkerSpec>& specs,
                    std::vector<StepTimeSource>& sources) {
    const std::vector<std::size_t> targets = read_override_targets(entry, specs.size());
    const auto step_time = entry.duration("step_time", TimeRange::positive());
    const auto multiplier = entry.number("multiplier", NumberRange::positive());
    const auto jitter = entry.read("jitter", read_jitter);
    const auto stragglers = entry.read("stragglers", read_stragglers);
    const auto mtbf = entry.duration("mtbf", TimeRange::positive());
    entry.finish();
    if (!step_time && !multiplier && !jitter && !stragglers && !mtbf)
        throw ScenarioError(entry.position(), entry.path(),
                            fmt::format("at least one of {}", kOverrideSettings),
                            "only the choice of workers");
    if (mtbf && !downtime_given)
        fail(*entry.get("mtbf"), entry.key_path("mtbf"),
             "a `downtime` in [workers.failures] as well (how long a failure lasts)",
             "an mtbf without a downtime");
    for (const std::size_t w : targets) {
        if (step_time) specs[w].step_time = *step_time, sources[w] = StepTimeSource{};
        if (multiplier) specs[w].multiplier = *multiplier;
        if (jitter) specs[w].jitter = jitter;
        if (stragglers) specs[w].stragglers = *stragglers;
        if (mtbf) specs[w].failures.mtbf = mtbf;
    }
}

void check_effective_step_times(const TableReader& workers,
                                const std::vector<sim::WorkerSpec>& specs) {
    for (std::size_t w = 0; w < specs.size(); ++w) {
        try {
            (void)specs[w].effective_step_time();
        } catch (const Error&) {
            throw ScenarioError(
                workers.position(), workers.key_path("multiplier"),
                "step_time x multiplier below about 292 years",
                fmt::format("worker {}: {} x {:g}", w, sim::format_duration(specs[w].step_time),
                            specs[w].multiplier));
        }
    }
}

// [workers] mfu needs a device_flops somewhere to scale.
void check_mfu(const TableReader& workers, const StepTimeSetting& base,
               const std::vector<StepTimeSource>& sources) {
    if (!base.mfu || base.device_flops) return;
    for (const auto& s : sources)
        if (s.kind == StepTimeKind::flops) return;
    fail(*base.mfu_node, workers.key_path("mfu"),
         "no mfu without device_flops (it scales device_flops)");
}

}  // namespace

sim::Distribution read_jitter(const toml::node& node, const std::string& key) {
    if (!node.is_table())
        fail(node, key, R"(a distribution table like { dist = "uniform", low = 0.9, high = 1.1 })");
    return read_distribution(TableReader(*node.as_table(), key), DistributionUnit::factor);
}

sim::StragglerSpec read_stragglers(const toml::node& node, const std::string& key) {
    if (!node.is_table()) fail(node, key, "a table { probability = <0..1>, factor = <>= 1> }");
    TableReader table(*node.as_table(), key);
    const auto probability = table.number("probability", NumberRange::closed(0, 1));
    const auto factor = table.number("factor", NumberRange::at_least(1));
    if (!probability) table.missing("probability", NumberRange::closed(0, 1).describe());
    if (!factor) table.missing("factor", NumberRange::at_least(1).describe());
    table.finish();
    return {*probability, *factor};
}

namespace {

double to_multiplier(const toml::node& node, const std::string& key) {
    return to_number(node, key, NumberRange::positive());
}

}  // namespace

// A multiplier for workers first..first+count-1: a number, a list (one per worker), or a
// distribution drawn from each worker's own speed stream, keyed by its index in the whole
// world, so that a draw depends only on (seed, worker).
void read_multiplier(const toml::node& node, const std::string& key, std::uint64_t seed,
                     std::vector<sim::WorkerSpec>& specs, std::size_t first, std::size_t count) {
    if (const auto* table = node.as_table()) {
        const sim::Distribution d =
            read_distribution(TableReader(*table, key), DistributionUnit::factor);
        for (std::size_t w = first; w < first + count; ++w) {
            sim::Rng rng =
                sim::make_stream(seed, static_cast<std::int64_t>(w), sim::Purpose::speed);
            specs[w].multiplier = d.sample(rng);
            if (!(std::isfinite(specs[w].multiplier) && specs[w].multiplier > 0))
                fail(node, key, "a distribution whose draws are finite and > 0",
                     fmt::format("{} drawn for worker {}", specs[w].multiplier, w));
        }
    } else if (const auto* list = node.as_array()) {
        if (list->size() != count)
            fail(node, key, fmt::format("a list of {} numbers (one per worker)", count));
        for (std::size_t i = 0; i < count; ++i)
            specs[first + i].multiplier =
                to_multiplier(*list->get(i), fmt::format("{}[{}]", key, i));
    } else if (node.is_number()) {
        const double m = to_multiplier(node, key);
        for (std::size_t w = first; w < first + count; ++w) specs[w].multiplier = m;
    } else {
        fail(node, key, "a number > 0, a list of numbers, or a distribution table");
    }
}

std::vector<sim::WorkerSpec> read_workers(TableReader workers, std::uint64_t seed,
                                          const TrainingSpec& training,
                                          const std::vector<sim::Time>& trace_step_times,
                                          WorkersExtras& extras) {
    const ModelSpec& model = training.model;
    const std::optional<std::size_t> count = read_count(workers);
    const StepTimeSetting base = read_step_time_setting(workers);
    check_model_for(base, model.kind);
    const toml::node* list_node = workers.get("step_times");
    const toml::node* preset_node = workers.get("heterogeneity");
    const std::optional<std::string> preset =
        preset_node ? std::optional(pick(workers, "heterogeneity", kHeterogeneityNames, ""))
                    : std::nullopt;
    const bool toy = preset == kAsyncDilocoToy;
    const std::vector<WorkerGroup> groups = read_groups(workers);
    for (const WorkerGroup& g : groups) check_model_for(g.step_time, model.kind);
    HETSIM_ASSERT(groups.empty() || trace_step_times.empty(),
                  "read_worker_traces refuses a device trace with groups");
    StepTimeLayout layout = groups.empty()
                                ? layout_flat(workers, count, base, list_node, toy,
                                              trace_step_times)
                                : layout_groups(workers, groups, count, base, list_node,
                                                toy ? preset_node : nullptr);
    check_mfu(workers, base, layout.sources);
    extras.fixed_shards = group_shards(groups, training, layout.step_times.size());

    std::vector<sim::WorkerSpec> specs(layout.step_times.size());
    for (std::size_t w = 0; w < specs.size(); ++w) specs[w].step_time = layout.step_times[w];
    const toml::node* multiplier = workers.get("multiplier");
    if (multiplier != nullptr)
        read_multiplier(*multiplier, workers.key_path("multiplier"), seed, specs, 0, specs.size());
    if (preset)
        apply_preset(*preset, multiplier, workers.key_path("multiplier"), groups, specs);
    if (const auto jitter = workers.read("jitter", read_jitter))
        for (auto& spec : specs) spec.jitter = jitter;
    if (const auto stragglers = workers.read("stragglers", read_stragglers))
        for (auto& spec : specs) spec.stragglers = *stragglers;
    const bool downtime_given = read_failures(workers.table_or_empty("failures"), specs);
    read_preemption(workers.table_or_empty("preemption"), specs);  // timeline_section.cpp
    for (const WorkerGroup& g : groups) apply_group(g, downtime_given, seed, specs, extras);
    const std::string entry =
        fmt::format("a table with `worker` or `workers` and any of {}", kOverrideSettings);
    for (TableReader& override_entry : workers.tables("override", entry))
        apply_override(override_entry, downtime_given, specs, layout.sources);
    workers.finish();
    check_effective_step_times(workers, specs);
    const bool resolved_later = std::any_of(layout.sources.begin(), layout.sources.end(),
                                            [](const StepTimeSource& s) {
                                                return s.kind != StepTimeKind::duration;
                                            });
    if (resolved_later) extras.step_time_sources = std::move(layout.sources);
    return specs;
}

}  // namespace hetsim::scenarios::detail
