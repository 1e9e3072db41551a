// The worker figures (Gantt timeline, utilisation bars) and the study-level speed-up figure.

#include "analysis/plot_data.hpp"
#include "analysis/plot_writer.hpp"
#include "analysis/run_metrics.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace hetsim::analysis::plot_detail {

void gantt_figure(Writer& w) {
    // One panel per label (its first seed), stacked, sharing the state colours.
    std::vector<const RunData*> panels;
    for (const std::string& label : w.study.labels) {
        const std::vector<const RunData*> runs = runs_of(w.study, label);
        if (!runs.empty() && runs.front()->has_timeline) panels.push_back(runs.front());
    }
    if (panels.empty()) return;
    std::vector<int> shown;
    int height = 60;
    for (const RunData* r : panels) {
        shown.push_back(std::min<int>(static_cast<int>(r->workers.size()), kGanttMaxWorkers));
        height += 130 + 22 * shown.back();  // title, key and axis labels, then the bars
    }
    const std::string window =
        w.options.window ? fmt::format(", {} s to {} s", num(w.options.window->first),
                                       num(w.options.window->second))
                         : std::string();
    Figure& f = w.add("gantt", "What each worker is doing over virtual time" + window, 1000,
                      std::min(height, 4000));
    std::string body = fmt::format(
        "  # A bar per worker: compute, communicate (pull, push, all-reduce), idle (waiting),\n"
        "  # down (failed), fixed colours; one panel per label.\n"
        "  set multiplot layout {},1 title {} noenhanced\n"
        "  set style fill solid 1.0 noborder\n"
        "  set xlabel \"virtual time (s)\"\n  set ylabel \"worker\"\n"
        "  set key outside top center horizontal\n"
        "  # in_state(s): the worker (column 1) when the row's state is s, else no point.\n"
        "  in_state(s) = (strcol(4) eq s) ? column(1) : NaN\n",
        panels.size(), quote(f.title));
    double end = 0;  // the longest run: gnuplot's autoscale would round it up
    for (const RunData* r : panels) end = std::max(end, r->virtual_time_s);
    body += w.options.window ? fmt::format("  set xrange [{}:{}]\n", num(w.options.window->first),
                                           num(w.options.window->second))
                             : fmt::format("  set xrange [0:{}]\n", num(end));
    for (std::size_t p = 0; p < panels.size(); ++p) {
        const RunData& run = *panels[p];
        const std::string file = fmt::format("gantt_{}.dat", p);
        std::string text = fmt::format("# timeline of {} (seed {}){}\n# columns: worker start_s "
                                       "end_s state\n",
                                       run.label, run.seed, window);
        for (const TimelineRow& r : gantt_rows(run, w.options.window))
            if (r.worker < shown[p])
                text += fmt::format("{} {} {} {}\n", r.worker, sim::format_seconds(r.start),
                                    sim::format_seconds(r.end), sim::to_string(r.state));
        w.data(f, file, text);
        const std::string more =
            shown[p] < static_cast<int>(run.workers.size())
                ? fmt::format(", first {} of {} workers", shown[p], run.workers.size())
                : std::string();
        body += fmt::format("  set title {} noenhanced\n  set yrange [{}:-0.5]\n  set ytics {}\n",
                            quote(fmt::format("{} (seed {}){}", run.label, run.seed, more)),
                            num(shown[p] - 0.5), shown[p] <= 16 ? 1 : (shown[p] + 7) / 8);
        for (std::size_t s = 0; s < 4; ++s) {
            const char* state = sim::to_string(static_cast<sim::WorkerState>(s));
            body += fmt::format("{}'{}' using (($2+$3)/2):(in_state(\"{}\")):(($3-$2)/2):(0.4) "
                                "with boxxyerror lc rgb \"{}\" title \"{}\"",
                                s == 0 ? "  plot " : ", \\\n       ", file, state,
                                kStateColours[s], state);
            f.series.push_back(state);
        }
        body += "\n";
    }
    w.finish(f, "", body + "  unset multiplot\n");
}

