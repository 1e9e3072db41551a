#include "sim/timeline.hpp"

#include "sim/error.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace hetsim::sim {

const char* to_string(WorldEventKind kind) {
    switch (kind) {
    case WorldEventKind::slowdown: return "slowdown";
    case WorldEventKind::link: return "link";
    case WorldEventKind::leave: return "leave";
    case WorldEventKind::join: return "join";
    case WorldEventKind::server_outage: return "server_outage";
    }
    return "?";
}

void validate(const TimelineSpec& timeline, int workers) {
    for (std::size_t i = 0; i < timeline.events.size(); ++i) {
        const WorldEvent& e = timeline.events[i];
        HETSIM_CHECK(e.at >= Time{0}, "timeline event {} ({}) is at a negative time", i,
                     to_string(e.kind));
        for (const int w : e.workers)
            HETSIM_CHECK(w >= 0 && w < workers,
                         "timeline event {} ({}) targets worker {}, but the world has {} workers",
                         i, to_string(e.kind), w, workers);
        if (e.kind == WorldEventKind::server_outage) {
            HETSIM_CHECK(e.duration <= kNever - e.at,
                         "timeline event {} (server_outage) ends after the end of time", i);
            HETSIM_CHECK(e.duration > Time{0},
                         "timeline event {} (server_outage) needs a duration > 0", i);
            continue;
        }
        HETSIM_CHECK(!e.workers.empty(), "timeline event {} ({}) has no target worker", i,
                     to_string(e.kind));
        if (e.kind == WorldEventKind::slowdown || e.kind == WorldEventKind::link) {
            HETSIM_CHECK(std::isfinite(e.factor) && e.factor > 0 && e.factor <= kMaxFactor,
                         "timeline event {} ({}) needs a factor in (0, 1e6], not {}", i,
                         to_string(e.kind), e.factor);
            HETSIM_CHECK(!e.until || *e.until > e.at,
                         "timeline event {} ({}) ends (until) before it starts (at)", i,
                         to_string(e.kind));
        }
    }
    for (std::size_t i = 0; i < timeline.patterns.size(); ++i) {
        const SpeedPattern& p = timeline.patterns[i];
        HETSIM_CHECK(p.period > Time{0}, "speed pattern {} needs a period > 0", i);
        HETSIM_CHECK(p.amplitude >= 0 && p.amplitude < 1,
                     "speed pattern {} needs an amplitude in [0, 1), not {}", i, p.amplitude);
        HETSIM_CHECK(std::isfinite(p.phase), "speed pattern {} has a non-finite phase", i);
        HETSIM_CHECK(p.resolution >= Time{0} && (p.resolution > Time{0} || p.period >= Time{48}),
                     "speed pattern {} needs a resolution > 0", i);
        const Time res = p.resolution > Time{0} ? p.resolution : p.period / 48;
        HETSIM_CHECK(res <= p.period && (p.period.count() - 1) / res.count() + 1 <= kMaxSlices,
                     "speed pattern {} needs between 1 and {} slices per period", i, kMaxSlices);
        for (const int w : p.workers)
            HETSIM_CHECK(w >= 0 && w < workers,
                         "speed pattern {} targets worker {}, but the world has {} workers", i, w,
                         workers);
    }
}

std::vector<WorldEvent> intersect_presence(const std::vector<WorldEvent>& a,
                                           const std::vector<WorldEvent>& b, int workers) {
    // Per worker, (time, source, present afterwards) in each source's order; a stable sort by
    // time keeps same-instant events in the order given.
    struct Change {
        Time at;
        int source;
        bool present;
    };
    std::vector<std::vector<Change>> changes(static_cast<std::size_t>(workers));
    const auto collect = [&](const std::vector<WorldEvent>& events, int source) {
        for (const WorldEvent& e : events) {
            if (e.kind != WorldEventKind::leave && e.kind != WorldEventKind::join) continue;
            for (const int w : e.workers) {
                HETSIM_CHECK(w >= 0 && w < workers,
                             "a {} event targets worker {}, but the world has {} workers",
                             to_string(e.kind), w, workers);
                changes[static_cast<std::size_t>(w)].push_back(
                    {e.at, source, e.kind == WorldEventKind::join});
            }
        }
    };
    collect(a, 0);
    collect(b, 1);
    // (time, kind) -> the workers whose combined presence changes then.
    std::vector<std::pair<std::pair<Time, bool>, int>> out;
    for (std::size_t w = 0; w < changes.size(); ++w) {
        auto& mine = changes[w];
        std::stable_sort(mine.begin(), mine.end(),
                         [](const Change& x, const Change& y) { return x.at < y.at; });
        bool present[2] = {true, true};
        bool both = true;
        for (std::size_t i = 0; i < mine.size();) {
            const Time t = mine[i].at;
            for (; i < mine.size() && mine[i].at == t; ++i)
                present[mine[i].source] = mine[i].present;
            const bool now = present[0] && present[1];
            if (now != both) out.push_back({{t, now}, static_cast<int>(w)});
            both = now;
        }
    }
    std::stable_sort(out.begin(), out.end(),
                     [](const auto& x, const auto& y) { return x.first < y.first; });
    std::vector<WorldEvent> events;
    for (const auto& [key, w] : out) {
        if (events.empty() || events.back().at != key.first ||
            (events.back().kind == WorldEventKind::join) != key.second) {
            WorldEvent e;
            e.at = key.first;
            e.kind = key.second ? WorldEventKind::join : WorldEventKind::leave;
            events.push_back(std::move(e));
        }
        events.back().workers.push_back(w);
    }
    return events;
}

