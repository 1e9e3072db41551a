#include "sim/async_schedule.hpp"

#include <algorithm>

namespace hetsim::sim {

AsyncSchedule::AsyncSchedule(const WorldSpec& spec, TrainerHooks* hooks, const RecordOptions& record)
    : Schedule(spec, hooks, record), is_member_(spec.workers.size(), false) {}

void AsyncSchedule::start() {
    for (int w = 0; w < worker_count(); ++w)
        if (phase(w) == Phase::idle) start_round(w);  // not those out of the pool at time 0
}

void AsyncSchedule::on_push_arrived(int w) {
    if (discard_update(w)) {
        // Dropped at the server: no step; the worker pulls again at once, outside any window.
        start_round(w);
        return;
    }
    const PendingUpdate update = take_update(w);
    if (spec_.algorithm.grace_period == Time{0}) {
        apply_step({&update, 1});
        start_round(w);
        return;
    }
    if (!window_open_) {
        window_open_ = true;
        deadline_ = sim_.now() + spec_.algorithm.grace_period;
        deadline_event_ = sim_.schedule_at(deadline_, [this] { close_window(); }, kLastPriority);
    }
    apply_step({&update, 1});
    members_.push_back(w);
    is_member_[w] = true;
    maybe_close_window();
}

void AsyncSchedule::on_prediction_changed(int w) {
    (void)w;
    if (window_open_) maybe_close_window();
}

void AsyncSchedule::on_failed(int w, Phase was) {
    (void)was;
    if (!window_open_) return;
    if (is_member_[w]) {
        is_member_[w] = false;
        members_.erase(std::find(members_.begin(), members_.end(), w));
    }
    maybe_close_window();
}

void AsyncSchedule::maybe_close_window() {
    for (int x = 0; x < worker_count(); ++x)
        if (!is_member_[x] && predicted_arrival(x) <= deadline_) return;
    close_window();
}

void AsyncSchedule::close_window() {
    if (!window_open_) return;
    window_open_ = false;
    sim_.cancel(deadline_event_);
    std::vector<int> restart;
    restart.swap(members_);
    for (const int m : restart) is_member_[m] = false;
    for (const int m : restart) start_round(m);
}

FedBuffSchedule::FedBuffSchedule(const WorldSpec& spec, TrainerHooks* hooks, const RecordOptions& record)
    : Schedule(spec, hooks, record) {
    buffer_.reserve(static_cast<std::size_t>(spec.algorithm.buffer));
}

void FedBuffSchedule::start() {
    for (int w = 0; w < worker_count(); ++w)
        if (phase(w) == Phase::idle) start_round(w);
}

void FedBuffSchedule::on_push_arrived(int w) {
    if (discard_update(w)) {
        start_round(w);  // dropped at the server: it never enters the buffer
        return;
    }
    buffer_.push_back(take_update(w));
    if (static_cast<int>(buffer_.size()) >= spec_.algorithm.buffer) {
        apply_step(buffer_);
        buffer_.clear();
    }
    start_round(w);
}

}  // namespace hetsim::sim
