#include "sim/sync_schedule.hpp"

#include <algorithm>

namespace hetsim::sim {

SyncSchedule::SyncSchedule(const WorldSpec& spec, TrainerHooks* hooks, const RecordOptions& record)
    : Schedule(spec, hooks, record),
      ring_(spec.algorithm.collective == Collective::ring),
      members_(spec.workers.size()),
      needs_pull_(spec.workers.size(), false) {}

void SyncSchedule::begin_round() {
    if (sim_.stopped()) return;
    participants_.clear();
    pending_.clear();
    for (int w = 0; w < worker_count(); ++w) {
        members_[w] = Member{};
        if (phase(w) == Phase::down) continue;
        members_[w].in = true;
        participants_.push_back(w);
    }
    outstanding_ = static_cast<int>(participants_.size());
    round_open_ = outstanding_ > 0;
    waiting_for_live_ = !round_open_;
    for (const int w : participants_) {
        // In ring mode the model is already everywhere after an all-reduce; only the first
        // round and a worker that came back need a transfer.
        const bool pull = !ring_ || needs_pull_[w];
        needs_pull_[w] = false;
        start_round(w, pull);
    }
}

void SyncSchedule::on_compute_done(int w) {
    if (!ring_) {
        start_push(w);
        return;
    }
    mark_done(w);
}

void SyncSchedule::on_push_arrived(int w) {
    // A dropped update still ends the worker's part of the round: the round averages the
    // others (DiLoCo's dropped outer gradients).
    if (!discard_update(w)) pending_.push_back(take_update(w));
    mark_done(w);
}

void SyncSchedule::mark_done(int w) {
    Member& m = members_[w];
    m.done = true;
    sim_.cancel(m.drop_timer);
    --outstanding_;
    maybe_finish();
}

void SyncSchedule::maybe_finish() {
    if (outstanding_ > 0 || !round_open_) return;
    if (ring_)
        start_allreduce();
    else
        finish_round();
}

void SyncSchedule::start_allreduce() {
    std::vector<int> ready;
    for (const int w : participants_)
        if (members_[w].done && phase(w) == Phase::idle) ready.push_back(w);
    const Time duration = network_.ring_allreduce_time(ready, spec_.model_bytes, sim_.now());
    const std::int64_t bytes =
        2 * NetworkModel::ring_bytes_per_worker(spec_.model_bytes, static_cast<int>(ready.size()));
    for (const int w : ready) {
        result_needed(w);
        add_round_bytes(w, bytes);
        trace(w, TraceKind::allreduce_start);
        set_phase(w, Phase::allreducing);
    }
    allreducing_ = true;
    sim_.schedule_after(duration, [this] { allreduce_done(); });
}

void SyncSchedule::allreduce_done() {
    allreducing_ = false;
    for (const int w : participants_) {
        if (phase(w) != Phase::allreducing) continue;  // failed during the all-reduce
        trace(w, TraceKind::allreduce_end);
        set_phase(w, Phase::idle);
        if (!discard_update(w)) pending_.push_back(take_update(w));
    }
    finish_round();
}

void SyncSchedule::finish_round() {
    round_open_ = false;
    // Every update dropped (or every worker dropped): no server step, the version stays and the
    // next round starts from it.
    apply_step(pending_);
    begin_round();
}

void SyncSchedule::on_failed(int w, Phase was) {
    Member& m = members_[w];
    if (!round_open_ || !m.in || m.dropped) return;
    if (m.done) {
        // A ring worker that computed but had not all-reduced loses its result with it.
        if (ring_ && was == Phase::idle && !allreducing_) abort_round(w, TraceKind::lost);
        return;
    }
    if (spec_.algorithm.drop_failed_after)
        m.drop_timer = sim_.schedule_after(*spec_.algorithm.drop_failed_after,
                                           [this, w] { drop(w); });
}

void SyncSchedule::on_left(int w, Phase was) {
    Member& m = members_[w];
    if (!round_open_ || !m.in || m.dropped) return;
    if (m.done) {
        on_failed(w, was);  // a ring result computed but not all-reduced is lost with it
        return;
    }
    // Out of the pool: the round stops waiting for it at once.
    m.dropped = true;
    sim_.cancel(m.drop_timer);
    --outstanding_;
    maybe_finish();
}

void SyncSchedule::drop(int w) {
    Member& m = members_[w];
    if (!round_open_ || !m.in || m.done || m.dropped) return;
    m.dropped = true;
    const Phase p = phase(w);
    if (p == Phase::pulling || p == Phase::computing || p == Phase::pushing)
        abort_round(w, TraceKind::drop);  // it came back and was redoing its round
    else
        trace(w, TraceKind::drop);
    --outstanding_;
    maybe_finish();
}

void SyncSchedule::on_recovered(int w) {
    needs_pull_[w] = ring_;
    if (waiting_for_live_) {
        begin_round();
        return;
    }
    const Member& m = members_[w];
    if (round_open_ && m.in && !m.done && !m.dropped) {
        needs_pull_[w] = false;
        start_round(w, true);  // redo the round from the round's version
    }
    // Otherwise it waits, idle, for the next round.
}

}  // namespace hetsim::sim
