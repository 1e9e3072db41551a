#include "engine/shard_sampler.hpp"

#include "sim/error.hpp"

#include <algorithm>
#include <numeric>

namespace hetsim::engine {

ShardSampler::ShardSampler(std::string policy, std::vector<std::int64_t> shard_examples,
                           int workers, std::uint64_t seed, std::vector<int> fixed_shards)
    : policy_(std::move(policy)),
      sizes_(std::move(shard_examples)),
      reserved_(sizes_.size(), 0),
      visits_(sizes_.size(), 0),
      fixed_(std::move(fixed_shards)) {
    for (const int s : fixed_)
        HETSIM_CHECK(s < static_cast<int>(sizes_.size()),
                     "workers.group.shards: shard {} of {} shards", s, sizes_.size());
    HETSIM_CHECK(!sizes_.empty(), "data: no shards to train on");
    HETSIM_CHECK(policy_ == "fixed" || policy_ == "balanced" || policy_ == "least-visited",
                 "data.assignment: expected fixed, balanced or least-visited, found {}", policy_);
    rng_.reserve(static_cast<std::size_t>(workers));
    // Purpose::data streams of workers >= 1,000,000 are kept apart from the data layer's own
    // per-shard streams by the offset.
    for (int w = 0; w < workers; ++w)
        rng_.push_back(sim::make_stream(seed, 1'000'000 + w, sim::Purpose::data));
}

DataRange ShardSampler::reserve(int worker, int steps, int batch) {
    int shard = 0;
    if (policy_ == "fixed" && static_cast<std::size_t>(worker) < fixed_.size() &&
        fixed_[static_cast<std::size_t>(worker)] >= 0)
        shard = fixed_[static_cast<std::size_t>(worker)];
    else if (policy_ == "fixed")
        shard = worker % static_cast<int>(sizes_.size());
    else if (policy_ == "balanced")
        shard = choose_balanced(worker);
    else
        shard = choose_least_visited(worker);
    const std::int64_t count = static_cast<std::int64_t>(steps) * batch;
    DataRange range{shard, reserved_[shard], steps, batch};
    reserved_[shard] += count;
    ++visits_[shard];
    return range;
}

int ShardSampler::choose_balanced(int worker) {
    // Liu et al. 2024, Eq. 2: p_i proportional to max(|D_i| / sum|D| - n_i / sum n, 0), with n
    // the examples taken from each shard so far (counted at reservation, so that rounds in
    // flight count and concurrent workers do not pile onto one shard).
    const double total_size = std::accumulate(sizes_.begin(), sizes_.end(), 0.0);
    const double total_taken = std::accumulate(reserved_.begin(), reserved_.end(), 0.0);
    std::vector<double> weight(sizes_.size());
    for (std::size_t i = 0; i < sizes_.size(); ++i) {
        const double share = static_cast<double>(sizes_[i]) / total_size;
        const double taken = total_taken > 0 ? static_cast<double>(reserved_[i]) / total_taken : 0;
        weight[i] = std::max(share - taken, 0.0);
    }
    double sum = std::accumulate(weight.begin(), weight.end(), 0.0);
    if (sum <= 0) {  // every shard exactly at its share: fall back to the sizes
        for (std::size_t i = 0; i < sizes_.size(); ++i) weight[i] = static_cast<double>(sizes_[i]);
        sum = total_size;
    }
    double u = rng_[static_cast<std::size_t>(worker)].uniform01() * sum;
    for (std::size_t i = 0; i < weight.size(); ++i) {
        if (u < weight[i]) return static_cast<int>(i);
        u -= weight[i];
    }
    // Rounding left u just above the last non-zero weight: take that shard.
    for (std::size_t i = weight.size(); i-- > 0;)
        if (weight[i] > 0) return static_cast<int>(i);
    return 0;
}

int ShardSampler::choose_least_visited(int worker) {
    const std::int64_t least = *std::min_element(visits_.begin(), visits_.end());
    std::vector<int> candidates;
    for (std::size_t i = 0; i < visits_.size(); ++i)
        if (visits_[i] == least) candidates.push_back(static_cast<int>(i));
    const auto pick = static_cast<std::size_t>(rng_[static_cast<std::size_t>(worker)].uniform01() *
                                               static_cast<double>(candidates.size()));
    return candidates[std::min(pick, candidates.size() - 1)];
}

}  // namespace hetsim::engine
