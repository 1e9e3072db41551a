#include "analysis/plot_data.hpp"

#include <algorithm>
#include <cmath>
#include <map>

namespace hetsim::analysis {

double interpolate(const std::vector<EvalPoint>& evals, Metric metric, Axis axis, double x) {
    for (std::size_t i = 0; i < evals.size(); ++i) {
        const double xi = axis_value(evals[i], axis);
        if (xi < x) continue;
        if (xi == x || i == 0) return metric_value(evals[i], metric);
        const double x0 = axis_value(evals[i - 1], axis);
        const double v0 = metric_value(evals[i - 1], metric);
        const double v1 = metric_value(evals[i], metric);
        return v0 + (v1 - v0) * (x - x0) / (xi - x0);
    }
    return evals.empty() ? 0.0 : metric_value(evals.back(), metric);
}

std::vector<CurvePoint> mean_curve(const std::vector<const RunData*>& runs, Metric metric,
                                   Axis axis) {
    std::vector<CurvePoint> out;
    std::vector<const RunData*> with_evals;
    for (const RunData* r : runs)
        if (!r->evals.empty()) with_evals.push_back(r);
    if (with_evals.empty() || metric == Metric::none) return out;
    if (with_evals.size() == 1) {
        for (const EvalPoint& p : with_evals[0]->evals) {
            const double v = metric_value(p, metric);
            out.push_back({axis_value(p, axis), v, v, v});
        }
        return out;
    }
    // Seeds evaluate at different x (updates, steps, the final evaluation), so compare them
    // on the union of their x values, inside the range every seed covers.
    double lo = -INFINITY, hi = INFINITY;
    std::vector<double> xs;
    for (const RunData* r : with_evals) {
        lo = std::max(lo, axis_value(r->evals.front(), axis));
        hi = std::min(hi, axis_value(r->evals.back(), axis));
        for (const EvalPoint& p : r->evals) xs.push_back(axis_value(p, axis));
    }
    std::sort(xs.begin(), xs.end());
    xs.erase(std::unique(xs.begin(), xs.end()), xs.end());
    for (double x : xs) {
        if (x < lo || x > hi) continue;
        CurvePoint c{x, 0, INFINITY, -INFINITY};
        for (const RunData* r : with_evals) {
            const double v = interpolate(r->evals, metric, axis, x);
            c.mean += v;
            c.min = std::min(c.min, v);
            c.max = std::max(c.max, v);
        }
        c.mean /= static_cast<double>(with_evals.size());
        out.push_back(c);
    }
    return out;
}

std::vector<std::pair<std::int64_t, double>> staleness_histogram(
    const std::vector<const RunData*>& runs) {
    std::map<std::int64_t, std::int64_t> counts;
    std::int64_t total = 0;
    for (const RunData* r : runs)
        for (const UpdateRow& u : r->updates) ++counts[u.staleness], ++total;
    std::vector<std::pair<std::int64_t, double>> out;
    for (const auto& [s, n] : counts)
        out.emplace_back(s, static_cast<double>(n) / static_cast<double>(total));
    return out;
}

std::vector<TimelineRow> gantt_rows(const RunData& run,
                                    std::optional<std::pair<double, double>> window) {
    if (!window) return run.timeline;
    const sim::Time t0{static_cast<std::int64_t>(std::llround(window->first * 1e9))};
    const sim::Time t1{static_cast<std::int64_t>(std::llround(window->second * 1e9))};
    std::vector<TimelineRow> out;
    for (TimelineRow r : run.timeline) {
        if (r.end <= t0 || r.start >= t1) continue;
        r.start = std::max(r.start, t0);
        r.end = std::min(r.end, t1);
        out.push_back(r);
    }
    return out;
}

std::vector<double> auto_targets(const Study& study, Metric metric) {
    if (metric == Metric::none) return {};
    const double sign = metric == Metric::perplexity ? 1.0 : -1.0;  // lower is better: +1
    double start = -INFINITY, best = -INFINITY;  // in "sign * value" space: larger is worse
    for (const std::string& label : study.labels) {
        const std::vector<CurvePoint> c = mean_curve(runs_of(study, label), metric, Axis::time);
        if (c.empty()) continue;
        double label_best = INFINITY;
        for (const CurvePoint& p : c)
            if (std::isfinite(p.mean)) label_best = std::min(label_best, sign * p.mean);
        start = std::max(start, sign * c.front().mean);
        best = std::max(best, label_best);
    }
    if (!std::isfinite(start) || !std::isfinite(best) || best >= start) return {};
    std::vector<double> out;
    constexpr int kTargets = 6;
    for (int i = 1; i <= kTargets; ++i) {
        const double f = static_cast<double>(i) / kTargets;
        const double hi = sign * start, lo = sign * best;
        if (i == kTargets) out.push_back(lo);  // exactly: reached by the worst label
        else
            out.push_back(metric == Metric::perplexity && lo > 0 ? hi * std::pow(lo / hi, f)
                                                                 : hi + (lo - hi) * f);
    }
    return out;
}

}  // namespace hetsim::analysis
