#include "sim/compute_model.hpp"

#include "sim/error.hpp"

#include <algorithm>

namespace hetsim::sim {

namespace {
__extension__ using Int128 = __int128;  // exact products of step counts and nanoseconds
}  // namespace

ComputeModel::ComputeModel(const WorldSpec& spec) {
    const int k = static_cast<int>(spec.workers.size());
    hot_.reserve(k);
    for (int w = 0; w < k; ++w) {
        const WorkerSpec& worker = spec.workers[w];
        hot_.push_back(Hot{worker.step_time, worker.multiplier, worker.stragglers.probability,
                           worker.stragglers.factor, worker.jitter ? &*worker.jitter : nullptr,
                           make_stream(spec.seed, w, Purpose::jitter),
                           make_stream(spec.seed, w, Purpose::straggler)});
    }
}

Time ComputeModel::expected_step_time(int w) const {
    return scale(hot_[w].step_time, hot_[w].multiplier);
}

Time ComputeModel::round_time(int w, int steps) {
    Hot& h = hot_[w];
    double factor = h.multiplier;
    if (h.jitter) factor *= h.jitter->sample(h.jitter_stream);
    if (h.straggler_probability > 0 && h.straggler_stream.uniform01() < h.straggler_probability)
        factor *= h.straggler_factor;
    return scale(h.step_time * steps, factor);
}

std::vector<int> local_steps(const WorldSpec& spec) {
    const AlgorithmSpec& algo = spec.algorithm;
    const int k = static_cast<int>(spec.workers.size());
    if (algo.kind == ScheduleKind::ddp) return std::vector<int>(k, 1);
    std::vector<int> steps(k, algo.inner_steps);
    if (algo.local_steps != LocalStepPolicy::dylu || k == 0) return steps;
    // v_w / v_max = fastest step time / own step time; integer nanoseconds keep it exact.
    Time fastest = kNever;
    for (const auto& w : spec.workers) fastest = std::min(fastest, w.effective_step_time());
    for (int w = 0; w < k; ++w) {
        const Time own = spec.workers[w].effective_step_time();
        HETSIM_ASSERT(own.count() > 0, "worker {} has a zero step time", w);
        const Int128 h = static_cast<Int128>(algo.inner_steps) * fastest.count() / own.count();
        steps[w] = std::max(algo.dylu_min_steps, static_cast<int>(h));
    }
    return steps;
}

}  // namespace hetsim::sim
