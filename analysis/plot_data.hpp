#pragma once
// The numbers behind each figure, apart from how they are drawn: mean curves over seeds with
// their min..max band, staleness histograms, Gantt intervals in a window, and the targets of
// the speed-up figure. docs/analysis.md states each rule.

#include "analysis/run_data.hpp"
#include "analysis/run_metrics.hpp"

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace hetsim::analysis {

/// One point of a label's curve: mean and range over its seeds at x.
struct CurvePoint {
    double x = 0;
    double mean = 0;
    double min = 0;
    double max = 0;
};

/// The evaluation curve of several seeds of one label on `axis`. One run: its evaluations as
/// they are. Several: at every x where any run evaluated, inside the x range all runs cover,
/// each run's value linearly interpolated between its evaluations; mean, min and max of those.
std::vector<CurvePoint> mean_curve(const std::vector<const RunData*>& runs, Metric metric,
                                   Axis axis);

/// A run's metric at x by linear interpolation between its evaluations (x inside their range).
double interpolate(const std::vector<EvalPoint>& evals, Metric metric, Axis axis, double x);

/// Staleness histogram of all updates of the runs: (staleness, fraction of updates).
std::vector<std::pair<std::int64_t, double>> staleness_histogram(
    const std::vector<const RunData*>& runs);

/// The timeline intervals inside [t0, t1] (virtual seconds), clipped to it; all when no window.
std::vector<TimelineRow> gantt_rows(const RunData& run,
                                    std::optional<std::pair<double, double>> window);

/// Targets of the speed-up figure when none are given: 6 values between the worst first
/// evaluation and the worst best value any label's mean curve reaches (geometric spacing for
/// perplexity, linear for accuracy), so that every label reaches each of them. Empty when the
/// labels do not improve.
std::vector<double> auto_targets(const Study& study, Metric metric);

}  // namespace hetsim::analysis
