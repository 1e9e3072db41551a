#pragma once
// `hetsim plot` and `hetsim report`: thin commands over analysis/ (figures and report.html of
// finished runs and studies).

#include <filesystem>
#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

namespace hetsim::engine {

/// What `hetsim plot` and `hetsim report` take from the command line.
struct PlotOptions {
    std::vector<std::filesystem::path> dirs;  ///< run or study folders
    std::optional<std::filesystem::path> out;  ///< default: <dir>/figures (plot), <dir> (report)
    std::string x;                 ///< --x time|updates|steps; empty: all three
    std::vector<double> targets;   ///< --target (comma-separated: several points of speed-up)
    bool log_y = false;            ///< --log-y
    std::string window;            ///< --window T0,T1 (virtual seconds) of the Gantt chart
    std::string baseline;          ///< --baseline LABEL for speed-ups
};

/// Writes the figures (data, scripts, PNG, SVG) and prints their paths. Throws hetsim::Error
/// when gnuplot is missing or fails (after the data files and scripts are written), ConfigError
/// on bad flags, DataError on unreadable runs.
void plot_command(const PlotOptions& options, std::ostream& log);

/// Writes report.html, report.md and the figures, prints the summary table and the paths.
/// A missing gnuplot is a warning (the report says so); the report is still written.
void report_command(const PlotOptions& options, std::ostream& log);

}  // namespace hetsim::engine
