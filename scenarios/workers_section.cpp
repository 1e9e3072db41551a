#include "scenarios/sections.hpp"

#include "sim/random_streams.hpp"

#include <fmt/format.h>

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

// count, step_time and step_times: one base step time per worker.
std::vector<sim::Time> read_step_times(TableReader& workers) {
    const std::optional<std::size_t> count = read_count(workers);
    const std::optional<sim::Time> step_time = workers.duration("step_time", TimeRange::positive());
    const toml::node* list_node = workers.get("step_times");
    if (step_time && list_node != nullptr)
        fail(*list_node, workers.key_path("step_times"),
             "either `step_time` or `step_times`, not both", "both");
    if (!step_time && list_node == nullptr)
        workers.missing("step_time", "`step_time` (a duration > 0) or `step_times` (a list)");
    if (step_time) {
        if (!count)
            workers.missing("count", fmt::format("the number of workers, 1..{}", kMaxWorkers));
        return std::vector<sim::Time>(*count, *step_time);
    }
    std::vector<sim::Time> times = read_step_time_list(*list_node, workers.key_path("step_times"));
    if (count && *count != times.size())
        fail(*list_node, workers.key_path("step_times"),
             fmt::format("a list of {} durations (workers.count = {})", *count, *count),
             fmt::format("a list of {} durations", times.size()));
    return times;
}

double to_multiplier(const toml::node& node, const std::string& key) {
    return to_number(node, key, NumberRange::positive());
}

// workers.multiplier: a number, a list (one per worker), or a distribution drawn per worker.
void read_multipliers(TableReader& workers, std::uint64_t seed,
                      std::vector<sim::WorkerSpec>& specs) {
    const toml::node* node = workers.get("multiplier");
    if (node == nullptr) return;
    const std::string key = workers.key_path("multiplier");
    if (const auto* table = node->as_table()) {
        const sim::Distribution d =
            read_distribution(TableReader(*table, key), DistributionUnit::factor);
        for (std::size_t w = 0; w < specs.size(); ++w) {
            sim::Rng rng =
                sim::make_stream(seed, static_cast<std::int64_t>(w), sim::Purpose::speed);
            specs[w].multiplier = d.sample(rng);
            if (!(std::isfinite(specs[w].multiplier) && specs[w].multiplier > 0))
                fail(*node, key, "a distribution whose draws are finite and > 0",
                     fmt::format("{} drawn for worker {}", specs[w].multiplier, w));
        }
    } else if (const auto* list = node->as_array()) {
        if (list->size() != specs.size())
            fail(*node, key, fmt::format("a list of {} numbers (one per worker)", specs.size()));
        for (std::size_t w = 0; w < specs.size(); ++w)
            specs[w].multiplier = to_multiplier(*list->get(w), fmt::format("{}[{}]", key, w));
    } else if (node->is_number()) {
        const double m = to_multiplier(*node, key);
        for (auto& spec : specs) spec.multiplier = m;
    } else {
        fail(*node, key, "a number > 0, a list of numbers, or a distribution table");
    }
}

sim::Distribution read_jitter(const toml::node& node, const std::string& key) {
    if (!node.is_table())
        fail(node, key, R"(a distribution table like { dist = "uniform", low = 0.9, high = 1.1 })");
    return read_distribution(TableReader(*node.as_table(), key), DistributionUnit::factor);
}

sim::StragglerSpec read_stragglers(const toml::node& node, const std::string& key) {
    if (!node.is_table()) fail(node, key, "a table { probability = <0..1>, factor = <>= 1> }");
    TableReader table(*node.as_table(), key);
    sim::StragglerSpec spec;
    const auto probability = table.number("probability", NumberRange::closed(0, 1));
    const auto factor = table.number("factor", NumberRange::at_least(1));
    if (!probability) table.missing("probability", NumberRange::closed(0, 1).describe());
    if (!factor) table.missing("factor", NumberRange::at_least(1).describe());
    table.finish();
    return {*probability, *factor};
}

// One [[workers.override]] entry. An mtbf needs the downtime of [workers.failures].
void apply_override(TableReader entry, bool downtime_given, std::vector<sim::WorkerSpec>& specs) {
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
        if (step_time) specs[w].step_time = *step_time;
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

}  // namespace

std::vector<sim::WorkerSpec> read_workers(TableReader workers, std::uint64_t seed) {
    const std::vector<sim::Time> step_times = read_step_times(workers);
    std::vector<sim::WorkerSpec> specs(step_times.size());
    for (std::size_t w = 0; w < specs.size(); ++w) specs[w].step_time = step_times[w];
    read_multipliers(workers, seed, specs);
    if (const auto jitter = workers.read("jitter", read_jitter))
        for (auto& spec : specs) spec.jitter = jitter;
    if (const auto stragglers = workers.read("stragglers", read_stragglers))
        for (auto& spec : specs) spec.stragglers = *stragglers;
    const bool downtime_given = read_failures(workers.table_or_empty("failures"), specs);
    const std::string entry =
        fmt::format("a table with `worker` or `workers` and any of {}", kOverrideSettings);
    for (TableReader& override_entry : workers.tables("override", entry))
        apply_override(override_entry, downtime_given, specs);
    workers.finish();
    check_effective_step_times(workers, specs);
    return specs;
}

}  // namespace hetsim::scenarios::detail
