#include "sim/network_model.hpp"

#include <algorithm>

namespace hetsim::sim {

namespace {
Bandwidth slower(Bandwidth a, Bandwidth b) {
    return a.bits_per_second <= b.bits_per_second ? a : b;
}
}  // namespace

NetworkModel::NetworkModel(const WorldSpec& spec) : spec_(spec) {
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

Time NetworkModel::push_time_unqueued(int w, std::int64_t bytes) const {
    if (bytes == spec_.model_bytes) return model_push_[w];
    return transfer_time(bytes, spec_.workers[w].link.latency, up_rate(w));
}

Time NetworkModel::push_arrival(int w, std::int64_t bytes, Time now) {
    const Time duration = push_time_unqueued(w, bytes);
    if (!spec_.network.shared_server_link) return now + duration;
    // FIFO on the server's ingress: the transfer holds the link for its whole duration.
    const Time start = std::max(now, ingress_free_);
    ingress_free_ = start + duration;
    return ingress_free_;
}

Time NetworkModel::pull_arrival(int w, std::int64_t bytes, Time now) {
    const Time duration = bytes == spec_.model_bytes
                              ? model_pull_[w]
                              : transfer_time(bytes, spec_.workers[w].link.latency, down_rate(w));
    if (!spec_.network.shared_server_link) return now + duration;
    const Time start = std::max(now, egress_free_);
    egress_free_ = start + duration;
    return egress_free_;
}

std::int64_t NetworkModel::ring_bytes_per_worker(std::int64_t bytes, int k) {
    if (k <= 1) return 0;
    return 2 * (k - 1) * bytes / k;
}

Time NetworkModel::ring_allreduce_time(std::span<const int> workers, std::int64_t bytes) const {
    const auto k = static_cast<std::int64_t>(workers.size());
    if (k <= 1) return Time{0};
    Bandwidth rate;
    Time latency{0};
    for (const int w : workers) {
        const LinkSpec& link = spec_.workers[w].link;
        rate = slower(rate, slower(link.up, link.down));
        latency = std::max(latency, link.latency);
    }
    // Each of the 2(K-1) ring steps moves bytes/K over every link and pays one latency.
    const std::int64_t moved = ring_bytes_per_worker(bytes, static_cast<int>(k));
    return serialisation_time(moved, rate) + 2 * (k - 1) * latency;
}

}  // namespace hetsim::sim
