#include "analysis/summary.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace hetsim::analysis {

RunSummary summarise(const sim::RunResult& result) {
    RunSummary s;
    s.virtual_time_s = sim::to_seconds(result.end_time);
    s.server_updates = result.server_version;
    s.updates_applied = static_cast<std::int64_t>(result.updates.size());
    s.inner_steps = result.inner_steps;
    s.events = result.events;
    s.stop_reason = result.stop_reason;
    double staleness_sum = 0;
    for (const sim::UpdateRecord& u : result.updates) {
        staleness_sum += static_cast<double>(u.staleness);
        s.staleness_max = std::max(s.staleness_max, u.staleness);
        s.bytes += u.bytes;
    }
    if (!result.updates.empty()) staleness_sum /= static_cast<double>(result.updates.size());
    s.staleness_mean = staleness_sum;
    s.utilisation_min = 1.0;
    double utilisation_sum = 0;
    for (std::size_t w = 0; w < result.workers.size(); ++w) {
        const sim::WorkerStats& ws = result.workers[w];
        const double u = s.virtual_time_s > 0 ? sim::to_seconds(ws.compute) / s.virtual_time_s : 0;
        utilisation_sum += u;
        if (u < s.utilisation_min) s.utilisation_min = u, s.utilisation_min_worker = int(w);
        if (u > s.utilisation_max) s.utilisation_max = u, s.utilisation_max_worker = int(w);
        s.rounds_lost += ws.rounds_lost;
        s.failures += ws.failures;
    }
    if (!result.workers.empty())
        s.utilisation_mean = utilisation_sum / static_cast<double>(result.workers.size());
    return s;
}

std::string format_summary(const RunSummary& s) {
    std::string out;
    auto line = [&out](const char* label, const std::string& value) {
        out += fmt::format("  {:<16}{}\n", label, value);
    };
    line("virtual time", fmt::format("{:.3f} s ({:.2f} h), stopped by {}", s.virtual_time_s,
                                     s.virtual_time_s / 3600, s.stop_reason));
    line("server updates", fmt::format("{}", s.server_updates));
    line("worker updates", fmt::format("{} ({} inner steps)", s.updates_applied, s.inner_steps));
    line("staleness", fmt::format("mean {:.2f}, max {}", s.staleness_mean, s.staleness_max));
    line("utilisation", fmt::format("mean {:.1f}%, min {:.1f}% (worker {}), max {:.1f}% (worker {})",
                                    100 * s.utilisation_mean, 100 * s.utilisation_min,
                                    s.utilisation_min_worker, 100 * s.utilisation_max,
                                    s.utilisation_max_worker));
    line("communication", fmt::format("{:.3f} GB", static_cast<double>(s.bytes) * 1e-9));
    if (s.failures > 0)
        line("failures", fmt::format("{} ({} rounds lost)", s.failures, s.rounds_lost));
    return out;
}

}  // namespace hetsim::analysis
