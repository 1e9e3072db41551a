#pragma once
// How long transfers take. A transfer of b bytes over a link takes latency + b / bandwidth.
// With a shared server link, transfers to the server queue FIFO on it (and, separately,
// transfers from the server): each waits for the previous one to finish. With a timeline, a
// transfer uses its link as it is when the transfer starts (link events), and no transfer ends
// at the server during a server outage: one that would end inside it ends when it does, and a
// pull asked for during an outage starts when it ends.

#include "sim/timeline.hpp"
#include "sim/world.hpp"

#include <span>
#include <vector>

namespace hetsim::sim {

class NetworkModel {
public:
    /// `timeline` (may be null: a static world) must outlive the model.
    explicit NetworkModel(const WorldSpec& spec, const WorldTimeline* timeline = nullptr);

    /// latency + bytes / bandwidth, exactly (serialisation rounded to the nearest ns).
    static Time transfer_time(std::int64_t bytes, Time latency, Bandwidth bandwidth);

    /// Arrival time at the server of worker w's push of `bytes` started at `now`; reserves the
    /// server's ingress link when it is shared.
    Time push_arrival(int w, std::int64_t bytes, Time now);
    /// Arrival time at worker w of a pull of `bytes` started at `now`; reserves the server's
    /// egress link when it is shared.
    Time pull_arrival(int w, std::int64_t bytes, Time now);
    /// A push's duration if it started at `at` and the server link were free and up (a lower
    /// bound of push_arrival - at).
    Time push_time_unqueued(int w, std::int64_t bytes, Time at = Time{0}) const;

    /// Ring all-reduce of `bytes` among `workers`: 2(K-1)/K x bytes / bandwidth +
    /// 2(K-1) x latency, with the slowest participant's bandwidth and the largest latency (the
    /// links as they are at `at`).
    Time ring_allreduce_time(std::span<const int> workers, std::int64_t bytes,
                             Time at = Time{0}) const;
    /// Bytes each worker sends (and receives) in a ring all-reduce of `bytes` among k workers.
    static std::int64_t ring_bytes_per_worker(std::int64_t bytes, int k);

private:
    static Time queue(Time& free, Time at, Time duration);
    Bandwidth up_rate(int w) const;
    Bandwidth down_rate(int w) const;
    // Worker w's link at time t, after link events.
    Time latency_at(int w, Time t) const;
    Bandwidth scaled(Bandwidth rate, int w, Time t) const;
    Time pull_time(int w, std::int64_t bytes, Time at) const;

    const WorldSpec& spec_;
    const WorldTimeline* timeline_;
    // Unqueued durations of a model-sized pull and push per worker, computed once: the hot path
    // of a simulation with thousands of workers should not recompute them every round.
    std::vector<Time> model_pull_;
    std::vector<Time> model_push_;
    Time ingress_free_{0};
    Time egress_free_{0};
};

}  // namespace hetsim::sim
