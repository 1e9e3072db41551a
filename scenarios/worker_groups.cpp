#include "scenarios/worker_groups.hpp"

#include <fmt/format.h>

namespace hetsim::scenarios::detail {
namespace {

// A group's `link = { latency = ..., bandwidth = ... }`, with the keys of [network].
LinkSettings read_group_link(const toml::node& node, const std::string& key) {
    if (!node.is_table())
        fail(node, key, R"(a table like { latency = "20ms", bandwidth = "1Gbps" })");
    TableReader table(*node.as_table(), key);
    const LinkSettings link = read_link(table);
    table.finish();
    if (link.empty())
        throw ScenarioError(table.position(), key,
                            "at least one of latency, bandwidth, up_bandwidth, down_bandwidth",
                            "an empty table");
    return link;
}

// One [[workers.group]] entry; `first` is the index its first worker gets.
WorkerGroup read_group(TableReader& entry, std::size_t first) {
    WorkerGroup g;
    g.first = first;
    const toml::node* name = entry.get("name");
    if (name == nullptr) entry.missing("name", "the group's name, a non-empty string");
    g.name = to_string(*name, entry.key_path("name"));
    if (g.name.empty()) fail(*name, entry.key_path("name"), "a non-empty name");
    const toml::node* count = entry.get("count");
    if (count == nullptr)
        entry.missing("count", fmt::format("the group's workers, 1..{}", kMaxWorkers));
    g.count = static_cast<std::size_t>(
        to_integer(*count, entry.key_path("count"), IntRange{1, kMaxWorkers}));
    g.step_time = read_step_time_setting(entry);
    g.speed_node = entry.get("speed");
    if (g.speed_node != nullptr) {
        const std::string key = entry.key_path("speed");
        g.speed = to_number(*g.speed_node, key, NumberRange::positive());
        if (g.step_time.node != nullptr)
            fail(*g.speed_node, key,
                 fmt::format("either `{}` or `speed`, not both",
                             g.step_time.device_flops ? "device_flops" : "step_time"),
                 "both");
    }
    g.multiplier = entry.get("multiplier");
    g.multiplier_key = entry.key_path("multiplier");
    g.jitter = entry.read("jitter", read_jitter);
    g.stragglers = entry.read("stragglers", read_stragglers);
    if (const auto link = entry.read("link", read_group_link)) g.link = *link;
    if (auto failures = entry.table("failures")) {
        g.mtbf = failures->duration("mtbf", TimeRange::positive());
        g.downtime = failures->read("downtime", read_downtime);
        failures->finish();
    }
    g.shards_node = entry.get("shards");
    if (g.shards_node != nullptr) {
        const std::string key = entry.key_path("shards");
        const auto* list = g.shards_node->as_array();
        if (list == nullptr || list->empty())
            fail(*g.shards_node, key, "a non-empty list of shard indices like [0, 1]");
        for (std::size_t i = 0; i < list->size(); ++i)
            g.shards.push_back(static_cast<int>(to_integer(
                *list->get(i), fmt::format("{}[{}]", key, i), IntRange{0, 999'999})));
    }
    entry.finish();
    return g;
}

// One group's base step time: its own step_time / device_flops, or [workers]'s divided by
// its speed, or [workers]'s as is.
void layout_group(const WorkerGroup& g, const StepTimeSetting& base, const TableReader& workers,
                  StepTimeLayout& out) {
    StepTimeSource source;
    sim::Time t{0};
    if (g.step_time.given()) {
        source = to_source(g.step_time, base.mfu, *g.table);
        t = g.step_time.duration.value_or(sim::Time{0});
    } else if (!base.given()) {
        if (g.speed)
            fail(*g.speed_node, g.table->key_path("speed"),
                 "a [workers] step_time or device_flops as well (speed divides it)",
                 fmt::format("speed = {:g} without one", *g.speed));
        g.table->missing("step_time",
                         "`step_time`, `device_flops`, or `speed` with a [workers] step_time");
    } else {
        source = to_source(base, std::nullopt, workers);
        if (g.speed) {
            source.speed = *g.speed;
            if (base.duration) {
                try {
                    t = scale_by_speed(*base.duration, *g.speed);
                } catch (const Error&) {
                    fail(*g.speed_node, g.table->key_path("speed"),
                         fmt::format("a speed that leaves a step time between 1ns and about "
                                     "292 years ({} / speed)",
                                     sim::format_duration(*base.duration)));
                }
            }
        } else {
            t = base.duration.value_or(sim::Time{0});
        }
    }
    if (g.step_time.mfu && source.kind != StepTimeKind::flops)
        fail(*g.step_time.mfu_node, g.table->key_path("mfu"),
             "no mfu without device_flops (it scales device_flops)");
    out.step_times.insert(out.step_times.end(), g.count, t);
    out.sources.insert(out.sources.end(), g.count, source);
}

}  // namespace

// [[workers.group]]: the groups in file order, laid out as workers 0..K-1.
std::vector<WorkerGroup> read_groups(TableReader& workers) {
    std::vector<WorkerGroup> groups;
    std::size_t total = 0;
    const std::string entry_kind = "a table with `name`, `count` and the group's settings";
    for (TableReader& entry : workers.tables("group", entry_kind)) {
        WorkerGroup g = read_group(entry, total);
        for (const WorkerGroup& other : groups)
            if (other.name == g.name)
                fail(*entry.get("name"), entry.key_path("name"),
                     "a name no other group has",
                     fmt::format("\"{}\", the name of {}", g.name, other.table->path()));
        total += g.count;
        if (total > static_cast<std::size_t>(kMaxWorkers))
            fail(*entry.get("count"), entry.key_path("count"),
                 fmt::format("groups of at most {} workers in all", kMaxWorkers),
                 fmt::format("{} workers up to this group", total));
        g.table = entry;
        groups.push_back(std::move(g));
    }
    return groups;
}

StepTimeLayout layout_groups(TableReader& workers, const std::vector<WorkerGroup>& groups,
                     std::optional<std::size_t> count, const StepTimeSetting& base,
                     const toml::node* list, const toml::node* toy) {
    if (list != nullptr)
        fail(*list, workers.key_path("step_times"),
             "no step_times with [[workers.group]] (each group sets its step time or speed)");
    if (toy != nullptr)
        fail(*toy, workers.key_path("heterogeneity"),
             R"(a preset other than "asyncdiloco-toy" with [[workers.group]] (that preset sets )"
             R"(4 workers' step times))");
    const std::size_t total = groups.back().first + groups.back().count;
    if (count && *count != total)
        fail(*workers.get("count"), workers.key_path("count"),
             fmt::format("{} (the sum of the [[workers.group]] counts) or nothing", total));
    StepTimeLayout out;
    out.step_times.reserve(total);
    out.sources.reserve(total);
    for (const WorkerGroup& g : groups) layout_group(g, base, workers, out);
    return out;
}

// The group settings that come after [workers]'s own: multiplier, jitter, stragglers and
// failures (an mtbf needs a downtime, the group's or [workers.failures]'s), and the link.
void apply_group(const WorkerGroup& g, bool downtime_given, std::uint64_t seed,
                 std::vector<sim::WorkerSpec>& specs, WorkersExtras& extras) {
    if (g.multiplier != nullptr)
        read_multiplier(*g.multiplier, g.multiplier_key, seed, specs, g.first, g.count);
    if (g.mtbf && !g.downtime && !downtime_given)
        g.table->missing("failures",
                         "a downtime with the group's mtbf (in its `failures` or in "
                         "[workers.failures])");
    for (std::size_t w = g.first; w < g.first + g.count; ++w) {
        specs[w].group = g.name;
        if (g.jitter) specs[w].jitter = g.jitter;
        if (g.stragglers) specs[w].stragglers = *g.stragglers;
        if (g.mtbf) specs[w].failures.mtbf = g.mtbf;
        if (g.downtime) specs[w].failures.downtime_s = *g.downtime;
    }
    if (!g.link.empty()) extras.group_links.push_back({g.first, g.count, g.link});
}

// Group `shards`: which shard each of the group's workers reads with data.assignment = "fixed"
// (the group's i-th worker reads shards[i mod length]); -1 for workers of other groups.
std::vector<int> group_shards(const std::vector<WorkerGroup>& groups, const TrainingSpec& training,
                              std::size_t workers) {
    std::vector<int> fixed;
    const DataSpec& data = training.data;
    const int count = data.shards > 0 ? data.shards : static_cast<int>(workers);
    for (const WorkerGroup& g : groups) {
        if (g.shards_node == nullptr) continue;
        const std::string key = g.table->key_path("shards");
        if (training.model.kind == "none")
            fail(*g.shards_node, key,
                 R"(no shards with model.kind = "none" (shards are the data a model trains on))");
        if (data.assignment != "fixed")
            fail(*g.shards_node, key,
                 fmt::format(R"(no shards with data.assignment = "{}" (group shards fix the )"
                             R"(shard each worker reads: "fixed" only))",
                             data.assignment));
        for (std::size_t i = 0; i < g.shards.size(); ++i)
            if (g.shards[i] >= count)
                fail(*g.shards_node->as_array()->get(i), fmt::format("{}[{}]", key, i),
                     fmt::format("a shard index in 0..{} ({})", count - 1,
                                 data.shards > 0 ? fmt::format("data.shards = {}", data.shards)
                                                 : "one shard per worker"));
        fixed.resize(workers, -1);
        for (std::size_t i = 0; i < g.count; ++i)
            fixed[g.first + i] = g.shards[i % g.shards.size()];
    }
    return fixed;
}

}  // namespace hetsim::scenarios::detail
