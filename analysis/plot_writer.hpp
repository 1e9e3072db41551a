#pragma once
// Internal to the figure writers (plot.cpp, plot_timeline.cpp): colours, data-file numbers,
// gnuplot string literals, the script frame, and the Writer that records each figure.

#include "analysis/plot.hpp"
#include "analysis/run_files.hpp"
#include "analysis/run_metrics.hpp"
#include "hetsim/version.hpp"

#include <fmt/format.h>

#include <cmath>
#include <filesystem>
#include <string>

namespace hetsim::analysis::plot_detail {

namespace fs = std::filesystem;

// One colour per label (in study order), and fixed colours per worker state so that every
// Gantt chart reads the same way.
constexpr const char* kColours[] = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd",
                                    "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"};
inline const char* colour(std::size_t i) { return kColours[i % std::size(kColours)]; }
constexpr const char* kStateColours[] = {"#2ca02c", "#1f77b4", "#d9d9d9", "#d62728"};
constexpr int kGanttMaxWorkers = 64;  // beyond this the bars are thinner than a pixel row

// A number for a data file; gnuplot skips "?" (set datafile missing).
inline std::string num(double v) { return std::isfinite(v) ? fmt::format("{:.9g}", v) : "?"; }

// A gnuplot string literal ("..." with escapes). Labels are printed `noenhanced` (an "_" in a
// label stays an underscore); noenhanced terminals would drop the SVG series titles.
inline std::string quote(const std::string& s) {
    std::string out = "\"";
    for (char c : s) {
        if (c == '"' || c == '\\') out += '\\';
        if (c == '\n') c = ' ';
        out += c;
    }
    return out + "\"";
}

// The script frame: one body drawn twice, as PNG and as SVG, same size.
inline std::string script(const Figure& f, const std::string& about, const std::string& body) {
    std::string out = fmt::format(
        "# {}\n"
        "# Written by hetsim {}. Edit freely, then run `gnuplot {}.gp` in this folder to redraw\n"
        "# {}.png and {}.svg.\n",
        f.title, kVersion, f.name, f.name, f.name);
    out += about;
    out += "set datafile missing \"?\"   # non-finite values (a diverged run) are left out\n";
    out += "do for [format in \"png svg\"] {\n";
    out += fmt::format(
        "  if (format eq \"png\") {{\n"
        "    set terminal pngcairo size {},{} font \"sans,11\" \n"
        "  }} else {{\n"
        "    set terminal svg size {},{} font \"sans,11\" background rgb \"white\"\n"
        "  }}\n"
        "  set output \"{}.\".format\n",
        f.width, f.height, f.width, f.height, f.name);
    out += body;
    out += "  unset output\n}\n";
    return out;
}

struct Writer {
    const Study& study;
    const fs::path& dir;
    const ReportOptions& options;
    FigureSet& set;

    Figure& add(std::string name, std::string title, int width = 960, int height = 600) {
        Figure f;
        f.name = std::move(name);
        f.title = std::move(title);
        f.width = width;
        f.height = height;
        f.script = dir / (f.name + ".gp");
        set.figures.push_back(std::move(f));
        return set.figures.back();
    }
    void data(Figure& f, const std::string& file, const std::string& text) {
        write_text_atomically(dir / file, text);
        f.data.push_back(dir / file);
    }
    void finish(Figure& f, const std::string& about, const std::string& body) {
        write_text_atomically(f.script, script(f, about, body));
    }
};


void gantt_figure(Writer& w);
void utilisation_figure(Writer& w);
void speedup_figure(Writer& w, Metric metric);

}  // namespace hetsim::analysis::plot_detail
