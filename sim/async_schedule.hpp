#pragma once
// Asynchronous Local-SGD: each worker pulls, does its H_w inner steps and pushes; the server
// applies every update on arrival (version += 1) and the worker pulls again.
//
// Grace period (Liu et al. 2024, Algorithm 2 and Fig. 3): the first apply at time t opens a
// window; every worker whose push arrives by t + grace_period is applied in the same window;
// the workers applied in a window restart together when it closes, from the model after its
// last apply. The window closes as soon as no other worker can still arrive by the deadline
// (known exactly from the compute and transfer times already drawn), so without failures or
// link contention it closes at the time of its last apply; at the latest it closes at the
// deadline. A grace period of 0 means each worker restarts right after its own apply.

#include "sim/schedule.hpp"

namespace hetsim::sim {

class AsyncSchedule final : public Schedule {
public:
    AsyncSchedule(const WorldSpec& spec, TrainerHooks* hooks, const RecordOptions& record);

private:
    void start() override;
    void on_push_arrived(int w) override;
    void on_failed(int w, Phase was) override;
    void on_recovered(int w) override { start_round(w); }
    void on_prediction_changed(int w) override;

    void maybe_close_window();
    void close_window();

    bool window_open_ = false;
    Time deadline_{0};
    EventId deadline_event_;
    std::vector<int> members_;  // applied in the open window, in apply order
    std::vector<bool> is_member_;
};

/// FedBuff (Nguyen et al. 2022): workers push and restart at once; the server takes one step
/// when `buffer` updates have arrived, applying them together.
class FedBuffSchedule final : public Schedule {
public:
    FedBuffSchedule(const WorldSpec& spec, TrainerHooks* hooks, const RecordOptions& record);

private:
    void start() override;
    void on_push_arrived(int w) override;
    void on_recovered(int w) override { start_round(w); }

    std::vector<PendingUpdate> buffer_;
};

}  // namespace hetsim::sim
