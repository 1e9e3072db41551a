#include "analysis/plot.hpp"

#include "analysis/plot_data.hpp"
#include "analysis/plot_writer.hpp"
#include "analysis/run_files.hpp"
#include "analysis/run_metrics.hpp"
#include "hetsim/version.hpp"
#include "sim/error.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

namespace hetsim::analysis {

namespace fs = std::filesystem;
using namespace plot_detail;  // NOLINT(google-build-using-namespace): this file's helpers

namespace {

Metric study_metric(const Study& study) {
    for (const RunData& r : study.runs)
        if (Metric m = metric_of(r); m != Metric::none) return m;
    return Metric::none;
}

// A label diverged when one of its runs ends worse than it started, or on a non-finite
// perplexity (docs/analysis.md). Accuracy is bounded: never marked.
bool diverged(const std::vector<const RunData*>& runs, Metric metric) {
    if (metric != Metric::perplexity) return false;
    return std::any_of(runs.begin(), runs.end(), [](const RunData* r) {
        if (r->evals.empty()) return false;
        const double first = r->evals.front().perplexity, last = r->evals.back().perplexity;
        return !std::isfinite(last) || last > first;
    });
}

// Stands for a diverged series' `using` columns until the y range is known.
constexpr const char* kClipped = "@clipped@";

// How the metric figures lay out a study's labels. A study that sweeps keys over several
// variants gets one panel per sweep point, each with every variant in the same colour (20
// labels in one panel would repeat colours); any other study gets one panel, a colour per label.
struct Panels {
    std::vector<std::string> titles;      ///< per panel: "key = value, ..." ("" when one panel)
    std::vector<std::size_t> panel_of;    ///< per label
    std::vector<std::size_t> colour_of;   ///< per label
    std::vector<std::string> key_of;      ///< per label: its name in the panel's key
};

std::size_t index_in(std::vector<std::string>& seen, const std::string& x) {
    const auto it = std::find(seen.begin(), seen.end(), x);
    if (it != seen.end()) return static_cast<std::size_t>(it - seen.begin());
    seen.push_back(x);
    return seen.size() - 1;
}

// study.json's sweep point, {"workers.heterogeneity":"none","outer.lr":0.1}, as a panel title.
std::string sweep_title(const std::string& json) {
    const nlohmann::json point = nlohmann::json::parse(json);
    std::string out;
    for (const auto& [key, value] : point.items())
        out += fmt::format("{}{} = {}", out.empty() ? "" : ", ", key,
                           value.is_string() ? value.get<std::string>() : value.dump());
    return out;
}

Panels panels_of(const Study& study) {
    std::vector<std::string> points, variants;
    const auto point_of = [&](const std::string& label) {
        const auto it = study.sweep_of.find(label);
        return it == study.sweep_of.end() ? std::string() : it->second;
    };
    const auto variant_of = [&](const std::string& label) {
        const auto it = study.variant_of.find(label);
        return it == study.variant_of.end() ? label : it->second;
    };
    for (const std::string& label : study.labels) {
        index_in(points, point_of(label));
        index_in(variants, variant_of(label));
    }
    const bool split = points.size() > 1 && variants.size() > 1;
    Panels p;
    points.clear();
    variants.clear();
    for (std::size_t i = 0; i < study.labels.size(); ++i) {
        const std::string& label = study.labels[i];
        p.panel_of.push_back(split ? index_in(points, point_of(label)) : 0);
        p.colour_of.push_back(split ? index_in(variants, variant_of(label)) : i);
        p.key_of.push_back(split ? variant_of(label) : label);
    }
    if (split)
        for (const std::string& point : points) p.titles.push_back(sweep_title(point));
    else
        p.titles.emplace_back();
    return p;
}

void metric_figure(Writer& w, Metric metric, Axis axis) {
    static constexpr const char* kAxisName[] = {"time", "updates", "steps"};
    static constexpr const char* kAxisLabel[] = {"virtual time (s)", "server updates",
                                                 "inner steps (all workers)"};
    const auto a = static_cast<std::size_t>(axis);
    const std::string what = metric == Metric::perplexity ? "perplexity" : "accuracy";
    const Panels panels = panels_of(w.study);
    const std::size_t n_panels = panels.titles.size();
    const auto columns =
        static_cast<std::size_t>(std::ceil(std::sqrt(static_cast<double>(n_panels))));
    const std::size_t rows = (n_panels + columns - 1) / columns;
    Figure& f = n_panels == 1
                    ? w.add(fmt::format("{}_{}", what, kAxisName[a]),
                            fmt::format("Evaluation {} vs {}", what, kAxisLabel[a]))
                    : w.add(fmt::format("{}_{}", what, kAxisName[a]),
                            fmt::format("Evaluation {} vs {}, one panel per sweep point", what,
                                        kAxisLabel[a]),
                            static_cast<int>(600 * columns), static_cast<int>(420 * rows));
    std::string text = fmt::format("# {} of the global model; per label: mean over seeds and "
                                   "min..max band.\n# columns: x mean min max; one block per "
                                   "label (gnuplot index 0, 1, ...)\n",
                                   what);
    std::vector<std::string> plots(n_panels);  // one plot command per panel
    std::vector<std::vector<std::string>> keys(n_panels);  // its titled series
    // The highest finite value of the series that did not diverge: the y range stops there, so
    // that a diverged series (perplexity 1e100 or inf) does not squash the others. Shared by
    // all panels, so that they compare at a glance.
    double finite_max = 0;
    double finite_min = std::numeric_limits<double>::infinity();
    std::vector<std::string> diverged_labels;
    int block = 0;
    for (std::size_t i = 0; i < w.study.labels.size(); ++i) {
        const std::string& label = w.study.labels[i];
        const std::vector<const RunData*> runs = runs_of(w.study, label);
        const std::vector<CurvePoint> c = mean_curve(runs, metric, axis);
        if (c.empty()) continue;
        const bool off = diverged(runs, metric);
        if (off) diverged_labels.push_back(label);
        text += fmt::format("{}# label: {}{}\n", block > 0 ? "\n\n" : "", label,
                            off ? " (diverged)" : "");
        bool band = false;
        for (const CurvePoint& p : c) {
            text += fmt::format("{} {} {} {}\n", num(p.x), num(p.mean), num(p.min), num(p.max));
            band = band || p.min != p.max;
            if (!off)
                for (const double v : {p.mean, p.min, p.max})
                    if (std::isfinite(v)) {
                        finite_max = std::max(finite_max, v);
                        finite_min = std::min(finite_min, v);
                    }
        }
        std::string& plot = plots[panels.panel_of[i]];
        const char* rgb = colour(panels.colour_of[i]);
        plot += plot.empty() ? "  plot " : ", \\\n       ";
        // The min..max band of the seeds, under the mean line, not in the key; none for a
        // diverged series (its seeds' spread would fill the panel's height).
        if (band && !off)
            plot += fmt::format("'{}.dat' index {} using 1:3:4 with filledcurves fs transparent "
                                "solid 0.2 noborder lc rgb \"{}\" notitle, \\\n       ",
                                f.name, block, rgb);
        // A diverged series: dashed, said so in the key, and (below) held at the top of the
        // y range where it leaves it, so that its rise stays visible.
        const std::string& key = panels.key_of[i];
        plot += fmt::format("'{}.dat' index {} using {} with lines lw 2 {}lc rgb \"{}\" title {} "
                            "noenhanced",
                            f.name, block, off ? kClipped : "1:2", off ? "dt 2 " : "", rgb,
                            quote(off ? key + " (diverged)" : key));
        keys[panels.panel_of[i]].push_back(key);
        ++block;
    }
    for (const std::vector<std::string>& k : keys)
        f.series.insert(f.series.end(), k.begin(), k.end());
    if (f.series.empty()) {
        w.set.figures.pop_back();
        return;
    }
    w.data(f, f.name + ".dat", text);
    std::string body = fmt::format("  set xlabel {}\n  set ylabel {}\n  set grid\n"
                                   "  set key top right\n",
                                   quote(kAxisLabel[a]), quote(what));
    body += w.options.log_y ? "  set logscale y\n" : "  unset logscale y\n";
    const bool clip = !diverged_labels.empty() && finite_max > 0;
    if (clip)
        body += fmt::format("  # Diverged ({}): the y axis stops a bit above the highest value "
                            "of the\n  # other series, so that they stay readable, and the "
                            "diverged values above it are\n  # drawn at ymax (raise ymax, or "
                            "delete the yrange line, to see everything).\n  ymax = {}\n",
                            fmt::join(diverged_labels, ", "), num(finite_max * 1.05));
    if (n_panels > 1 && finite_max > finite_min) {
        const double margin = 0.05 * (finite_max - finite_min);
        body += fmt::format("  # Every panel on the same y range, so that they compare at a "
                            "glance.\n  set yrange [{}:{}]\n",
                            num(w.options.log_y ? finite_min / 1.05 : finite_min - margin),
                            clip ? "ymax" : num(finite_max + margin));
    } else if (clip) {
        body += "  set yrange [*:ymax]\n";
    }
    // Without a finite range to hold them to (every label diverged), diverged series are drawn
    // as they are.
    for (std::string& plot : plots)
        for (std::size_t at = plot.find(kClipped); at != std::string::npos;
             at = plot.find(kClipped, at))
            plot.replace(at, std::strlen(kClipped), clip ? "1:($2 > ymax ? ymax : $2)" : "1:2");
    if (!w.options.targets.empty())
        body += fmt::format("  # The target: a dashed horizontal line.\n"
                            "  set arrow 1 from graph 0, first {0} to graph 1, first {0} nohead "
                            "dt 2 lw 1.5 lc rgb \"#555555\"\n"
                            "  set label 1 \"target {0}\" at graph 0.01, first {0} offset 0,0.6\n",
                            num(w.options.targets.front()));
    if (n_panels == 1) {
        w.finish(f, "", fmt::format("  set title {} noenhanced\n", quote(f.title)) + body +
                            plots.front() + "\n");
        return;
    }
    body += fmt::format("  set multiplot layout {},{} title {} noenhanced\n", rows, columns,
                        quote(f.title));
    for (std::size_t p = 0; p < n_panels; ++p)
        body += fmt::format("  set title {} noenhanced\n{}\n", quote(panels.titles[p]),
                            plots[p].empty() ? "  set multiplot next  # no finished run here" : plots[p]);
    w.finish(f, "# One panel per sweep point; colours stand for the same variant in each.\n",
             body + "  unset multiplot\n");
}

void staleness_figures(Writer& w) {
    Figure& h = w.add("staleness_histogram", "Staleness of applied updates (fraction per value)");
    std::string text = "# staleness histogram, all seeds of a label pooled\n"
                       "# columns: staleness fraction_of_updates; one block per label\n";
    std::string plots;
    const double n = static_cast<double>(w.study.labels.size());
    const double width = 0.8 / n;
    for (std::size_t i = 0; i < w.study.labels.size(); ++i) {
        const auto hist = staleness_histogram(runs_of(w.study, w.study.labels[i]));
        text += fmt::format("{}# label: {}\n", i > 0 ? "\n\n" : "", w.study.labels[i]);
        for (const auto& [s, fraction] : hist) text += fmt::format("{} {}\n", s, num(fraction));
        if (hist.empty()) text += "? ?\n";  // keeps the block (and the index) in place
        // Bars of the labels side by side around each staleness value.
        plots += fmt::format("{}'staleness_histogram.dat' index {} using ($1 + {}):2 with boxes "
                             "lc rgb \"{}\" title {} noenhanced",
                             i == 0 ? "  plot " : ", \\\n       ", i,
                             num((static_cast<double>(i) - (n - 1) / 2) * width), colour(i),
                             quote(w.study.labels[i]));
        h.series.push_back(w.study.labels[i]);
    }
    w.data(h, "staleness_histogram.dat", text);
    w.finish(h, "",
             fmt::format("  set title {} noenhanced\n  set xlabel \"staleness (server steps since the pull)\"\n"
                         "  set ylabel \"fraction of updates\"\n  set grid y\n  set key top right\n"
                         "  set style fill solid 0.8 noborder\n  set boxwidth {} absolute\n"
                         "  set yrange [0:*]\n",
                         quote(h.title), num(width)) +
                 plots + "\n");

    Figure& t = w.add("staleness_time", "Staleness of each applied update over virtual time");
    text = "# every applied update of every seed\n# columns: time_s staleness; one block per label\n";
    plots.clear();
    for (std::size_t i = 0; i < w.study.labels.size(); ++i) {
        text += fmt::format("{}# label: {}\n", i > 0 ? "\n\n" : "", w.study.labels[i]);
        bool any = false;
        for (const RunData* r : runs_of(w.study, w.study.labels[i]))
            for (const UpdateRow& u : r->updates) {
                text += fmt::format("{} {}\n", sim::format_seconds(u.time), u.staleness);
                any = true;
            }
        if (!any) text += "? ?\n";
        plots += fmt::format("{}'staleness_time.dat' index {} using 1:2 with points pt 7 ps 0.4 "
                             "lc rgb \"{}\" title {} noenhanced",
                             i == 0 ? "  plot " : ", \\\n       ", i, colour(i),
                             quote(w.study.labels[i]));
        t.series.push_back(w.study.labels[i]);
    }
    w.data(t, "staleness_time.dat", text);
    w.finish(t, "",
             fmt::format("  set title {} noenhanced\n  set xlabel \"virtual time (s)\"\n"
                         "  set ylabel \"staleness\"\n  set grid\n  set key top left\n",
                         quote(t.title)) +
                 plots + "\n");
}

}  // namespace

FigureSet write_figure_files(const Study& study, const fs::path& dir, const ReportOptions& options) {
    FigureSet set;
    set.dir = dir;
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec || !fs::is_directory(dir))
        throw DataError(fmt::format("cannot create figures folder {}: {}", dir.string(),
                                    ec ? ec.message() : "not a folder"));
    Writer w{study, dir, options, set};
    if (const Metric m = study_metric(study); m != Metric::none) {
        if (options.x.empty())
            for (Axis a : {Axis::time, Axis::updates, Axis::steps}) metric_figure(w, m, a);
        else
            metric_figure(w, m, parse_axis(options.x));
        speedup_figure(w, m);
    }
    staleness_figures(w);
    gantt_figure(w);
    utilisation_figure(w);
    return set;
}

}  // namespace hetsim::analysis
