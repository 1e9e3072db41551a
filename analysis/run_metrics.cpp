#include "analysis/run_metrics.hpp"

#include "sim/error.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace hetsim::analysis {

const char* to_string(Metric m) {
    switch (m) {
    case Metric::perplexity: return "perplexity";
    case Metric::accuracy: return "accuracy";
    case Metric::none: break;
    }
    return "none";
}

Metric metric_of(const RunData& run) {
    if (run.evals.empty()) return Metric::none;
    for (const EvalPoint& p : run.evals)
        if (p.perplexity > 0 || std::isnan(p.perplexity) || std::isinf(p.perplexity))
            return Metric::perplexity;
    return Metric::accuracy;
}

double metric_value(const EvalPoint& p, Metric m) {
    return m == Metric::perplexity ? p.perplexity : p.accuracy;
}

Axis parse_axis(const std::string& text) {
    if (text == "time") return Axis::time;
    if (text == "updates") return Axis::updates;
    if (text == "steps") return Axis::steps;
    throw ConfigError(fmt::format("--x: expected time, updates or steps, found '{}'", text));
}

double axis_value(const EvalPoint& p, Axis axis) {
    switch (axis) {
    case Axis::updates: return static_cast<double>(p.server_updates);
    case Axis::steps: return static_cast<double>(p.inner_steps);
    case Axis::time: break;
    }
    return p.time_s;
}

std::optional<double> reach_target(const std::vector<EvalPoint>& evals, Metric metric,
                                   double target, Axis axis) {
    if (metric == Metric::none) return std::nullopt;
    // Perplexity falls towards the target, accuracy rises: compare in one direction.
    const double sign = metric == Metric::perplexity ? 1.0 : -1.0;
    const auto reached = [&](double v) { return sign * v <= sign * target; };
    for (std::size_t i = 0; i < evals.size(); ++i) {
        const double v = metric_value(evals[i], metric);
        if (!reached(v)) continue;
        const double x = axis_value(evals[i], axis);
        if (i == 0) return x;
        // Linear interpolation between evaluation i-1 (not reached) and i (reached):
        // x = x0 + (x1 - x0) (v0 - target) / (v0 - v1).
        const double v0 = metric_value(evals[i - 1], metric);
        const double x0 = axis_value(evals[i - 1], axis);
        if (!std::isfinite(v0)) return x;  // from a diverged value: no line to follow
        return x0 + (x - x0) * (v0 - target) / (v0 - v);
    }
    return std::nullopt;
}

std::int64_t percentile(std::vector<std::int64_t> values, double p) {
    if (values.empty()) return 0;
    std::sort(values.begin(), values.end());
    const auto n = static_cast<double>(values.size());
    // Nearest rank: the ceil(p/100 n)-th smallest (1-based).
    auto rank = static_cast<std::size_t>(std::ceil(p / 100.0 * n - 1e-9));
    rank = std::clamp<std::size_t>(rank, 1, values.size());
    return values[rank - 1];
}

RunMetrics compute_run_metrics(const RunData& run, std::optional<double> target) {
    RunMetrics m;
    m.label = run.label;
    m.seed = run.seed;
    m.metric = metric_of(run);
    if (!run.evals.empty()) {
        m.final_metric = metric_value(run.evals.back(), m.metric);
        m.final_loss = run.evals.back().loss;
        if (target) m.time_to_target_s = reach_target(run.evals, m.metric, *target, Axis::time);
    }
    m.virtual_time_s = run.virtual_time_s;
    m.server_updates = run.server_updates;
    m.inner_steps = run.inner_steps;
    if (run.virtual_time_s > 0)
        m.steps_per_s = static_cast<double>(run.inner_steps) / run.virtual_time_s;
    std::vector<std::int64_t> staleness;
    staleness.reserve(run.updates.size());
    double sum = 0;
    for (const UpdateRow& u : run.updates) {
        staleness.push_back(u.staleness);
        sum += static_cast<double>(u.staleness);
        m.bytes += u.bytes;
        m.staleness_max = std::max(m.staleness_max, u.staleness);
    }
    if (!staleness.empty()) m.staleness_mean = sum / static_cast<double>(staleness.size());
    m.staleness_p50 = percentile(staleness, 50);
    m.staleness_p99 = percentile(staleness, 99);
    // Utilisation from the exact compute times, not workers.csv's rounded column.
    double total = 0;
    for (const WorkerRow& w : run.workers) {
        const double u = run.virtual_time_s > 0 ? sim::to_seconds(w.compute) / run.virtual_time_s : 0;
        m.utilisation.push_back(u);
        total += u;
    }
    if (!run.workers.empty()) m.utilisation_mean = total / static_cast<double>(run.workers.size());
    return m;
}

Spread spread_of(const std::vector<double>& values) {
    Spread s;
    if (values.empty()) return s;
    s.n = static_cast<int>(values.size());
    s.min = *std::min_element(values.begin(), values.end());
    s.max = *std::max_element(values.begin(), values.end());
    double sum = 0;
    for (double v : values) sum += v;
    s.mean = sum / static_cast<double>(values.size());
    return s;
}

namespace {

bool is_label(const Study& study, const std::string& l) {
    return std::find(study.labels.begin(), study.labels.end(), l) != study.labels.end();
}

bool is_variant(const Study& study, const std::string& v) {
    return std::any_of(study.variant_of.begin(), study.variant_of.end(),
                       [&](const auto& p) { return p.second == v; });
}

}  // namespace

