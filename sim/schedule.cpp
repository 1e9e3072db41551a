#include "sim/schedule.hpp"

#include "sim/error.hpp"

#include <sys/mman.h>

#include <algorithm>
#include <cstdint>

namespace hetsim::sim {

namespace {

// Asks the kernel for transparent huge pages over [p, p + bytes) (Linux, where THP is in
// "madvise" mode as on Debian): a million update records are 80 MB, and first-touching them
// 4 KiB at a time took most of a timing-only run's time in page faults on a virtual machine
// (bench_timing, 10,000 workers: 1.8 M events/s without, ~6 M with). Advice only.
void advise_huge_pages(void* p, std::size_t bytes) {
    constexpr std::uintptr_t kHuge = std::uintptr_t{2} << 20;
    const auto begin = (reinterpret_cast<std::uintptr_t>(p) + kHuge - 1) & ~(kHuge - 1);
    const auto end = (reinterpret_cast<std::uintptr_t>(p) + bytes) & ~(kHuge - 1);
    if (begin < end) madvise(reinterpret_cast<void*>(begin), end - begin, MADV_HUGEPAGE);
}

}  // namespace

const char* to_string(TraceKind kind) {
    switch (kind) {
    case TraceKind::pull_start: return "pull_start";
    case TraceKind::pull_end: return "pull_end";
    case TraceKind::compute_start: return "compute_start";
    case TraceKind::compute_end: return "compute_end";
    case TraceKind::push_start: return "push_start";
    case TraceKind::push_end: return "push_end";
    case TraceKind::allreduce_start: return "allreduce_start";
    case TraceKind::allreduce_end: return "allreduce_end";
    case TraceKind::apply: return "apply";
    case TraceKind::fail: return "fail";
    case TraceKind::recover: return "recover";
    case TraceKind::lost: return "lost";
    case TraceKind::drop: return "drop";
    case TraceKind::discard: return "discard";
    case TraceKind::preempt: return "preempt";
    case TraceKind::resume: return "resume";
    case TraceKind::leave: return "leave";
    case TraceKind::join: return "join";
    }
    return "?";
}

const char* to_string(WorkerState state) {
    switch (state) {
    case WorkerState::compute: return "compute";
    case WorkerState::communicate: return "communicate";
    case WorkerState::idle: return "idle";
    case WorkerState::down: return "down";
    }
    return "?";
}

Schedule::Schedule(const WorldSpec& spec, TrainerHooks* hooks, const RecordOptions& record)
    : spec_(spec),
      world_timeline_(spec.timeline, static_cast<int>(spec.workers.size())),
      network_(spec, spec.timeline.empty() ? nullptr : &world_timeline_),
      hooks_(hooks),
      tracing_(record.trace),
      timeline_(record.timeline),
      progress_(record.progress),
      compute_(spec),
      failures_(spec),
      workers_(spec.workers.size()),
      away_(spec.workers.size()) {
    if (timeline_) last_interval_.assign(spec.workers.size(), kNoInterval);
    HETSIM_CHECK(!spec.workers.empty(), "a world needs at least one worker");
    HETSIM_CHECK(spec.stop.duration || spec.stop.server_updates || spec.stop.inner_steps,
                 "a run needs a stop condition (duration, server_updates or inner_steps)");
    HETSIM_CHECK(spec.algorithm.drop_probability >= 0 && spec.algorithm.drop_probability <= 1,
                 "algorithm.drop_probability must be in [0, 1], not {}",
                 spec.algorithm.drop_probability);
    if (spec.algorithm.drop_probability > 0)
        for (std::size_t w = 0; w < spec.workers.size(); ++w)
            drop_streams_.push_back(
                make_stream(spec.seed, static_cast<std::int64_t>(w), Purpose::drop));
    const std::vector<int> steps = local_steps(spec);
    for (std::size_t w = 0; w < steps.size(); ++w) workers_[w].stats.local_steps = steps[w];
    sim_.reserve(4 * spec.workers.size());
    // Most runs stop by server updates; reserving the records they will produce avoids copying
    // a large vector while it grows.
    if (spec.stop.server_updates) {
        const std::int64_t per_step = spec.algorithm.kind == ScheduleKind::fedbuff
                                          ? spec.algorithm.buffer
                                          : (spec.algorithm.kind == ScheduleKind::async
                                                 ? 1
                                                 : static_cast<std::int64_t>(spec.workers.size()));
        result_.updates.reserve(static_cast<std::size_t>(
            std::min<std::int64_t>(*spec.stop.server_updates * per_step, 50'000'000)));
        advise_huge_pages(result_.updates.data(),
                          result_.updates.capacity() * sizeof(UpdateRecord));
    }
}

RunResult Schedule::run() {
    for (int w = 0; w < worker_count(); ++w) {
        schedule_failure(w);
        schedule_preemption(w);
    }
    schedule_timeline();
    start();
    if (spec_.stop.duration)
        sim_.run_until(*spec_.stop.duration);
    else
        sim_.run();
    if (result_.stop_reason.empty())
        result_.stop_reason = spec_.stop.duration && !sim_.stopped() ? "duration" : "idle";
    finish(sim_.now());
    return std::move(result_);
}

void Schedule::finish(Time end) {
    result_.workers.clear();
    for (int w = 0; w < worker_count(); ++w) {
        set_phase(w, workers_[w].phase);
        result_.workers.push_back(workers_[w].stats);
    }
    result_.end_time = end;
    result_.server_version = version_;
    result_.events = sim_.events_fired();
}

void Schedule::set_phase(int w, Phase p) {
    Worker& s = workers_[w];
    WorkerStats& stats = workers_[w].stats;
    const Time spent = sim_.now() - s.since;
    WorkerState state = WorkerState::idle;
    switch (s.phase) {
    case Phase::idle: stats.idle += spent; break;
    case Phase::pulling:
    case Phase::pushing:
    case Phase::allreducing:
        stats.communication += spent;
        state = WorkerState::communicate;
        break;
    case Phase::computing:
        stats.compute += spent;
        state = WorkerState::compute;
        break;
    case Phase::down:
        stats.down += spent;
        state = WorkerState::down;
        break;
    }
    if (timeline_ && spent > Time{0}) {
        // Consecutive intervals in one state (pull then push, say) merge into one.
        const std::size_t last = last_interval_[static_cast<std::size_t>(w)];
        if (last != kNoInterval && result_.timeline[last].state == state &&
            result_.timeline[last].end == s.since)
            result_.timeline[last].end = sim_.now();
        else {
            last_interval_[static_cast<std::size_t>(w)] = result_.timeline.size();
            result_.timeline.push_back(WorkerInterval{s.since, sim_.now(), w, state});
        }
    }
    s.phase = p;
    s.since = sim_.now();
}

void Schedule::trace(int w, TraceKind kind) {
    if (tracing_) result_.trace.push_back(TraceEvent{sim_.now(), w, kind, version_});
}

void Schedule::start_round(int w, bool pull) {
    if (sim_.stopped()) return;
    Worker& s = workers_[w];
    HETSIM_ASSERT(s.phase == Phase::idle, "worker {} starts a round while busy", w);
    const int planned = s.stats.local_steps;
    s.round = RoundInfo{w, s.next_round++, version_,
                        hooks_ ? hooks_->plan_inner_steps(w, planned) : planned};
    HETSIM_ASSERT(s.round.inner_steps >= 1, "worker {} planned {} inner steps", w,
                  s.round.inner_steps);
    s.round_bytes = 0;
    s.round_compute = Time{0};
    if (hooks_) hooks_->round_started(s.round);
    if (!pull) {
        pull_done(w);
        return;
    }
    trace(w, TraceKind::pull_start);
    set_phase(w, Phase::pulling);
    s.round_bytes += spec_.model_bytes;
    s.phase_end = network_.pull_arrival(w, spec_.model_bytes, sim_.now());
    if (s.phase_end == sim_.now()) {
        pull_done(w);
        return;
    }
    s.in_flight = sim_.schedule_at(s.phase_end, [this, w] { pull_done(w); });
    on_prediction_changed(w);
}

void Schedule::pull_done(int w) {
    Worker& s = workers_[w];
    if (s.phase == Phase::pulling) trace(w, TraceKind::pull_end);
    trace(w, TraceKind::compute_start);
    set_phase(w, Phase::computing);
    s.compute_started = sim_.now();
    s.phase_end = world_timeline_.compute_end(w, sim_.now(),
                                              compute_.round_time(w, s.round.inner_steps));
    s.in_flight =
        sim_.schedule_at(s.phase_end, [this, w] { compute_done(w); }, worker_priority(w));
    on_prediction_changed(w);
}

void Schedule::compute_done(int w) {
    Worker& s = workers_[w];
    s.round_compute = sim_.now() - s.compute_started;
    trace(w, TraceKind::compute_end);
    set_phase(w, Phase::idle);
    on_compute_done(w);
}

void Schedule::result_needed(int w) {
    if (hooks_) hooks_->result_needed(workers_[w].round);
}

void Schedule::start_push(int w) {
    Worker& s = workers_[w];
    result_needed(w);
    trace(w, TraceKind::push_start);
    set_phase(w, Phase::pushing);
    s.round_bytes += spec_.model_bytes;
    s.phase_end = network_.push_arrival(w, spec_.model_bytes, sim_.now());
    if (s.phase_end == sim_.now()) {
        push_done(w);
        return;
    }
    s.in_flight = sim_.schedule_at(s.phase_end, [this, w] { push_done(w); }, worker_priority(w));
    on_prediction_changed(w);
}

void Schedule::push_done(int w) {
    trace(w, TraceKind::push_end);
    set_phase(w, Phase::idle);
    on_push_arrived(w);
}

Time Schedule::predicted_arrival(int w) const {
    const Worker& s = workers_[w];
    switch (s.phase) {
    case Phase::pulling: return s.phase_end;  // compute time unknown yet: a lower bound
    case Phase::computing:
        return s.phase_end + network_.push_time_unqueued(w, spec_.model_bytes, s.phase_end);
    case Phase::pushing: return s.phase_end;
    default: return kNever;
    }
}

Schedule::PendingUpdate Schedule::take_update(int w) const {
    return PendingUpdate{workers_[w].round, workers_[w].round_bytes};
}

void Schedule::abort_round(int w, TraceKind why) {
    Worker& s = workers_[w];
    sim_.cancel(s.in_flight);
    if (s.phase == Phase::computing) s.round_compute = sim_.now() - s.compute_started;
    WorkerStats& stats = workers_[w].stats;
    stats.lost_compute += s.round_compute;
    ++stats.rounds_lost;
    if (hooks_) hooks_->round_lost(s.round);
    trace(w, why);
    // A worker that is already down (its finished result dies with it) stays down.
    if (s.phase != Phase::down) set_phase(w, Phase::idle);
}

bool Schedule::discard_update(int w) {
    if (drop_streams_.empty()) return false;
    // One draw per delivered update, from w's own stream: whether w's k-th update is dropped
    // does not depend on what other workers do.
    if (drop_streams_[static_cast<std::size_t>(w)].uniform01() >= spec_.algorithm.drop_probability)
        return false;
    Worker& s = workers_[w];
    ++s.stats.updates_dropped;
    if (hooks_) hooks_->round_lost(s.round);
    trace(w, TraceKind::discard);
    return true;
}

void Schedule::apply_step(std::span<const PendingUpdate> batch) {
    if (batch.empty()) return;
    const std::size_t first = result_.updates.size();
    for (const PendingUpdate& p : batch) {
        UpdateRecord r;
        r.time = sim_.now();
        r.worker = p.round.worker;
        r.round = p.round.round;
        r.version_pulled = p.round.version;
        r.version_applied = version_;
        r.staleness = version_ - p.round.version;
        r.inner_steps = p.round.inner_steps;
        r.bytes = p.bytes;
        result_.updates.push_back(r);
    }
    const std::span<UpdateRecord> applied(result_.updates.data() + first, batch.size());
    if (hooks_) hooks_->apply(applied);
    ++version_;
    for (const UpdateRecord& r : applied) {
        WorkerStats& stats = workers_[r.worker].stats;
        ++stats.updates;
        stats.inner_steps += r.inner_steps;
        result_.inner_steps += r.inner_steps;
        trace(r.worker, TraceKind::apply);
    }
    if (progress_) progress_({sim_.now(), version_, result_.inner_steps});
    check_stop();
}

void Schedule::check_stop() {
    const StopSpec& stop = spec_.stop;
    if (stop.server_updates && version_ >= *stop.server_updates)
        result_.stop_reason = "server_updates";
    else if (stop.inner_steps && result_.inner_steps >= *stop.inner_steps)
        result_.stop_reason = "inner_steps";
    else
        return;
    sim_.stop();
}

void Schedule::schedule_failure(int w) {
    const Failure f = failures_.next_failure(w, sim_.now());
    if (f.at == kNever) return;
    workers_[w].next_downtime = f.downtime;
    workers_[w].failure = sim_.schedule_at(f.at, [this, w] { fail(w); });
}

void Schedule::schedule_preemption(int w) {
    const Failure p = failures_.next_preemption(w, sim_.now());
    if (p.at == kNever) return;
    away_[w].next_preemption_delay = p.downtime;
    away_[w].preemption = sim_.schedule_at(p.at, [this, w] { preempt(w); });
}

bool Schedule::up(int w) const {
    const Away& a = away_[w];
    return !a.failed && !a.preempted && !a.left;
}

// A worker goes down for its first reason (fail, preempt, leave); the next failure and
// preemption are put aside (the failure model keeps them) until it is up again.
void Schedule::go_down(int w) {
    const Phase was = workers_[w].phase;
    sim_.cancel(workers_[w].failure);
    sim_.cancel(away_[w].preemption);
    if (was == Phase::pulling || was == Phase::computing || was == Phase::pushing ||
        was == Phase::allreducing)
        abort_round(w, TraceKind::lost);
    set_phase(w, Phase::down);
    if (away_[w].left)
        on_left(w, was);
    else
        on_failed(w, was);
}

void Schedule::come_up(int w) {
    set_phase(w, Phase::idle);
    schedule_failure(w);
    schedule_preemption(w);
    on_recovered(w);
}

void Schedule::fail(int w) {
    Worker& s = workers_[w];
    failures_.fired(w);
    ++s.stats.failures;
    trace(w, TraceKind::fail);
    away_[w].failed = true;
    sim_.schedule_after(s.next_downtime, [this, w] { recover(w); });
    go_down(w);
}

void Schedule::recover(int w) {
    trace(w, TraceKind::recover);
    away_[w].failed = false;
    if (up(w)) come_up(w);
}

void Schedule::preempt(int w) {
    failures_.preempted(w);
    ++workers_[w].stats.preemptions;
    trace(w, TraceKind::preempt);
    away_[w].preempted = true;
    sim_.schedule_after(away_[w].next_preemption_delay, [this, w] { resume(w); });
    go_down(w);
}

void Schedule::resume(int w) {
    trace(w, TraceKind::resume);
    away_[w].preempted = false;
    if (up(w)) come_up(w);
}

void Schedule::leave(int w) {
    Away& a = away_[w];
    if (a.left) return;
    ++workers_[w].stats.leaves;
    trace(w, TraceKind::leave);
    const bool was_up = up(w);
    a.left = true;
    if (was_up)
        go_down(w);
    else
        on_left(w, Phase::down);  // already away: whoever waits for it stops waiting
}

void Schedule::join(int w) {
    Away& a = away_[w];
    if (!a.left) return;
    trace(w, TraceKind::join);
    a.left = false;
    if (up(w)) come_up(w);
}

void Schedule::apply_event(const WorldEvent& e) {
    if (e.kind == WorldEventKind::leave)
        for (const int w : e.workers) leave(w);
    else if (e.kind == WorldEventKind::join)
        for (const int w : e.workers) join(w);
}

// Leaves and joins become simulator events (speed, link and outage events are read by the
// timing models directly). Those at time 0 act before the first rounds start, so a worker
// that leaves at 0 never starts. Same-instant events act in the order given.
void Schedule::schedule_timeline() {
    std::vector<const WorldEvent*> events;
    for (const WorldEvent& e : spec_.timeline.events)
        if (e.kind == WorldEventKind::leave || e.kind == WorldEventKind::join) events.push_back(&e);
    std::stable_sort(events.begin(), events.end(),
                     [](const WorldEvent* a, const WorldEvent* b) { return a->at < b->at; });
    for (const WorldEvent* e : events) {
        if (e->at == Time{0})
            apply_event(*e);
        else
            sim_.schedule_at(e->at, [this, e] { apply_event(*e); });
    }
}

}  // namespace hetsim::sim
