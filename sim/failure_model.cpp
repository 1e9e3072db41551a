#include "sim/failure_model.hpp"

#include <boost/random/exponential_distribution.hpp>

#include <algorithm>
#include <cmath>

namespace hetsim::sim {

FailureModel::FailureModel(const WorldSpec& spec) : spec_(spec) {
    const int k = static_cast<int>(spec.workers.size());
    state_.reserve(k);
    for (int w = 0; w < k; ++w) {
        State s{make_stream(spec.seed, w, Purpose::failure),
                make_stream(spec.seed, w, Purpose::downtime),
                kNever,
                spec.workers[w].failures.scripted,
                0,
                std::nullopt,
                make_stream(spec.seed, w, Purpose::preemption),
                make_stream(spec.seed, w, Purpose::preemption_delay),
                std::nullopt};
        std::stable_sort(s.scripted.begin(), s.scripted.end(),
                         [](const auto& a, const auto& b) { return a.at < b.at; });
        state_.push_back(std::move(s));
    }
}

Time FailureModel::draw_downtime(int w) {
    const double seconds = spec_.workers[w].failures.downtime_s.sample(state_[w].downtime);
    return Time{static_cast<std::int64_t>(std::llround(seconds * 1e9))};
}

namespace {
// An exponential time after `from` with mean `mean`, clamped below kNever.
Time exponential_after(Time from, Time mean, Rng& rng) {
    const double mean_s = to_seconds(mean);
    const double ttf_s = boost::random::exponential_distribution<double>(1.0 / mean_s)(rng);
    const double ns = std::min(ttf_s * 1e9, 9.0e18 - static_cast<double>(from.count()));
    return from + Time{static_cast<std::int64_t>(ns)};
}
}  // namespace

Failure FailureModel::next_preemption(int w, Time from) {
    const PreemptionSpec& spec = spec_.workers[w].preemption;
    State& s = state_[w];
    if (!spec.mean_interval) return Failure{};
    // Memoryless, so a preemption that fell while the worker was away is simply redrawn.
    if (s.preemption && s.preemption->at >= from) return *s.preemption;
    const Time at = exponential_after(from, *spec.mean_interval, s.to_preemption);
    const double seconds = spec.delay_s.sample(s.preemption_delay);
    s.preemption = Failure{at, Time{static_cast<std::int64_t>(std::llround(seconds * 1e9))}};
    return *s.preemption;
}

Failure FailureModel::next_failure(int w, Time from) {
    State& s = state_[w];
    if (s.handed_out && s.handed_out->at >= from) return *s.handed_out;
    s.handed_out = draw_failure(w, from);
    return *s.handed_out;
}

Failure FailureModel::draw_failure(int w, Time from) {
    const FailureSpec& spec = spec_.workers[w].failures;
    State& s = state_[w];
    const std::vector<ScriptedFailure>& scripted = s.scripted;
    if (spec.mtbf && s.next_random < from) s.next_random = kNever;
    if (spec.mtbf && s.next_random == kNever) {
        // Exponential times to failure are memoryless, so redrawing from `from` is exact.
        s.next_random = exponential_after(from, *spec.mtbf, s.time_to_failure);
    }
    while (s.next_scripted < scripted.size() && scripted[s.next_scripted].at < from)
        ++s.next_scripted;
    const bool scripted_first = s.next_scripted < scripted.size() &&
                                scripted[s.next_scripted].at <= s.next_random;
    if (scripted_first) {
        const ScriptedFailure& f = scripted[s.next_scripted++];
        return Failure{f.at, f.downtime};
    }
    if (s.next_random == kNever) return Failure{};
    const Failure out{s.next_random, draw_downtime(w)};
    s.next_random = kNever;
    return out;
}

}  // namespace hetsim::sim
