// `[[timeline]]`, `[elastic]` and `[workers.preemption]`: the time-varying parts of a world,
// resolved into sim::TimelineSpec events and patterns and sim::PreemptionSpec.

#include "scenarios/sections.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <cmath>
#include <numbers>
#include <set>

namespace hetsim::scenarios::detail {
namespace {

using sim::Time;
__extension__ using Int128 = __int128;  // exact over x i / n for any duration
using sim::WorldEvent;
using sim::WorldEventKind;

constexpr std::array<std::string_view, 6> kActions{"slowdown", "link",          "leave",
                                                   "join",     "server_outage", "periodic"};

// The keys each action takes besides `at`, `action` and the targets.
struct ActionKeys {
    std::string_view action;
    std::vector<std::string_view> keys;
};
const std::array<ActionKeys, 6> kActionKeys{{
    {"slowdown", {"factor", "until"}},
    {"link", {"bandwidth_factor", "latency", "until"}},
    {"leave", {}},
    {"join", {}},
    {"server_outage", {"duration"}},
    {"periodic", {"period", "amplitude", "phase", "resolution"}},
}};
constexpr std::array<std::string_view, 8> kAllActionKeys{
    "factor",   "until",  "bandwidth_factor", "latency",
    "duration", "period", "amplitude",        "resolution"};

// Rejects keys that belong to another action ("factor" with action = "leave").
void only_own_keys(TableReader& entry, std::string_view action) {
    const auto& own =
        std::find_if(kActionKeys.begin(), kActionKeys.end(), [&](const ActionKeys& a) {
            return a.action == action;
        })->keys;
    auto check = [&](std::string_view key) {
        if (std::find(own.begin(), own.end(), key) != own.end()) return;
        if (const toml::node* node = entry.get(key))
            fail(*node, entry.key_path(key),
                 fmt::format("no `{}` with action = \"{}\"{}", key, action,
                             own.empty() ? std::string{}
                                         : fmt::format(" (it takes {})", fmt::join(own, ", "))));
    };
    for (const std::string_view key : kAllActionKeys)
        check(key);
    check("phase");
}

// The worker indices named by `group` = "name" or ["a", "b"] (WorkerSpec::group).
std::set<int> group_targets(const toml::node& node, const std::string& key,
                            const std::vector<sim::WorkerSpec>& workers) {
    std::vector<std::string> names;
    for (const auto& w : workers)
        if (!w.group.empty() && std::find(names.begin(), names.end(), w.group) == names.end())
            names.push_back(w.group);
    std::vector<const toml::node*> items;
    if (const auto* list = node.as_array()) {
        if (list->empty()) fail(node, key, "a group name or a non-empty list of group names");
        for (const auto& item : *list)
            items.push_back(&item);
    } else {
        items.push_back(&node);
    }
    std::set<int> out;
    for (const toml::node* item : items) {
        if (!item->is_string()) fail(*item, key, "a group name (a string) or a list of them");
        const std::string name = **item->as_string();
        if (std::find(names.begin(), names.end(), name) == names.end()) {
            std::string expected =
                names.empty()
                    ? std::string("a [[workers.group]] name (this scenario has no groups)")
                    : fmt::format("one of the [[workers.group]] names: {}", fmt::join(names, ", "));
            if (const std::string near = closest_match(name, names); !near.empty())
                expected += fmt::format(" (did you mean `{}`?)", near);
            fail(*item, key, expected);
        }
        for (std::size_t w = 0; w < workers.size(); ++w)
            if (workers[w].group == name) out.insert(static_cast<int>(w));
    }
    return out;
}

// `worker`, `workers` or `group`: exactly one of them (none for a server outage).
std::vector<int> read_targets(TableReader& entry, std::string_view action,
                              const std::vector<sim::WorkerSpec>& workers) {
    const toml::node* one = entry.get("worker");
    const toml::node* many = entry.get("workers");
    const toml::node* group = entry.get("group");
    const int given = (one != nullptr) + (many != nullptr) + (group != nullptr);
    if (action == "server_outage") {
        if (given > 0) {
            const std::string_view key = one ? "worker" : many ? "workers" : "group";
            fail(*entry.get(key), entry.key_path(key),
                 "no target with action = \"server_outage\" (the server is out for everyone)");
        }
        return {};
    }
    if (given > 1) {
        const std::string_view key = group ? "group" : "workers";
        fail(*entry.get(key), entry.key_path(key), "only one of `worker`, `workers`, `group`",
             "several");
    }
    if (given == 0)
        entry.missing("workers",
                      "the event's targets: `worker = <index>`, `workers = [<index>, ...]` or "
                      "`group = \"<name>\"`");
    if (group != nullptr) {
        const std::set<int> s = group_targets(*group, entry.key_path("group"), workers);
        return {s.begin(), s.end()};
    }
    std::vector<int> out;
    for (const std::size_t w : read_override_targets(entry, workers.size()))
        out.push_back(static_cast<int>(w));
    std::sort(out.begin(), out.end());
    return out;
}

sim::SpeedPattern read_periodic(TableReader& entry, std::vector<int> targets) {
    sim::SpeedPattern p;
    p.workers = std::move(targets);
    const auto period = entry.duration("period", TimeRange::positive());
    if (!period) entry.missing("period", "the pattern's period, a duration > 0 like \"24h\"");
    p.period = *period;
    const auto amplitude = entry.number("amplitude", NumberRange{0.0, false, 1.0, true});
    if (!amplitude)
        entry.missing("amplitude", "the relative swing of the step time, a number in [0, 1)");
    p.amplitude = *amplitude;
    p.phase =
        entry.number("phase", NumberRange::closed(-2 * std::numbers::pi, 2 * std::numbers::pi))
            .value_or(0.0);
    p.resolution = entry.duration("resolution", TimeRange::positive()).value_or(p.period / 48);
    if (p.resolution > p.period)
        fail(*entry.get("resolution"), entry.key_path("resolution"),
             fmt::format("at most the period ({})", sim::format_duration(p.period)));
    if (p.resolution == Time{0})
        fail(*entry.get("period"), entry.key_path("period"), "a period of at least 48ns");
    if ((p.period.count() - 1) / p.resolution.count() + 1 > sim::kMaxSlices)
        fail(*entry.get("resolution"), entry.key_path("resolution"),
             fmt::format("at least period / {} ({}), so that a period has at most {} slices",
                         sim::kMaxSlices, sim::format_duration(p.period / sim::kMaxSlices),
                         sim::kMaxSlices));
    return p;
}

// The action's own settings of one event.
void read_action(TableReader& entry, WorldEventKind kind, WorldEvent& e) {
    const auto read_until = [&] {
        e.until = entry.duration("until", TimeRange::positive());
        if (e.until && *e.until <= e.at)
            fail(*entry.get("until"), entry.key_path("until"),
                 fmt::format("a time after `at` ({})", sim::format_duration(e.at)));
    };
    switch (kind) {
    case WorldEventKind::slowdown: {
        const auto factor = entry.number("factor", NumberRange{0.0, true, sim::kMaxFactor, false});
        if (!factor)
            entry.missing("factor", "the step-time multiplier, a number > 0 (2 = twice as slow)");
        e.factor = *factor;
        read_until();
        break;
    }
    case WorldEventKind::link: {
        const auto factor =
            entry.number("bandwidth_factor", NumberRange{0.0, true, sim::kMaxFactor, false});
        e.latency = entry.duration("latency", TimeRange::non_negative());
        if (!factor && !e.latency)
            entry.missing("bandwidth_factor",
                          "`bandwidth_factor` (a number > 0) or `latency` (a duration), or both");
        e.factor = factor.value_or(1.0);
        read_until();
        break;
    }
    case WorldEventKind::server_outage: {
        const auto duration = entry.duration("duration", TimeRange::positive());
        if (!duration) entry.missing("duration", "how long the server is out, a duration > 0");
        if (*duration > sim::kNever - e.at)
            fail(*entry.get("duration"), entry.key_path("duration"),
                 "an outage that ends within about 292 years");
        e.duration = *duration;
        break;
    }
    case WorldEventKind::leave:
    case WorldEventKind::join: break;
    }
}

void read_event(TableReader& entry, sim::WorldSpec& world) {
    const auto action = entry.choice("action", kActions);
    if (!action)
        entry.missing("action", R"(what happens: one of "slowdown", "link", "leave", "join", )"
                                R"("server_outage", "periodic")");
    const std::string_view name = kActions[*action];
    only_own_keys(entry, name);
    std::vector<int> targets = read_targets(entry, name, world.workers);
    if (name == "periodic") {
        if (const toml::node* at = entry.get("at"))
            fail(*at, entry.key_path("at"),
                 "no `at` with action = \"periodic\" (a pattern holds from time 0; use `phase`)");
        world.timeline.patterns.push_back(read_periodic(entry, std::move(targets)));
        entry.finish();
        return;
    }
    WorldEvent e;
    e.kind = static_cast<WorldEventKind>(*action);  // kActions lists the kinds in order
    const auto at = entry.duration("at", TimeRange::non_negative());
    if (!at) entry.missing("at", "the virtual time of the event, a duration >= 0");
    e.at = *at;
    e.workers = std::move(targets);
    read_action(entry, e.kind, e);
    entry.finish();
    world.timeline.events.push_back(std::move(e));
}

// The pool size over time as (time, active) steps, from `[elastic]`.
struct Step {
    Time at;
    std::int64_t active;
};

std::vector<Step> read_elastic_schedule(TableReader& elastic, std::int64_t k) {
    std::vector<Step> steps;
    for (TableReader& entry :
         elastic.tables("schedule", "a table { at = <time>, active = <count> }")) {
        const auto at = entry.duration("at", TimeRange::non_negative());
        const auto active = entry.integer("active", IntRange{0, k});
        if (!at) entry.missing("at", "when the pool changes, a duration >= 0");
        if (!active)
            entry.missing("active", fmt::format("the number of workers in the pool, 0..{}", k));
        entry.finish();
        if (!steps.empty() && *at <= steps.back().at)
            fail(*entry.get("at"), entry.key_path("at"),
                 fmt::format("a time after the previous entry's ({})",
                             sim::format_duration(steps.back().at)));
        steps.push_back({*at, *active});
    }
    return steps;
}

// DiLoCo's adaptive compute pools (Douillard et al. 2023, Sec. 3, "adaptive compute pool"):
// ramp up 1 -> K and ramp down K -> 1 in equal-length levels over `over`; doubling K/2 -> K and
// halving K -> K/2 at the middle of `over`. `from` / `to` override the end counts.
std::vector<Step> ramp(std::string_view preset, std::int64_t k, std::optional<std::int64_t> from,
                       std::optional<std::int64_t> to, Time over) {
    const bool up = preset == "ramp-up" || preset == "doubling";
    const bool linear = preset == "ramp-up" || preset == "ramp-down";
    const std::int64_t half = std::max<std::int64_t>(1, k / 2);
    const std::int64_t a = from.value_or(up ? (linear ? 1 : half) : k);
    const std::int64_t b = to.value_or(up ? k : (linear ? 1 : half));
    std::vector<Step> steps{{Time{0}, a}};
    if (a == b) return steps;
    if (!linear) {
        steps.push_back({over / 2, b});
        return steps;
    }
    const std::int64_t changes = std::abs(b - a);
    const std::int64_t dir = b > a ? 1 : -1;
    for (std::int64_t i = 1; i <= changes; ++i)
        steps.push_back(
            {Time{static_cast<std::int64_t>(static_cast<Int128>(over.count()) * i / (changes + 1))},
             a + dir * i});
    return steps;
}

constexpr std::array<std::string_view, 4> kRamps{"ramp-up", "ramp-down", "doubling", "halving"};

// `[elastic]` as leave and join events: a pool of n holds workers 0..n-1.
void read_elastic(TableReader elastic, sim::WorldSpec& world) {
    const auto k = static_cast<std::int64_t>(world.workers.size());
    const toml::node* preset_node = elastic.get("preset");
    const toml::node* schedule_node = elastic.get("schedule");
    std::vector<Step> steps;
    if (preset_node != nullptr && schedule_node != nullptr)
        fail(*schedule_node, elastic.key_path("schedule"),
             "either `preset` or `schedule`, not both", "both");
    if (schedule_node != nullptr) {
        steps = read_elastic_schedule(elastic, k);
    } else if (preset_node != nullptr) {
        const std::string preset = pick(elastic, "preset", kRamps, "");
        const auto from = elastic.integer("from", IntRange{1, k});
        const auto to = elastic.integer("to", IntRange{1, k});
        auto over = elastic.duration("over", TimeRange::positive());
        if (!over && !world.stop.duration)
            elastic.missing("over",
                            "how long the ramp lasts, a duration > 0 (needed when run.duration "
                            "is not set)");
        steps = ramp(preset, k, from, to, over.value_or(world.stop.duration.value_or(Time{0})));
    } else {
        elastic.finish();  // empty, or settings without a preset: unknown keys
        return;
    }
    elastic.finish();
    std::int64_t active = k;
    for (const Step& s : steps) {
        WorldEvent e;
        e.at = s.at;
        e.kind = s.active < active ? WorldEventKind::leave : WorldEventKind::join;
        for (std::int64_t w = std::min(active, s.active); w < std::max(active, s.active); ++w)
            e.workers.push_back(static_cast<int>(w));
        active = s.active;
        if (!e.workers.empty()) world.timeline.events.push_back(std::move(e));
    }
}

// An availability trace (events[0..traced)) says when a worker's device is there; [[timeline]]
// leaves and joins and [elastic] (the rest) say when the experiment wants it. Read one after
// the other, a trace's join would bring back a worker the pool had let go, and a pool's join a
// worker whose device is offline: a worker takes part only while both say so. Without leaves
// and joins from both sides the events stay as they are.
void combine_presence(std::vector<WorldEvent>& events, std::size_t traced, int workers) {
    const auto presence = [](const WorldEvent& e) {
        return e.kind == WorldEventKind::leave || e.kind == WorldEventKind::join;
    };
    const auto split = events.begin() + static_cast<std::ptrdiff_t>(traced);
    if (std::none_of(events.begin(), split, presence) || std::none_of(split, events.end(), presence))
        return;
    std::vector<WorldEvent> trace(events.begin(), split);
    std::vector<WorldEvent> scripted(split, events.end());
    std::erase_if(events, presence);
    for (WorldEvent& e : sim::intersect_presence(trace, scripted, workers))
        events.push_back(std::move(e));
}

}  // namespace

void read_timeline(std::vector<TableReader> entries, TableReader elastic, sim::WorldSpec& world) {
    // The events already there are the traces' (add_trace_events runs first).
    const std::size_t traced = world.timeline.events.size();
    for (TableReader& entry : entries)
        read_event(entry, world);
    read_elastic(std::move(elastic), world);
    combine_presence(world.timeline.events, traced, static_cast<int>(world.workers.size()));
}

void read_preemption(TableReader preemption, std::vector<sim::WorkerSpec>& workers) {
    const toml::node* rate = preemption.get("rate");
    const toml::node* interval = preemption.get("mean_interval");
    const auto delay = preemption.read("delay", read_downtime);
    preemption.finish();
    if (rate == nullptr && interval == nullptr) {
        if (delay)
            preemption.missing("rate", R"(how often: `rate = "2/h"` or `mean_interval = "30m"`)");
        return;
    }
    if (rate != nullptr && interval != nullptr)
        fail(*interval, preemption.key_path("mean_interval"),
             "either `rate` or `mean_interval`, not both", "both");
    Time mean{0};
    if (interval != nullptr) {
        mean = to_duration(*interval, preemption.key_path("mean_interval"), TimeRange::positive());
    } else {
        // "2/h": 2 per hour, a mean interval of 30 minutes.
        const std::string key = preemption.key_path("rate");
        const std::string expected =
            R"(a rate like "2/h" or "0.5/d" (preemptions per unit of time))";
        if (!rate->is_string()) fail(*rate, key, expected);
        const std::string text = **rate->as_string();
        const auto slash = text.find('/');
        double count = 0;
        if (slash == std::string::npos) fail(*rate, key, expected);
        const auto [end, ec] = std::from_chars(text.data(), text.data() + slash, count);
        if (ec != std::errc{} || end != text.data() + slash || !(count > 0) ||
            !std::isfinite(count))
            fail(*rate, key, expected);
        Time unit{0};
        try {
            const std::string u = text.substr(slash + 1);
            unit = sim::parse_duration(
                std::isdigit(static_cast<unsigned char>(u.empty() ? 'x' : u[0])) ? u : "1" + u);
        } catch (const Error&) {
            fail(*rate, key, expected);
        }
        if (unit <= Time{0}) fail(*rate, key, expected);
        mean = sim::scale(unit, 1.0 / count);
        if (mean <= Time{0}) fail(*rate, key, "a rate below one per nanosecond");
    }
    if (!delay)
        preemption.missing("delay", "how long a preempted worker is away (a duration > 0 or a "
                                    "distribution table)");
    for (auto& w : workers) {
        w.preemption.mean_interval = mean;
        w.preemption.delay_s = *delay;
    }
}

}  // namespace hetsim::scenarios::detail
