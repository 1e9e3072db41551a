#include "analysis/report_table.hpp"

#include <fmt/format.h>

#include <cmath>

namespace hetsim::analysis {

namespace {

std::string metric_text(double v, Metric m) {
    if (m == Metric::accuracy) return fmt::format("{:.2f}%", 100 * v);
    // Diverged runs reach astronomic perplexities: keep them readable.
    return std::abs(v) < 1e5 ? fmt::format("{:.3f}", v) : fmt::format("{:.3e}", v);
}

std::string spread_with(const Spread& s, const auto& one) {
    if (s.n == 0) return "-";
    if (s.min == s.max) return one(s.mean);
    return fmt::format("{} [{}..{}]", one(s.mean), one(s.min), one(s.max));
}

}  // namespace

std::string format_spread(const Spread& s, const char* format) {
    return spread_with(s, [format](double v) { return fmt::format(fmt::runtime(format), v); });
}

SummaryTable make_summary_table(const std::vector<LabelSummary>& labels,
                                std::optional<double> target, const std::string& baseline) {
    Metric metric = Metric::none;
    for (const LabelSummary& l : labels)
        if (l.metric != Metric::none) metric = l.metric;
    // Speed-up to the target when there is one (and a metric); else, between labels, in
    // inner steps per virtual second (summarise_study).
    const bool by_target = target && metric != Metric::none;
    const bool speedup = by_target || (!target && labels.size() > 1);
    SummaryTable t;
    t.header = {"label", "runs", "schedule", "virtual time (s)", "server updates"};
    if (metric != Metric::none) {
        t.header.push_back(fmt::format("final {}", to_string(metric)));
        if (by_target)
            t.header.push_back(fmt::format("time to {} {} (s)", to_string(metric),
                                           metric_text(*target, metric)));
    }
    if (speedup)
        t.header.push_back(fmt::format("speed-up vs {}{}", baseline, by_target ? "" : " (steps/s)"));
    for (const char* h : {"staleness mean", "p50", "p99", "max", "GB moved", "utilisation"})
        t.header.push_back(h);
    for (const LabelSummary& l : labels) {
        // "1/2": a study whose other runs failed or are pending.
        const std::string runs = l.planned > l.runs ? fmt::format("{}/{}", l.runs, l.planned)
                                                    : fmt::format("{}", l.runs);
        std::vector<std::string> row = {l.label, runs, l.schedule.empty() ? "-" : l.schedule,
                                        format_spread(l.virtual_time, "{:.1f}"),
                                        format_spread(l.server_updates, "{:.0f}")};
        if (metric != Metric::none) {
            row.push_back(spread_with(l.final_metric,
                                      [&](double v) { return metric_text(v, metric); }));
            if (by_target) {
                std::string reached = format_spread(l.time_to_target, "{:.1f}");
                if (l.time_to_target.n < l.runs)
                    reached = l.time_to_target.n == 0
                                  ? "not reached"
                                  : fmt::format("{} ({}/{} seeds)", reached, l.time_to_target.n,
                                                l.runs);
                row.push_back(reached);
            }
        }
        if (speedup) row.push_back(l.speedup.n == 0 ? "-" : format_spread(l.speedup, "{:.2f}x"));
        row.push_back(format_spread(l.staleness_mean, "{:.2f}"));
        row.push_back(format_spread(l.staleness_p50, "{:.0f}"));
        row.push_back(format_spread(l.staleness_p99, "{:.0f}"));
        row.push_back(format_spread(l.staleness_max, "{:.0f}"));
        Spread gb = l.bytes;
        gb.mean *= 1e-9, gb.min *= 1e-9, gb.max *= 1e-9;
        row.push_back(format_spread(gb, "{:.3f}"));
        Spread u = l.utilisation;
        u.mean *= 100, u.min *= 100, u.max *= 100;
        row.push_back(format_spread(u, "{:.1f}%"));
        t.rows.push_back(std::move(row));
    }
    return t;
}

std::string to_markdown(const SummaryTable& table) {
    std::string out = "|";
    for (const std::string& h : table.header) out += " " + h + " |";
    out += "\n|";
    for (std::size_t i = 0; i < table.header.size(); ++i) out += "---|";
    out += "\n";
    for (const auto& row : table.rows) {
        out += "|";
        for (const std::string& c : row) out += " " + c + " |";
        out += "\n";
    }
    return out;
}

}  // namespace hetsim::analysis
