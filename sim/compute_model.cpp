#include "sim/compute_model.hpp"

#include "sim/error.hpp"

#include <algorithm>

namespace hetsim::sim {

namespace {
__extension__ using Int128 = __int128;  // exact products of step counts and nanoseconds
}  // namespace

ComputeModel::ComputeModel(const WorldSpec& spec) : spec_(spec) {
    const int k = static_cast<int>(spec.workers.size());
    jitter_.reserve(k);
    straggler_.reserve(k);
    for (int w = 0; w < k; ++w) {
        jitter_.push_back(make_stream(spec.seed, w, Purpose::jitter));
        straggler_.push_back(make_stream(spec.seed, w, Purpose::straggler));
    }
}

Time ComputeModel::expected_step_time(int w) const {
    return spec_.workers[w].effective_step_time();
}

Time ComputeModel::round_time(int w, int steps) {
    const WorkerSpec& worker = spec_.workers[w];
    double factor = worker.multiplier;
    if (worker.jitter) factor *= worker.jitter->sample(jitter_[w]);
    if (worker.stragglers.probability > 0 &&
        straggler_[w].uniform01() < worker.stragglers.probability)
        factor *= worker.stragglers.factor;
    return scale(worker.step_time * steps, factor);
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
