#include "engine/plot_commands.hpp"

#include "analysis/plot.hpp"
#include "analysis/report.hpp"
#include "analysis/run_data.hpp"
#include "analysis/run_metrics.hpp"
#include "sim/error.hpp"

#include <fmt/format.h>
#include <fmt/ostream.h>

#include <cmath>
#include <ostream>

namespace hetsim::engine {

namespace fs = std::filesystem;

namespace {

std::optional<std::pair<double, double>> parse_window(const std::string& text) {
    if (text.empty()) return std::nullopt;
    const std::size_t comma = text.find(',');
    double t0 = 0, t1 = 0;
    std::size_t used0 = 0, used1 = 0;
    try {
        if (comma == std::string::npos) throw std::invalid_argument("no comma");
        t0 = std::stod(text.substr(0, comma), &used0);
        t1 = std::stod(text.substr(comma + 1), &used1);
    } catch (const std::exception&) {
        used0 = 0;
    }
    if (used0 != comma || used1 != text.size() - comma - 1 || !std::isfinite(t0) ||
        !std::isfinite(t1) || t0 < 0 || t1 <= t0)
        throw ConfigError(fmt::format("--window: expected T0,T1 in virtual seconds with 0 <= T0 < "
                                      "T1, e.g. 0,120, found '{}'",
                                      text));
    return std::pair{t0, t1};
}

analysis::ReportOptions report_options(const PlotOptions& o) {
    analysis::ReportOptions r;
    for (double t : o.targets)
        if (!(t > 0) || !std::isfinite(t))
            throw ConfigError(fmt::format("--target: expected a positive number (perplexity, or "
                                          "accuracy in (0, 1]), found {}",
                                          t));
    r.targets = o.targets;
    r.out = o.out;
    if (!o.x.empty()) analysis::parse_axis(o.x);  // ConfigError on a bad value
    r.x = o.x;
    r.log_y = o.log_y;
    r.window = parse_window(o.window);
    r.baseline = o.baseline;
    return r;
}

fs::path default_figures_dir(const std::vector<fs::path>& dirs) {
    if (dirs.size() == 1) return dirs.front() / "figures";
    fs::path parent = fs::absolute(dirs.front()).lexically_normal();
    if (parent.filename().empty()) parent = parent.parent_path();
    return parent.parent_path() / "figures";
}

}  // namespace

void plot_command(const PlotOptions& options, std::ostream& log) {
    const analysis::ReportOptions r = report_options(options);
    analysis::Study study = analysis::read_study(options.dirs);
    if (!options.baseline.empty()) analysis::choose_baseline(study, options.baseline);
    const fs::path out = options.out.value_or(default_figures_dir(options.dirs));
    const analysis::FigureSet set = analysis::write_figures(study, out, r, log);
    if (!set.gnuplot_ok) throw Error(set.message);
}

void report_command(const PlotOptions& options, std::ostream& log) {
    const analysis::ReportOptions r = report_options(options);
    analysis::Study study = analysis::read_study(options.dirs);
    if (!options.baseline.empty()) analysis::choose_baseline(study, options.baseline);
    if (options.dirs.size() > 1 && !r.out)
        throw ConfigError("several folders: pass --out DIR for the report");
    log << analysis::summary_table_text(study, r);
    analysis::write_report(study, r, log);
}

}  // namespace hetsim::engine
