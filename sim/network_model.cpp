#include "sim/network_model.hpp"

#include <algorithm>

namespace hetsim::sim {

namespace {
Bandwidth slower(Bandwidth a, Bandwidth b) {
    return a.bits_per_second <= b.bits_per_second ? a : b;
}
}  // namespace

NetworkModel::NetworkModel(const WorldSpec& spec, const WorldTimeline* timeline)
    : spec_(spec), timeline_(timeline) {
    const int k = static_cast<int>(spec.workers.size());
    model_pull_.reserve(k);
    model_push_.reserve(k);
    for (int w = 0; w < k; ++w) {
        model_pull_.push_back(transfer_time(spec.model_bytes, spec.workers[w].link.latency, down_rate(w)));
        model_push_.push_back(transfer_time(spec.model_bytes, spec.workers[w].link.latency, up_rate(w)));
    }
}

Time NetworkModel::transfer_time(std::int64_t bytes, Time latency, Bandwidth bandwidth) {
    return latency + serialisation_time(bytes, bandwidth);
}

Bandwidth NetworkModel::up_rate(int w) const {
    const Bandwidth link = spec_.workers[w].link.up;
    return spec_.network.shared_server_link ? slower(link, spec_.network.server_bandwidth) : link;
}

Bandwidth NetworkModel::down_rate(int w) const {
    const Bandwidth link = spec_.workers[w].link.down;
    return spec_.network.shared_server_link ? slower(link, spec_.network.server_bandwidth) : link;
}

Time NetworkModel::latency_at(int w, Time t) const {
    return timeline_->latency(w, t).value_or(spec_.workers[w].link.latency);
}

Bandwidth NetworkModel::scaled(Bandwidth rate, int w, Time t) const {
    if (rate.unlimited()) return rate;
    return Bandwidth{rate.bits_per_second * timeline_->bandwidth_factor(w, t)};
}

Time NetworkModel::push_time_unqueued(int w, std::int64_t bytes, Time at) const {
    if (timeline_ && timeline_->link_varies(w))
        return transfer_time(bytes, latency_at(w, at), scaled(up_rate(w), w, at));
    if (bytes == spec_.model_bytes) return model_push_[w];
    return transfer_time(bytes, spec_.workers[w].link.latency, up_rate(w));
}

Time NetworkModel::pull_time(int w, std::int64_t bytes, Time at) const {
    if (timeline_ && timeline_->link_varies(w))
        return transfer_time(bytes, latency_at(w, at), scaled(down_rate(w), w, at));
    if (bytes == spec_.model_bytes) return model_pull_[w];
    return transfer_time(bytes, spec_.workers[w].link.latency, down_rate(w));
}

// A transfer of `duration` asked for at `at` on a FIFO link free from `free`: it starts when
// both allow, holds the link until it ends, and returns that end.
Time NetworkModel::queue(Time& free, Time at, Time duration) {
    free = std::max(at, free) + duration;
    return free;
}

Time NetworkModel::push_arrival(int w, std::int64_t bytes, Time now) {
    const Time duration = push_time_unqueued(w, bytes, now);
    // FIFO on the server's ingress when shared: the transfer holds the link for its duration.
    const Time end = spec_.network.shared_server_link ? queue(ingress_free_, now, duration)
                                                      : now + duration;
    return timeline_ ? timeline_->server_available(end) : end;
}

Time NetworkModel::pull_arrival(int w, std::int64_t bytes, Time now) {
    // The server sends nothing during an outage: a pull asked for then starts when it ends.
    const Time asked = timeline_ ? timeline_->server_available(now) : now;
    const Time duration = pull_time(w, bytes, asked);
    const Time end = spec_.network.shared_server_link ? queue(egress_free_, asked, duration)
                                                      : asked + duration;
    return timeline_ ? timeline_->server_available(end) : end;
}

std::int64_t NetworkModel::ring_bytes_per_worker(std::int64_t bytes, int k) {
    if (k <= 1) return 0;
    return 2 * (k - 1) * bytes / k;
}

Time NetworkModel::ring_allreduce_time(std::span<const int> workers, std::int64_t bytes,
                                       Time at) const {
    const auto k = static_cast<std::int64_t>(workers.size());
    if (k <= 1) return Time{0};
    Bandwidth rate;
    Time latency{0};
    for (const int w : workers) {
        const LinkSpec& link = spec_.workers[w].link;
        Bandwidth own = slower(link.up, link.down);
        Time own_latency = link.latency;
        if (timeline_ && timeline_->link_varies(w)) {
            own = scaled(own, w, at);
            own_latency = latency_at(w, at);
        }
        rate = slower(rate, own);
        latency = std::max(latency, own_latency);
    }
    // Each of the 2(K-1) ring steps moves bytes/K over every link and pays one latency.
    const std::int64_t moved = ring_bytes_per_worker(bytes, static_cast<int>(k));
    return serialisation_time(moved, rate) + 2 * (k - 1) * latency;
}

}  // namespace hetsim::sim
