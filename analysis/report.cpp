#include "analysis/report.hpp"

#include "analysis/plot.hpp"
#include "analysis/report_table.hpp"
#include "analysis/run_data.hpp"
#include "analysis/run_files.hpp"
#include "hetsim/version.hpp"

#include <fmt/format.h>
#include <fmt/ostream.h>

#include <fstream>
#include <ostream>
#include <set>
#include <sstream>

namespace hetsim::analysis {

namespace fs = std::filesystem;

namespace {

std::string escape(const std::string& s) {
    std::string out;
    out.reserve(s.size());
    for (char c : s) {
        switch (c) {
        case '&': out += "&amp;"; break;
        case '<': out += "&lt;"; break;
        case '>': out += "&gt;"; break;
        case '"': out += "&quot;"; break;
        case '\'': out += "&#39;"; break;
        default: out += c;
        }
    }
    return out;
}

void replace_all(std::string& s, const std::string& from, const std::string& to) {
    for (std::size_t at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size()))
        s.replace(at, from.size(), to);
}

// gnuplot's SVG files reuse the same ids (gnuplot_canvas, gpPt0, ...); inlined side by side in
// one HTML page they would collide, so each figure's ids get its own prefix.
std::string inline_svg(const fs::path& file, const std::string& prefix) {
    std::ifstream in(file, std::ios::binary);
    std::stringstream buffer;
    buffer << in.rdbuf();
    std::string svg = buffer.str();
    const std::size_t start = svg.find("<svg");
    if (start == std::string::npos) return {};
    svg.erase(0, start);
    std::set<std::string> ids;
    for (const char q : {'\'', '"'}) {
        const std::string key = std::string(" id=") + q;
        for (std::size_t at = svg.find(key); at != std::string::npos; at = svg.find(key, at + 1)) {
            const std::size_t end = svg.find(q, at + key.size());
            if (end != std::string::npos) ids.insert(svg.substr(at + key.size(), end - at - key.size()));
        }
    }
    for (const std::string& id : ids)
        for (const char* q : {"'", "\""}) {
            replace_all(svg, std::string(" id=") + q + id + q, std::string(" id=") + q + prefix + id + q);
            replace_all(svg, std::string(q) + "#" + id + q, std::string(q) + "#" + prefix + id + q);
            replace_all(svg, "(#" + id + ")", "(#" + prefix + id + ")");
        }
    return svg;
}

std::string html_table(const std::vector<std::string>& header,
                       const std::vector<std::vector<std::string>>& rows) {
    std::string out = "<table>\n<thead><tr>";
    for (const std::string& h : header) out += "<th>" + escape(h) + "</th>";
    out += "</tr></thead>\n<tbody>\n";
    for (const auto& row : rows) {
        out += "<tr>";
        for (const std::string& c : row) out += "<td>" + escape(c) + "</td>";
        out += "</tr>\n";
    }
    return out + "</tbody>\n</table>\n";
}

constexpr const char* kStyle = R"(body{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222}
h1{font-size:1.6em}h2{font-size:1.25em;margin-top:2em;border-bottom:1px solid #ddd}
table{border-collapse:collapse;margin:1em 0;font-size:.9em}th,td{border:1px solid #ccc;padding:.3em .6em;text-align:left}
th{background:#f4f4f4}tbody tr:nth-child(even){background:#fafafa}
figure{margin:1.5em 0}figcaption{font-weight:600;margin-bottom:.4em}figure svg{max-width:100%;height:auto}
.note{color:#666;font-size:.9em})";

std::string scenario_section(const Study& study) {
    std::vector<std::string> header = {""};
    std::vector<std::vector<std::string>> rows;
    for (const std::string& label : study.labels) {
        const std::vector<const RunData*> runs = runs_of(study, label);
        header.push_back(label);
        const RunData& r = *runs.front();
        std::string seeds;
        for (const RunData* s : runs) seeds += (seeds.empty() ? "" : ", ") + std::to_string(s->seed);
        std::vector<std::pair<std::string, std::string>> facts = r.facts;
        facts.emplace_back("seeds", seeds);
        if (rows.empty())
            for (const auto& [key, value] : facts) rows.push_back({key});
        for (std::size_t i = 0; i < rows.size() && i < facts.size(); ++i)
            rows[i].push_back(facts[i].second);
    }
    return "<h2>Scenario</h2>\n" + html_table(header, rows);
}

std::string worker_section(const Study& study) {
    const RunData& first = study.runs.front();
    std::vector<std::string> header = {"worker", "step time", "multiplier", "latency", "up",
                                       "down", "failures"};
    std::vector<std::vector<double>> utilisation;
    for (const std::string& label : study.labels) {
        header.push_back("utilisation " + label);
        std::vector<double> u;
        const std::vector<const RunData*> runs = runs_of(study, label);
        for (const RunData* r : runs) {
            const RunMetrics m = compute_run_metrics(*r, std::nullopt);
            u.resize(std::max(u.size(), m.utilisation.size()), 0.0);
            for (std::size_t i = 0; i < m.utilisation.size(); ++i)
                u[i] += m.utilisation[i] / static_cast<double>(runs.size());
        }
        utilisation.push_back(std::move(u));
    }
    constexpr std::size_t kMaxRows = 64;
    std::vector<std::vector<std::string>> rows;
    for (const WorkerInfo& w : first.worker_info) {
        if (rows.size() == kMaxRows) break;
        std::vector<std::string> row = {std::to_string(w.worker), w.step_time,
                                        fmt::format("{:g}", w.multiplier), w.latency,
                                        w.up_bandwidth, w.down_bandwidth, w.failures};
        for (const auto& u : utilisation)
            row.push_back(static_cast<std::size_t>(w.worker) < u.size()
                              ? fmt::format("{:.1f}%", 100 * u[static_cast<std::size_t>(w.worker)])
                              : "-");
        rows.push_back(std::move(row));
    }
    std::string out = "<h2>Workers</h2>\n<p class=\"note\">As the scenario of " +
                      escape(first.label) + " describes them; utilisation is the mean over seeds.</p>\n" +
                      html_table(header, rows);
    if (first.worker_info.size() > kMaxRows)
        out += fmt::format("<p class=\"note\">First {} of {} workers.</p>\n", kMaxRows,
                           first.worker_info.size());
    return out;
}

std::string figure_section(const FigureSet& figures) {
    std::string out = "<h2>Figures</h2>\n";
    if (!figures.gnuplot_ok) out += "<p class=\"note\">" + escape(figures.message) + "</p>\n";
    int n = 0;
    for (const Figure& f : figures.figures) {
        out += "<figure>\n<figcaption>" + escape(f.title) + "</figcaption>\n";
        const std::string svg = f.drawn ? inline_svg(figures.dir / (f.name + ".svg"),
                                                     fmt::format("f{}-", n++))
                                        : std::string();
        out += svg.empty() ? "<p class=\"note\">Not drawn; data and script: " +
                                 escape(f.script.string()) + "</p>\n"
                           : svg + "\n";
        out += "</figure>\n";
    }
    return out;
}

std::optional<double> main_target(const Study& study, const ReportOptions& options) {
    if (!options.targets.empty()) return options.targets.front();
    return study.target;
}

std::string study_name(const Study& study) {
    if (!study.name.empty()) return study.name;  // study.json's
    fs::path p = fs::absolute(study.dir).lexically_normal();
    if (p.filename().empty()) p = p.parent_path();
    return p.filename().string();
}

}  // namespace

ReportOutput write_report(const Study& study, const ReportOptions& options, std::ostream& log) {
    ReportOutput out;
    const fs::path dir = options.out.value_or(study.dir);
    out.figures_dir = dir / "figures";
    ReportOptions figure_options = options;
    if (figure_options.targets.empty() && study.target) figure_options.targets = {*study.target};
    const FigureSet figures = write_figures(study, out.figures_dir, figure_options, log);
    out.gnuplot_ok = figures.gnuplot_ok;
    out.gnuplot_message = figures.message;
    for (const Figure& f : figures.figures)
        if (f.drawn) out.figures.push_back(out.figures_dir / (f.name + ".png"));

    const std::optional<double> target = main_target(study, options);
    const std::string baseline = choose_baseline(study, options.baseline);
    const SummaryTable table = summary_table(study, options);
    const std::string name = study_name(study);
    const std::string against =
        study.sweep_of.empty() ? baseline
                               : fmt::format("the {} variant at the same sweep point", baseline);
    const std::string note =
        target ? fmt::format(
                     "Mean over seeds, [min..max] when seeds differ. Time to target: linear "
                     "interpolation between consecutive evaluations; speed-up: the mean time to "
                     "target of {} / each run's (docs/analysis.md).",
                     against)
               : fmt::format("Mean over seeds, [min..max] when seeds differ. Speed-up: each run's "
                             "inner steps per virtual second / the mean of {} (docs/analysis.md).",
                             against);
    out.markdown = dir / "report.md";
    write_text_atomically(out.markdown, fmt::format("# hetsim report: {}\n\n{}\n\n{}", name, note,
                                                    to_markdown(table)));
    std::string html = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>hetsim report: " +
                       escape(name) + "</title>\n<style>\n" + kStyle + "\n</style>\n</head>\n<body>\n";
    html += "<h1>hetsim report: " + escape(name) + "</h1>\n";
    html += "<h2>Summary</h2>\n<p class=\"note\">" + escape(note) + "</p>\n" +
            html_table(table.header, table.rows);
    html += scenario_section(study) + worker_section(study) + figure_section(figures);
    html += fmt::format("<p class=\"note\">Written by hetsim {}. Figures, their data and gnuplot "
                        "scripts: {}.</p>\n</body>\n</html>\n",
                        kVersion, escape(out.figures_dir.string()));
    out.html = dir / "report.html";
    write_text_atomically(out.html, html);
    fmt::print(log, "  report  {}\n  table   {}\n", out.html.string(), out.markdown.string());
    return out;
}

ReportOutput write_report(const fs::path& dir, const ReportOptions& options, std::ostream& log) {
    return write_report(read_study({dir}), options, log);
}

std::string summary_table_text(const fs::path& dir, const ReportOptions& options) {
    return summary_table_text(read_study({dir}), options);
}

std::string summary_table_text(const Study& study, const ReportOptions& options) {
    return to_markdown(summary_table(study, options));
}

SummaryTable summary_table(const Study& study, const ReportOptions& options) {
    const std::optional<double> target = main_target(study, options);
    const std::string baseline = choose_baseline(study, options.baseline);
    return make_summary_table(summarise_study(study, target, baseline), target, baseline);
}

std::string report_title(const Study& study) { return study_name(study); }

}  // namespace hetsim::analysis
