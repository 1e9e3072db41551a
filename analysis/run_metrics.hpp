#pragma once
// The numbers of the summary table, computed from the run files only (docs/analysis.md):
// final evaluation, time to a target by linear interpolation between consecutive evaluations,
// speed-up over a baseline, staleness statistics, bytes and utilisation; and their mean and
// min..max over the seeds of a label.

#include "analysis/run_data.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace hetsim::analysis {

/// Which evaluation metric a run reports: perplexity (language models, lower is better),
/// accuracy (classifiers, higher is better), or none (timing-only).
enum class Metric { none, perplexity, accuracy };
const char* to_string(Metric m);

/// The metric of a run: perplexity when its evaluations report one, else accuracy.
Metric metric_of(const RunData& run);
/// The metric's value at one evaluation.
double metric_value(const EvalPoint& p, Metric m);

/// The x axes of evaluation curves.
enum class Axis { time, updates, steps };
Axis parse_axis(const std::string& text);  ///< "time" | "updates" | "steps"; ConfigError else
double axis_value(const EvalPoint& p, Axis axis);

/// Where the evaluations first reach `target` (metric <= target for perplexity, >= for
/// accuracy), on `axis`, by linear interpolation between the two consecutive evaluations that
/// straddle it; the first evaluation's x if it already reaches it; none if never reached.
std::optional<double> reach_target(const std::vector<EvalPoint>& evals, Metric metric,
                                   double target, Axis axis = Axis::time);

/// Nearest-rank percentile (p in (0, 100]) of integer samples: the smallest value with at least
/// p% of the samples at or below it. 0 for no samples.
std::int64_t percentile(std::vector<std::int64_t> values, double p);

/// The headline numbers of one run.
struct RunMetrics {
    std::string label;
    std::uint64_t seed = 0;
    Metric metric = Metric::none;
    std::optional<double> final_metric;  ///< last evaluation
    std::optional<double> final_loss;
    std::optional<double> time_to_target_s;  ///< none: no target, or never reached
    /// With a target: the baseline's mean time to target / this run's; without one: this
    /// run's inner steps per virtual second / the baseline's mean (see summarise_study).
    std::optional<double> speedup;
    double virtual_time_s = 0;
    std::int64_t server_updates = 0;
    std::int64_t inner_steps = 0;
    double steps_per_s = 0;  ///< inner steps per virtual second (0 for an empty run)
    double staleness_mean = 0;
    std::int64_t staleness_p50 = 0;
    std::int64_t staleness_p99 = 0;
    std::int64_t staleness_max = 0;
    std::int64_t bytes = 0;               ///< sum of updates.csv's bytes
    double utilisation_mean = 0;          ///< mean over workers of compute_s / virtual time
    std::vector<double> utilisation;      ///< per worker
};

/// Computes a run's numbers (speed-up is left empty: it needs the baseline; see summarise).
RunMetrics compute_run_metrics(const RunData& run, std::optional<double> target);

/// Mean and range of one number over the seeds of a label (n = how many had a value).
struct Spread {
    double mean = 0;
    double min = 0;
    double max = 0;
    int n = 0;
};
Spread spread_of(const std::vector<double>& values);

/// One label (variant) of a study: its runs' numbers and their spread over seeds.
struct LabelSummary {
    std::string label;
    std::string schedule;
    Metric metric = Metric::none;
    int runs = 0;     ///< finished runs read
    int planned = 0;  ///< runs study.json lists for the label (finished or not); else = runs
    /// The label this one is compared with (itself for a baseline); empty: none, e.g. no
    /// baseline variant at this label's sweep point.
    std::string baseline;
    Spread final_metric, time_to_target, speedup, virtual_time, server_updates, staleness_mean,
        staleness_p50, staleness_p99, staleness_max, bytes, utilisation;
    std::vector<RunMetrics> per_run;
};

/// The study's summary table, one entry per label in study order (study.json's, labels with no
/// finished run included). Each label is compared with its baseline label (baseline_label).
/// Speed-up of a run: with a target, the baseline label's mean time to target / the run's time
/// to target; without one, the run's inner steps per virtual second / the baseline label's
/// mean. `baseline`: as asked (--baseline), see choose_baseline.
std::vector<LabelSummary> summarise_study(const Study& study, std::optional<double> target,
                                          std::string baseline = {});

/// What the speed-up is measured against, a variant or a label: `asked` (a label, or a variant
/// of study.json; ConfigError when neither), else study.json's baseline variant, else a label
/// "sync", else the first label. Empty for an empty study.
std::string choose_baseline(const Study& study, const std::string& asked);

/// The label `label` is compared with, for the baseline `base` (choose_baseline): when `base`
/// is a variant of study.json, that variant's label at the same sweep point as `label` (empty
/// when the sweep has no such point); else `base` itself when it is a label; else empty.
std::string baseline_label(const Study& study, const std::string& label, const std::string& base);

}  // namespace hetsim::analysis