namespace {

// An effect on one worker over [from, until).
struct Span {
    Time from;
    Time until;  // kNever: open-ended
    double factor;
    std::size_t order;  // position in the timeline: a later event wins a tie (latency)
    std::optional<Time> latency;
};

}  // namespace

double WorldTimeline::Steps::operator()(Time t) const {
    const auto it = std::upper_bound(at.begin(), at.end(), t);
    if (it == at.begin()) return 1.0;
    return value[static_cast<std::size_t>(it - at.begin() - 1)];
}

Time WorldTimeline::Steps::next_change(Time t) const {
    const auto it = std::upper_bound(at.begin(), at.end(), t);
    return it == at.end() ? kNever : *it;
}

double WorldTimeline::Pattern::factor(Time t) const {
    // The value at the middle of t's slice: the slices average the sine without a bias.
    const std::int64_t into = t.count() % period.count();
    const std::int64_t start = into / resolution.count() * resolution.count();
    const std::int64_t length = std::min(resolution.count(), period.count() - start);
    const double mid = static_cast<double>(start) + 0.5 * static_cast<double>(length);
    return 1.0 +
           amplitude *
               std::sin(2.0 * std::numbers::pi * mid / static_cast<double>(period.count()) + phase);
}

Time WorldTimeline::Pattern::next_boundary(Time t) const {
    const std::int64_t base = t.count() - t.count() % period.count();
    const std::int64_t into = t.count() - base;
    const std::int64_t end =
        std::min((into / resolution.count() + 1) * resolution.count(), period.count());
    return Time{base + end};
}

namespace {

// The boundaries of a set of spans, each with the spans active just after it.
template <class Value>
void sweep(std::vector<Span> spans, std::vector<Time>& at, std::vector<Value>& value,
           Value (*combine)(const std::vector<const Span*>&)) {
    std::vector<Time> cuts;
    for (const Span& s : spans) {
        cuts.push_back(s.from);
        if (s.until != kNever) cuts.push_back(s.until);
    }
    std::sort(cuts.begin(), cuts.end());
    cuts.erase(std::unique(cuts.begin(), cuts.end()), cuts.end());
    std::sort(spans.begin(), spans.end(),
              [](const Span& a, const Span& b) { return a.from < b.from; });
    std::vector<const Span*> active;
    std::size_t next = 0;
    for (const Time t : cuts) {
        std::erase_if(active, [t](const Span* s) { return s->until <= t; });
        while (next < spans.size() && spans[next].from <= t) {
            if (spans[next].until > t) active.push_back(&spans[next]);
            ++next;
        }
        const Value v = combine(active);
        if (!value.empty() && value.back() == v) continue;
        at.push_back(t);
        value.push_back(v);
    }
}

double product(const std::vector<const Span*>& active) {
    double f = 1.0;
    for (const Span* s : active)
        f *= s->factor;
    return f;
}

std::optional<Time> latest_latency(const std::vector<const Span*>& active) {
    const Span* best = nullptr;
    for (const Span* s : active)
        if (s->latency && (best == nullptr || s->order > best->order)) best = s;
    return best ? best->latency : std::nullopt;
}

}  // namespace

