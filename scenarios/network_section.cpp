#include "scenarios/sections.hpp"

namespace hetsim::scenarios::detail {
namespace {

sim::NetworkSpec read_server(TableReader server) {
    sim::NetworkSpec spec;
    spec.shared_server_link = server.boolean("shared").value_or(false);
    const auto bandwidth = server.bandwidth("bandwidth");
    if (spec.shared_server_link && !bandwidth)
        server.missing("bandwidth", "the server link's rate (required when shared = true)");
    if (bandwidth) spec.server_bandwidth = *bandwidth;
    server.finish();
    return spec;
}

void apply_override(TableReader entry, std::vector<sim::WorkerSpec>& workers) {
    const std::vector<std::size_t> targets = read_override_targets(entry, workers.size());
    const LinkSettings settings = read_link(entry);
    entry.finish();
    if (settings.empty())
        throw ScenarioError(entry.position(), entry.path(),
                            "at least one of latency, bandwidth, up_bandwidth, down_bandwidth",
                            "only the choice of workers");
    for (const std::size_t w : targets) settings.apply(workers[w].link);
}

}  // namespace

LinkSettings read_link(TableReader& table) {
    LinkSettings s;
    s.latency = table.duration("latency", TimeRange::non_negative());
    s.bandwidth = table.bandwidth("bandwidth");
    s.up = table.bandwidth("up_bandwidth");
    s.down = table.bandwidth("down_bandwidth");
    return s;
}

sim::NetworkSpec read_network(TableReader network, std::vector<sim::WorkerSpec>& workers,
                              const std::vector<GroupLink>& group_links) {
    const LinkSettings base = read_link(network);
    for (auto& worker : workers) base.apply(worker.link);
    // A group's link is more specific than [network] and less than [[network.override]].
    for (const GroupLink& group : group_links)
        for (std::size_t w = group.first; w < group.first + group.count; ++w)
            group.settings.apply(workers[w].link);
    const sim::NetworkSpec spec = read_server(network.table_or_empty("server"));
    for (TableReader& entry :
         network.tables("override", "a table with `worker` or `workers` and link settings"))
        apply_override(entry, workers);
    network.finish();
    return spec;
}

}  // namespace hetsim::scenarios::detail
