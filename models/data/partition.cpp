#include "models/data/partition.hpp"

#include "models/data/data_random.hpp"
#include "sim/error.hpp"

#include <boost/random/gamma_distribution.hpp>
#include <boost/random/uniform_int_distribution.hpp>

#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>

namespace hetsim::models {

std::vector<std::int64_t> even_boundaries(std::int64_t n, int parts) {
    HETSIM_ASSERT(parts > 0 && n >= 0, "n {} parts {}", n, parts);
    std::vector<std::int64_t> bounds(static_cast<std::size_t>(parts) + 1, 0);
    const std::int64_t base = n / parts;
    const std::int64_t extra = n % parts;
    for (int i = 0; i < parts; ++i) bounds[i + 1] = bounds[i] + base + (i < extra ? 1 : 0);
    return bounds;
}

std::int64_t even_boundary(std::int64_t n, int parts, int i) {
    return i * (n / parts) + std::min<std::int64_t>(i, n % parts);
}

std::vector<std::int64_t> apportion(const std::vector<double>& weights, std::int64_t total) {
    std::vector<std::int64_t> counts(weights.size(), 0);
    if (weights.empty()) return counts;
    const double sum = std::accumulate(weights.begin(), weights.end(), 0.0);
    if (!(sum > 0.0)) {
        counts[0] = total;
        return counts;
    }
    std::vector<double> remainder(weights.size());
    std::int64_t given = 0;
    for (std::size_t i = 0; i < weights.size(); ++i) {
        const double exact = weights[i] / sum * static_cast<double>(total);
        counts[i] = std::min(static_cast<std::int64_t>(std::floor(exact)), total - given);
        remainder[i] = exact - static_cast<double>(counts[i]);
        given += counts[i];
    }
    std::vector<std::size_t> order(weights.size());
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::stable_sort(order.begin(), order.end(),
                     [&](std::size_t a, std::size_t b) { return remainder[a] > remainder[b]; });
    for (std::size_t k = 0; given < total; k = (k + 1) % order.size(), ++given) ++counts[order[k]];
    return counts;
}

std::vector<std::vector<std::int64_t>> iid_partition(std::int64_t n, int shards,
                                                     std::uint64_t seed) {
    if (shards > n)
        throw ConfigError(
            fmt::format("data.shards: {} shards but only {} training examples", shards, n));
    sim::Rng rng = data_stream(seed, DataStream::partition, -1);
    const std::vector<std::int64_t> order = shuffled_range(n, rng);
    const std::vector<std::int64_t> bounds = even_boundaries(n, shards);
    std::vector<std::vector<std::int64_t>> out(static_cast<std::size_t>(shards));
    for (int s = 0; s < shards; ++s) {
        out[s].assign(order.begin() + bounds[s], order.begin() + bounds[s + 1]);
        std::sort(out[s].begin(), out[s].end());
    }
    return out;
}

namespace {

// Dirichlet(alpha) proportions over `shards` from normalised gamma draws.
std::vector<double> dirichlet_draw(int shards, double alpha, sim::Rng& rng) {
    boost::random::gamma_distribution<double> gamma(alpha, 1.0);
    std::vector<double> p(static_cast<std::size_t>(shards));
    for (double& x : p) x = gamma(rng);
    if (std::accumulate(p.begin(), p.end(), 0.0) > 0.0) return p;
    // Every draw underflowed (alpha tiny): the limit of Dir(alpha -> 0) is one random vertex.
    boost::random::uniform_int_distribution<int> pick(0, shards - 1);
    std::fill(p.begin(), p.end(), 0.0);
    p[static_cast<std::size_t>(pick(rng))] = 1.0;
    return p;
}

// Moves one example from the largest shard into each empty shard (lowest index first).
void fill_empty_shards(std::vector<std::vector<std::int64_t>>& shards) {
    for (auto& shard : shards) {
        if (!shard.empty()) continue;
        auto largest =
            std::max_element(shards.begin(), shards.end(),
                             [](const auto& a, const auto& b) { return a.size() < b.size(); });
        shard.push_back(largest->back());
        largest->pop_back();
    }
}

}  // namespace

std::vector<std::vector<std::int64_t>> dirichlet_partition(const std::vector<std::int64_t>& labels,
                                                           int classes, int shards, double alpha,
                                                           std::uint64_t seed) {
    if (!(alpha > 0.0) || !std::isfinite(alpha))
        throw ConfigError(
            fmt::format("data.dirichlet_alpha: expected a positive number, found {}", alpha));
    const auto n = static_cast<std::int64_t>(labels.size());
    if (shards > n)
        throw ConfigError(
            fmt::format("data.shards: {} shards but only {} training examples", shards, n));
    std::vector<std::vector<std::int64_t>> by_class(static_cast<std::size_t>(classes));
    for (std::int64_t i = 0; i < n; ++i) {
        const std::int64_t c = labels[i];
        HETSIM_ASSERT(c >= 0 && c < classes, "label {} outside [0, {})", c, classes);
        by_class[c].push_back(i);
    }
    std::vector<std::vector<std::int64_t>> out(static_cast<std::size_t>(shards));
    for (int c = 0; c < classes; ++c) {
        std::vector<std::int64_t>& members = by_class[c];
        sim::Rng order_rng = data_stream(seed, DataStream::partition, c, 0);
        shuffle_in_place(members, order_rng);
        sim::Rng share_rng = data_stream(seed, DataStream::partition, c, 1);
        const std::vector<std::int64_t> counts = apportion(
            dirichlet_draw(shards, alpha, share_rng), static_cast<std::int64_t>(members.size()));
        auto next = members.begin();
        for (int s = 0; s < shards; ++s) {
            auto& shard = out[s];
            shard.insert(shard.end(), next, next + counts[s]);
            next += counts[s];
        }
    }
    fill_empty_shards(out);
    for (auto& shard : out) std::sort(shard.begin(), shard.end());
    return out;
}

std::vector<bool> held_out_per_group(const std::vector<std::int64_t>& groups, double fraction) {
    std::map<std::int64_t, std::vector<std::int64_t>> members;  // by group, in index order
    for (std::size_t i = 0; i < groups.size(); ++i)
        members[groups[i]].push_back(static_cast<std::int64_t>(i));
    std::vector<bool> held_out(groups.size(), false);
    if (!(fraction > 0.0)) return held_out;
    for (const auto& [group, indices] : members) {
        const auto n = static_cast<std::int64_t>(indices.size());
        auto k = static_cast<std::int64_t>(std::llround(fraction * static_cast<double>(n)));
        k = std::min(std::max<std::int64_t>(k, 1), n - 1);  // keep a training member
        for (std::int64_t pos : evenly_spaced(n, k)) held_out[indices[pos]] = true;
    }
    return held_out;
}

std::vector<std::vector<GroupSlice>> group_partition(const std::vector<std::int64_t>& group_sizes,
                                                     int shards) {
    const int groups = static_cast<int>(group_sizes.size());
    HETSIM_ASSERT(groups > 0 && shards > 0, "groups {} shards {}", groups, shards);
    std::vector<std::vector<GroupSlice>> out(static_cast<std::size_t>(shards));
    if (shards <= groups) {
        std::vector<int> order(static_cast<std::size_t>(groups));
        std::iota(order.begin(), order.end(), 0);
        std::stable_sort(order.begin(), order.end(),
                         [&](int a, int b) { return group_sizes[a] > group_sizes[b]; });
        std::vector<std::int64_t> load(static_cast<std::size_t>(shards), 0);
        for (int g : order) {
            const auto s =
                static_cast<std::size_t>(std::min_element(load.begin(), load.end()) - load.begin());
            load[s] += group_sizes[g];
            out[s].push_back({g, 0, 1});
        }
        return out;
    }
    std::vector<int> parts(static_cast<std::size_t>(groups), 1);
    for (int extra = shards - groups; extra > 0; --extra) {
        std::size_t best = 0;
        for (std::size_t g = 1; g < parts.size(); ++g) {
            // size_g / parts_g > size_best / parts_best, in integers.
            if (group_sizes[g] * parts[best] > group_sizes[best] * parts[g]) best = g;
        }
        ++parts[best];
    }
    std::size_t s = 0;
    for (int g = 0; g < groups; ++g)
        for (int p = 0; p < parts[g]; ++p) out[s++].push_back({g, p, parts[g]});
    return out;
}

}  // namespace hetsim::models