WorldTimeline::WorldTimeline(const TimelineSpec& timeline, int workers)
    : speed_(static_cast<std::size_t>(workers)), patterns_(static_cast<std::size_t>(workers)),
      links_(static_cast<std::size_t>(workers)), latency_(static_cast<std::size_t>(workers)) {
    validate(timeline, workers);
    std::vector<std::vector<Span>> slow(speed_.size()), link(speed_.size());
    for (std::size_t i = 0; i < timeline.events.size(); ++i) {
        const WorldEvent& e = timeline.events[i];
        const Span span{e.at, e.until.value_or(kNever), e.factor, i, e.latency};
        if (e.kind == WorldEventKind::slowdown)
            for (const int w : e.workers)
                slow[static_cast<std::size_t>(w)].push_back(span);
        else if (e.kind == WorldEventKind::link)
            for (const int w : e.workers)
                link[static_cast<std::size_t>(w)].push_back(span);
        else if (e.kind == WorldEventKind::server_outage)
            outages_.emplace_back(e.at, e.at + e.duration);
    }
    for (std::size_t w = 0; w < speed_.size(); ++w) {
        if (!slow[w].empty()) sweep(slow[w], speed_[w].at, speed_[w].value, &product);
        if (!link[w].empty()) {
            sweep(link[w], links_[w].at, links_[w].value, &product);
            sweep(link[w], latency_[w].at, latency_[w].value, &latest_latency);
        }
    }
    for (const SpeedPattern& p : timeline.patterns) {
        const Time resolution = p.resolution > Time{0} ? p.resolution : p.period / 48;
        Pattern pattern{p.period, p.amplitude, p.phase, resolution, 0.0};
        for (Time t{0}; t < p.period; t = pattern.next_boundary(t))
            pattern.work_per_period +=
                static_cast<double>((pattern.next_boundary(t) - t).count()) / pattern.factor(t);
        for (const int w : p.workers)
            patterns_[static_cast<std::size_t>(w)].push_back(pattern);
    }
    for (std::size_t w = 0; w < speed_.size(); ++w)
        if (!speed_[w].at.empty() || !patterns_[w].empty()) static_speed_ = false;
    std::sort(outages_.begin(), outages_.end());
    std::vector<std::pair<Time, Time>> merged;
    for (const auto& o : outages_) {
        if (!merged.empty() && o.first <= merged.back().second)
            merged.back().second = std::max(merged.back().second, o.second);
        else
            merged.push_back(o);
    }
    outages_.swap(merged);
}

bool WorldTimeline::speed_varies(int w) const {
    const auto i = static_cast<std::size_t>(w);
    return !speed_[i].at.empty() || !patterns_[i].empty();
}

double WorldTimeline::speed_factor(int w, Time t) const {
    const auto i = static_cast<std::size_t>(w);
    double f = speed_[i](t);
    for (const Pattern& p : patterns_[i])
        f *= p.factor(t);
    return f;
}

Time WorldTimeline::compute_end(int w, Time start, Time work) const {
    if (static_speed_ || !speed_varies(w)) return start + work;
    const auto i = static_cast<std::size_t>(w);
    // Scripted slowdowns act on rounds that start after them: the round keeps the slowdown
    // factor in force when its compute starts (as it keeps its jitter and straggler draws).
    // Periodic patterns are integrated: work is measured in nanoseconds at factor 1, and a
    // piece with factor f does (length / f) of it. Doubles hold integer nanoseconds exactly
    // up to 2^53 (104 days).
    const double slowdown = speed_[i](start);
    double remaining = static_cast<double>(work.count());
    Time t = start;
    for (;;) {
        skip_periods(w, slowdown, t, remaining);
        double f = slowdown;
        Time next = kNever;
        for (const Pattern& p : patterns_[i]) {
            f *= p.factor(t);
            next = std::min(next, p.next_boundary(t));
        }
        // Saturate far beyond any run instead of overflowing: the round never ends.
        const double ns = std::min(remaining * f, 4.0e18);
        const Time needed{static_cast<std::int64_t>(std::llround(ns))};
        if (needed >= kNever - t) return kNever;
        if (next == kNever || t + needed <= next) return t + needed;
        remaining -= static_cast<double>((next - t).count()) / f;
        t = next;
        if (remaining <= 0) return t;
    }
}

// With one pattern, whole periods from a period boundary do a known amount of work: jump over all but the last, so a round spanning many periods costs a
// few slices, not all of them.
void WorldTimeline::skip_periods(int w, double slowdown, Time& t, double& remaining) const {
    const auto i = static_cast<std::size_t>(w);
    if (patterns_[i].size() != 1) return;
    const Pattern& p = patterns_[i][0];
    if (t.count() % p.period.count() != 0) return;
    const double per = p.work_per_period / slowdown;
    auto n = static_cast<std::int64_t>(remaining / per) - 1;  // finish inside the last one
    n = std::min(n, (kNever - t).count() / p.period.count() - 1);
    if (n <= 0) return;
    t += n * p.period;
    remaining -= static_cast<double>(n) * per;
}

double WorldTimeline::bandwidth_factor(int w, Time t) const {
    return links_[static_cast<std::size_t>(w)](t);
}

std::optional<Time> WorldTimeline::latency(int w, Time t) const {
    const LatencySteps& l = latency_[static_cast<std::size_t>(w)];
    const auto it = std::upper_bound(l.at.begin(), l.at.end(), t);
    if (it == l.at.begin()) return std::nullopt;
    return l.value[static_cast<std::size_t>(it - l.at.begin() - 1)];
}

Time WorldTimeline::server_available(Time t) const {
    // The first outage ending after t; merged outages never touch, so one lookup suffices.
    const auto it = std::upper_bound(outages_.begin(), outages_.end(), t,
                                     [](Time x, const auto& o) { return x < o.second; });
    if (it != outages_.end() && it->first <= t) return it->second;
    return t;
}

}  // namespace hetsim::sim