std::string choose_baseline(const Study& study, const std::string& asked) {
    if (!asked.empty()) {
        if (!is_label(study, asked) && !is_variant(study, asked))
            throw ConfigError(fmt::format("baseline '{}' is not a label of the study (labels: {})",
                                          asked, fmt::join(study.labels, ", ")));
        return asked;
    }
    if (!study.baseline.empty() &&
        (is_label(study, study.baseline) || is_variant(study, study.baseline)))
        return study.baseline;
    if (is_label(study, "sync")) return "sync";
    return study.labels.empty() ? std::string() : study.labels.front();
}

std::string baseline_label(const Study& study, const std::string& label, const std::string& base) {
    // A study with a sweep: labels are variant x sweep point, and a label is compared with the
    // baseline variant under the same swept values (as the study runner pairs them).
    const auto variant = study.variant_of.find(label);
    if (is_variant(study, base) && variant != study.variant_of.end()) {
        const auto sweep = study.sweep_of.find(label);
        for (const auto& [other, v] : study.variant_of) {
            if (v != base) continue;
            const auto other_sweep = study.sweep_of.find(other);
            const bool same_point = sweep == study.sweep_of.end()
                                        ? other_sweep == study.sweep_of.end()
                                        : other_sweep != study.sweep_of.end() &&
                                              other_sweep->second == sweep->second;
            if (same_point) return other;
        }
        return {};
    }
    return is_label(study, base) ? base : std::string();
}

namespace {

template <typename Get>
Spread spread_over(const std::vector<RunMetrics>& runs, Get get) {
    std::vector<double> values;
    for (const RunMetrics& r : runs)
        if (const std::optional<double> v = get(r)) values.push_back(*v);
    return spread_of(values);
}

}  // namespace

std::vector<LabelSummary> summarise_study(const Study& study, std::optional<double> target,
                                          std::string baseline) {
    // study.json's labels in its order, those without a finished run included; else the
    // labels of the runs read.
    std::vector<std::pair<std::string, int>> labels = study.planned;
    if (labels.empty())
        for (const std::string& l : study.labels)
            labels.emplace_back(l, static_cast<int>(runs_of(study, l).size()));
    std::vector<LabelSummary> out;
    for (const auto& [label, planned] : labels) {
        LabelSummary s;
        s.label = label;
        for (const RunData* r : runs_of(study, label)) {
            s.per_run.push_back(compute_run_metrics(*r, target));
            s.schedule = r->schedule;
        }
        s.runs = static_cast<int>(s.per_run.size());
        s.planned = std::max(planned, s.runs);
        s.metric = s.per_run.empty() ? Metric::none : s.per_run.front().metric;
        out.push_back(std::move(s));
    }
    const std::string base = choose_baseline(study, baseline);
    // The baseline's mean over its seeds: time to target, or (no target) inner steps per
    // virtual second.
    const auto base_mean = [&](const std::string& label) -> std::optional<double> {
        for (const LabelSummary& s : out) {
            if (s.label != label) continue;
            const Spread m = target ? spread_over(s.per_run, [](const RunMetrics& r) {
                return r.time_to_target_s;
            })
                                    : spread_over(s.per_run, [](const RunMetrics& r) {
                                          return std::optional<double>(r.steps_per_s);
                                      });
            if (m.n > 0 && m.mean > 0) return m.mean;
        }
        return std::nullopt;
    };
    using O = std::optional<double>;
    const auto num = [](auto v) { return O(static_cast<double>(v)); };
    for (LabelSummary& s : out) {
        s.baseline = baseline_label(study, s.label, base);
        const std::optional<double> b = s.baseline.empty() ? std::nullopt : base_mean(s.baseline);
        for (RunMetrics& r : s.per_run) {
            if (!b) continue;
            if (target && r.time_to_target_s && *r.time_to_target_s > 0)
                r.speedup = *b / *r.time_to_target_s;
            else if (!target && r.steps_per_s > 0)
                r.speedup = r.steps_per_s / *b;
        }
        const auto& p = s.per_run;
        s.final_metric = spread_over(p, [](const RunMetrics& r) { return r.final_metric; });
        s.time_to_target = spread_over(p, [](const RunMetrics& r) { return r.time_to_target_s; });
        s.speedup = spread_over(p, [](const RunMetrics& r) { return r.speedup; });
        s.virtual_time = spread_over(p, [&](const RunMetrics& r) { return num(r.virtual_time_s); });
        s.server_updates = spread_over(p, [&](const RunMetrics& r) { return num(r.server_updates); });
        s.staleness_mean = spread_over(p, [&](const RunMetrics& r) { return num(r.staleness_mean); });
        s.staleness_p50 = spread_over(p, [&](const RunMetrics& r) { return num(r.staleness_p50); });
        s.staleness_p99 = spread_over(p, [&](const RunMetrics& r) { return num(r.staleness_p99); });
        s.staleness_max = spread_over(p, [&](const RunMetrics& r) { return num(r.staleness_max); });
        s.bytes = spread_over(p, [&](const RunMetrics& r) { return num(r.bytes); });
        s.utilisation = spread_over(p, [&](const RunMetrics& r) { return num(r.utilisation_mean); });
    }
    return out;
}

}  // namespace hetsim::analysis
