#include "scenarios/sections.hpp"

#include <fmt/format.h>

namespace hetsim::scenarios::detail {

// workers.failures.downtime: a duration > 0, or a distribution table of durations.
sim::Distribution read_downtime(const toml::node& node, const std::string& key) {
    if (const auto* table = node.as_table())
        return read_distribution(TableReader(*table, key), DistributionUnit::duration);
    if (!node.is_string())
        fail(node, key,
             R"(a duration like "5m" or a table like { dist = "exponential", )"
             R"(mean = "5m" })");
    return sim::Distribution::constant(seconds(to_duration(node, key, TimeRange::positive())));
}

namespace {

struct Scripted {
    std::size_t worker = 0;
    sim::ScriptedFailure failure;
};

Scripted read_scripted_entry(TableReader& entry, std::size_t count) {
    const toml::node* worker = entry.get("worker");
    const auto at = entry.duration("at", TimeRange::non_negative());
    const auto downtime = entry.duration("downtime", TimeRange::positive());
    if (worker == nullptr) entry.missing("worker", "the failing worker's index");
    if (!at) entry.missing("at", "the virtual time of the failure, a duration >= 0");
    if (!downtime) entry.missing("downtime", "how long the failure lasts, a duration > 0");
    entry.finish();
    return {to_worker_index(*worker, entry.key_path("worker"), count), {*at, *downtime}};
}

// [[workers.failures.scripted]]: each worker's failures, in the order given, must not overlap.
void read_scripted(TableReader& failures, std::vector<sim::WorkerSpec>& workers) {
    const std::string_view what =
        "a table { worker = <index>, at = <time>, downtime = <duration> }";
    for (TableReader& entry : failures.tables("scripted", what)) {
        const Scripted s = read_scripted_entry(entry, workers.size());
        auto& mine = workers[s.worker].failures.scripted;
        if (!mine.empty()) {
            const sim::Time previous_end = mine.back().at + mine.back().downtime;
            if (s.failure.at < previous_end)
                fail(*entry.get("at"), entry.key_path("at"),
                     fmt::format("a time >= {}, when worker {}'s previous scripted failure ends",
                                 sim::format_duration(previous_end), s.worker));
        }
        mine.push_back(s.failure);
    }
}

}  // namespace

bool read_failures(TableReader failures, std::vector<sim::WorkerSpec>& workers) {
    const auto mtbf = failures.duration("mtbf", TimeRange::positive());
    const auto downtime = failures.read("downtime", read_downtime);
    if (mtbf && !downtime)
        failures.missing("downtime",
                         "how long a random failure lasts (a duration > 0 or a "
                         "distribution table), required with mtbf");
    for (auto& worker : workers) {
        worker.failures.mtbf = mtbf;
        if (downtime) worker.failures.downtime_s = *downtime;
    }
    read_scripted(failures, workers);
    failures.finish();
    return downtime.has_value();
}

}  // namespace hetsim::scenarios::detail
