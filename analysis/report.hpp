#pragma once
// The report of a run or a study: report.html (one self-contained file: CSS and SVG figures
// inline, no script, no network) and report.md (the summary table in Markdown), plus the
// figures (gnuplot data, scripts, PNG and SVG) they show. The study runner calls write_report
// at the end of a study; `hetsim report` and `hetsim run` call it too.

#include "analysis/report_table.hpp"

#include <filesystem>
#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

namespace hetsim::analysis {

struct Study;

/// What a report (and `hetsim plot`) is asked for; every field has a usable default.
struct ReportOptions {
    /// Target values of the evaluation metric (perplexity for language models, accuracy in
    /// [0, 1] for classifiers). The first one is "the" target of the summary table; all of
    /// them are points of the speed-up figure. Empty: study.json's target, else none.
    std::vector<double> targets;
    /// Output folder. Default: the run or study folder for report.html / report.md, and
    /// <dir>/figures for the figures.
    std::optional<std::filesystem::path> out;
    /// Label the speed-up is measured against. Empty: study.json's baseline, else a label
    /// named "sync", else the first label.
    std::string baseline;
    /// x axis of the evaluation figure: "time" (virtual s), "updates" (server updates) or
    /// "steps" (inner steps); empty: all three (what the report shows).
    std::string x;
    bool log_y = false;  ///< log scale on the metric axis
    /// Gantt window [t0, t1] in virtual seconds; none = the whole run.
    std::optional<std::pair<double, double>> window;
    bool figures = true;  ///< run gnuplot (data files and scripts are written regardless)
};

/// What write_report / write_figures produced.
struct ReportOutput {
    std::filesystem::path html;      ///< report.html (empty for figures only)
    std::filesystem::path markdown;  ///< report.md (empty for figures only)
    std::filesystem::path figures_dir;
    std::vector<std::filesystem::path> figures;  ///< PNG files written (SVG beside each)
    bool gnuplot_ok = true;  ///< false: gnuplot missing or failed (see gnuplot_message)
    std::string gnuplot_message;
};

/// Writes report.html, report.md and the figures of a run folder (one with run.json) or a
/// study folder (study.json, or <label>/<seed>/run.json below it). Progress and a missing
/// gnuplot are reported on `log`; results already on disk are never removed. Throws DataError
/// naming the file and line on unreadable run files.
ReportOutput write_report(const std::filesystem::path& dir, const ReportOptions& options,
                          std::ostream& log);

/// The same for a study already read (e.g. several run folders given to `hetsim report`);
/// default output folder: study.dir.
ReportOutput write_report(const Study& study, const ReportOptions& options, std::ostream& log);

/// The summary table of a run or study folder (one row per label: mean and min..max over
/// seeds), as Markdown text for the console and report.md.
std::string summary_table_text(const std::filesystem::path& dir, const ReportOptions& options);
/// The same for a study already read.
std::string summary_table_text(const Study& study, const ReportOptions& options);
/// The table's cells (the console's, report.md's and report.html's table; the JSON records').
SummaryTable summary_table(const Study& study, const ReportOptions& options);
/// The name a report shows: study.json's study name, else the folder's name.
std::string report_title(const Study& study);

}  // namespace hetsim::analysis
