#pragma once
// The summary table of a study (one row per label: mean and min..max over seeds) as cells,
// shared by report.md (Markdown), report.html and the console.

#include "analysis/run_metrics.hpp"

#include <optional>
#include <string>
#include <vector>

namespace hetsim::analysis {

/// Header and rows of the summary table, as display text.
struct SummaryTable {
    std::vector<std::string> header;
    std::vector<std::vector<std::string>> rows;
};

/// Formats the table. `target` (the metric's target) and `baseline` are named in the header.
SummaryTable make_summary_table(const std::vector<LabelSummary>& labels,
                                std::optional<double> target, const std::string& baseline);

/// The table in Markdown (ends with a newline).
std::string to_markdown(const SummaryTable& table);

/// A number with its spread over seeds: "12.3" or "12.3 [11.0..13.1]" when seeds differ.
std::string format_spread(const Spread& s, const char* format);

}  // namespace hetsim::analysis