void utilisation_figure(Writer& w) {
    Figure& f = w.add("utilisation", "Per-worker utilisation (compute time / virtual run time)");
    std::size_t workers = 0;
    std::vector<std::vector<double>> per_label;  // [label][worker], mean over seeds
    for (const std::string& label : w.study.labels) {
        std::vector<double> sum;
        std::vector<int> n;
        for (const RunData* r : runs_of(w.study, label)) {
            const RunMetrics m = compute_run_metrics(*r, std::nullopt);
            sum.resize(std::max(sum.size(), m.utilisation.size()), 0.0);
            n.resize(sum.size(), 0);
            for (std::size_t i = 0; i < m.utilisation.size(); ++i) sum[i] += m.utilisation[i], ++n[i];
        }
        for (std::size_t i = 0; i < sum.size(); ++i) sum[i] /= n[i];
        workers = std::max(workers, sum.size());
        per_label.push_back(std::move(sum));
    }
    std::string text = "# utilisation = compute_s / virtual run time, mean over seeds\n# columns: "
                       "worker";
    for (const std::string& label : w.study.labels) text += " " + label;
    text += "\n";
    for (std::size_t i = 0; i < workers; ++i) {
        text += fmt::format("{}", i);
        for (const auto& u : per_label) text += " " + (i < u.size() ? num(u[i]) : "?");
        text += "\n";
    }
    w.data(f, "utilisation.dat", text);
    std::string plots;
    for (std::size_t l = 0; l < w.study.labels.size(); ++l) {
        plots += fmt::format("{}'utilisation.dat' using {}{} lc rgb \"{}\" title {} noenhanced",
                             l == 0 ? "  plot " : ", \\\n       ", l + 2,
                             l == 0 ? ":xtic(1)" : "", colour(l), quote(w.study.labels[l]));
        f.series.push_back(w.study.labels[l]);
    }
    w.finish(f, "",
             fmt::format("  set title {} noenhanced\n  set xlabel \"worker\"\n  set ylabel \"utilisation\"\n"
                         "  set yrange [0:1.05]\n  set grid y\n  set key outside top center "
                         "horizontal\n  set style data histograms\n"
                         "  set style histogram clustered gap 1\n"
                         "  set style fill solid 0.85 noborder\n{}",
                         quote(f.title), workers > 32 ? "  set xtics 8\n" : "") +
                 plots + "\n");
}

void speedup_figure(Writer& w, Metric metric) {
    if (w.study.labels.size() < 2) return;
    const std::vector<double> targets =
        w.options.targets.size() >= 2 ? w.options.targets : auto_targets(w.study, metric);
    if (targets.empty()) return;
    const std::string base = choose_baseline(w.study, w.options.baseline);
    Figure& f = w.add("speedup", fmt::format("Speed-up over {} to reach each target {}", base,
                                             to_string(metric)));
    std::string text = fmt::format("# speed-up = the mean time to target of {} (at the label's "
                                   "sweep point) / the label's mean time to target\n# columns: "
                                   "target",
                                   base);
    // Every label but the baselines themselves (and labels with nothing to compare with).
    const auto compared = [](const LabelSummary& ls) {
        return !ls.baseline.empty() && ls.baseline != ls.label && ls.runs > 0;
    };
    std::vector<std::string> labels;
    for (const LabelSummary& ls : summarise_study(w.study, targets.front(), base))
        if (compared(ls)) labels.push_back(ls.label), text += " " + ls.label;
    if (labels.empty()) {
        w.set.figures.pop_back();
        return;
    }
    text += "\n";
    for (double t : targets) {
        text += num(t);
        const std::vector<LabelSummary> s = summarise_study(w.study, t, base);
        for (const LabelSummary& ls : s)
            if (compared(ls)) text += " " + (ls.speedup.n > 0 ? num(ls.speedup.mean) : "?");
        text += "\n";
    }
    w.data(f, "speedup.dat", text);
    std::string plots;
    for (std::size_t l = 0; l < labels.size(); ++l) {
        const auto index = static_cast<std::size_t>(
            std::find(w.study.labels.begin(), w.study.labels.end(), labels[l]) -
            w.study.labels.begin());
        plots += fmt::format("{}'speedup.dat' using 1:{} with linespoints lw 2 pt 7 lc rgb \"{}\" "
                             "title {} noenhanced",
                             l == 0 ? "  plot " : ", \\\n       ", l + 2, colour(index),
                             quote(labels[l]));
        f.series.push_back(labels[l]);
    }
    std::string body = fmt::format(
        "  set title {} noenhanced\n  set xlabel \"target {}\"\n  set ylabel \"speed-up (x)\"\n"
        "  set grid\n  set key top left\n  set yrange [0:*]\n"
        "  # The baseline itself: speed-up 1.\n"
        "  set arrow 1 from graph 0, first 1 to graph 1, first 1 nohead dt 2 lc rgb \"#555555\"\n",
        quote(f.title), to_string(metric));
    // Harder targets to the right: lower perplexity, higher accuracy.
    if (metric == Metric::perplexity) body += "  set xrange [*:*] reverse\n  set logscale x\n";
    w.finish(f, "", body + plots + "\n");
}

}  // namespace hetsim::analysis::plot_detail
