#pragma once
// Figures with gnuplot: for each figure hetsim writes tidy data files and a commented .gp
// script into the figures folder, then runs `gnuplot NAME.gp` there, which draws NAME.png
// (pngcairo) and NAME.svg (svg). A user restyles a figure by editing its script and running
// gnuplot again. Without gnuplot the data and scripts are still written.

#include "analysis/report.hpp"
#include "analysis/run_data.hpp"

#include <filesystem>
#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

namespace hetsim::analysis {

/// One figure: its script, data files, size, and the series it draws (titles in the key).
struct Figure {
    std::string name;   ///< file stem: NAME.gp, NAME.png, NAME.svg
    std::string title;  ///< what it shows, for the report
    std::filesystem::path script;
    std::vector<std::filesystem::path> data;
    int width = 0;  ///< pixels of the PNG (and the SVG's size)
    int height = 0;
    std::vector<std::string> series;  ///< titled series, in plot order (one SVG path group each)
    bool drawn = false;               ///< gnuplot produced NAME.png and NAME.svg
};

/// The figures of a study in one folder.
struct FigureSet {
    std::filesystem::path dir;
    std::vector<Figure> figures;
    bool gnuplot_ok = true;  ///< false: gnuplot missing or a script failed
    std::string message;     ///< why, when !gnuplot_ok
};

/// Writes the data files and scripts of every figure `study` supports into `dir` (created):
/// evaluation metric vs virtual time / server updates / inner steps (runs with metrics.csv),
/// staleness histogram and staleness over time, worker Gantt timeline (runs with
/// timeline.csv), per-worker utilisation, and speed-up to each target (several labels).
FigureSet write_figure_files(const Study& study, const std::filesystem::path& dir,
                             const ReportOptions& options);

/// gnuplot to run: $HETSIM_GNUPLOT when set (a path; missing or not executable: none), else
/// `gnuplot` on $PATH.
std::optional<std::filesystem::path> find_gnuplot();

/// Runs gnuplot on every figure's script in the figures folder. A missing gnuplot or a
/// failing script sets gnuplot_ok = false and a message naming the package gnuplot-nox (or
/// gnuplot's error); never throws for that.
void render_figures(FigureSet& set);

/// write_figure_files then render_figures; prints one line per figure (or the message) to log.
FigureSet write_figures(const Study& study, const std::filesystem::path& dir,
                        const ReportOptions& options, std::ostream& log);

}  // namespace hetsim::analysis
