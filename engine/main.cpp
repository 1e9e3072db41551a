// The `hetsim` command line. Thin on purpose: parse flags, call a command, turn errors into
// one message and an exit code (2 for bad input: scenario or flags; 1 for anything else).

#include "engine/commands.hpp"
#include "engine/explain.hpp"
#include "engine/plot_commands.hpp"
#include "engine/progress.hpp"
#include "engine/study_command.hpp"
#include "hetsim/version.hpp"
#include "sim/error.hpp"

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <iostream>
#include <nlohmann/json.hpp>
#include <streambuf>

namespace {

void add_scenario_options(CLI::App* cmd, hetsim::engine::RunOptions& o) {
    cmd->add_option("scenario", o.scenario, "Scenario file (TOML)")->required();
    cmd->add_option("--set", o.overrides,
                    "Override a scenario key, e.g. --set workers.count=16 (repeatable)")
        ->take_all()
        ->allow_extra_args(false);
    cmd->add_option("--seed", o.seed, "Seed of the run (wins over the file's seed)");
}

// Swallows what --quiet and --log-format json keep off stdout.
class NullBuffer : public std::streambuf {
protected:
    int overflow(int c) override { return traits_type::not_eof(c); }
    std::streamsize xsputn(const char*, std::streamsize n) override { return n; }
};

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"hetsim: discrete-event simulator of heterogeneous, asynchronous distributed "
                 "training"};
    app.set_version_flag("--version", fmt::format("hetsim {}", hetsim::kVersion));
    app.require_subcommand(1);

    hetsim::engine::StudyOptions study;
    hetsim::engine::RunOptions& options = study.run;
    CLI::App* run = app.add_subcommand("run", "Run a scenario (or every run of a study file) and "
                                              "write its outputs");
    add_scenario_options(run, options);
    run->add_option("--out", options.out, "Output folder (default: out/<scenario name>)");
    run->add_flag("--trace", options.trace, "Also write trace.csv with every event");
    run->add_flag("--overwrite", options.overwrite, "Replace a finished run in the output folder");
    run->add_flag("--host-time", options.host_time,
                  "Add host seconds to metrics.csv (then it differs between identical runs)");
    run->add_option("-j,--jobs", study.jobs, "Study: runs at once, in child processes")
        ->check(CLI::PositiveNumber);
    run->add_option("--only", study.only, "Study: run only these run indices (comma-separated)")
        ->delimiter(',');
    run->add_option("--emit", study.emit, "Study: write a job script instead of running (slurm)")
        ->check(CLI::IsMember({"slurm"}));
    run->add_flag("!--no-report", study.report, "Skip the report (report.html, figures) at the end of a run or study");
    bool quiet = false;
    std::string log_format = "text";
    run->add_flag("-q,--quiet", quiet,
                  "No progress line and no summary (errors still go to stderr)");
    run->add_option("--log-format", log_format,
                    "text (default) or json: one JSON object per line on stdout, for machines")
        ->check(CLI::IsMember({"text", "json"}));
    run->add_flag("--child", study.child, "Internal: started by a study run with -j")
        ->group("");
    CLI::App* validate = app.add_subcommand("validate", "Check a scenario without running it");
    add_scenario_options(validate, options);
    CLI::App* explain = app.add_subcommand(
        "explain", "Print what a scenario resolves to, worker by worker, without running it");
    add_scenario_options(explain, options);
    std::vector<std::filesystem::path> compare_dirs;
    CLI::App* compare =
        app.add_subcommand("compare", "Print a Markdown table comparing finished runs");
    compare->add_option("runs", compare_dirs, "Run folders (each with a run.json)")->required();
    hetsim::engine::PlotOptions plot_options;
    const auto add_plot_options = [&plot_options](CLI::App* cmd, const char* what) {
        cmd->add_option("dirs", plot_options.dirs, what)->required();
        cmd->add_option("--target", plot_options.targets,
                        "Target perplexity (accuracy in (0, 1] for classifiers); several, "
                        "comma-separated, are the points of the speed-up figure")
            ->delimiter(',');
        cmd->add_option("--baseline", plot_options.baseline,
                        "Label the speed-up is measured against (default: sync)");
        cmd->add_flag("--log-y", plot_options.log_y, "Log scale on the metric axis");
        cmd->add_option("--window", plot_options.window,
                        "Gantt window T0,T1 in virtual seconds (default: the whole run)");
        cmd->add_option("--x", plot_options.x,
                        "x axis of the evaluation figure: time, updates or steps (default: all)");
    };
    CLI::App* plot = app.add_subcommand("plot", "Draw the figures of finished runs (gnuplot)");
    add_plot_options(plot, "Run or study folders (several runs: one study, labelled by folder)");
    plot->add_option("--out", plot_options.out, "Figures folder (default: <dir>/figures)");
    CLI::App* report = app.add_subcommand(
        "report", "Write report.html (self-contained) and report.md for a run or a study");
    add_plot_options(report, "A run or study folder");
    report->add_option("--out", plot_options.out, "Report folder (default: the run or study folder)");
    std::filesystem::path collect_dir;
    CLI::App* collect = app.add_subcommand(
        "collect", "Rebuild a study folder's study.json and study.csv from its run folders");
    collect->add_option("out", collect_dir, "The study's output folder")->required();
    collect->add_flag("!--no-report", study.report, "Skip the summary");

    // --log-format json: errors are records on stdout too (besides the usual text on stderr).
    const auto fail = [&log_format](const std::string& message, int code) {
        std::cerr << "error: " << message << '\n';
        if (log_format == "json")
            hetsim::engine::write_event(
                std::cout, {{"event", "error"}, {"message", message}, {"exit_code", code}});
        return code;
    };
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        if (e.get_exit_code() == 0 || log_format != "json") {
            const int code = app.exit(e);
            return code == 0 ? 0 : 2;
        }
        return fail(e.what(), 2);
    }
    options.report = study.report;  // --no-report: a single run skips its report too
    NullBuffer null_buffer;
    std::ostream null_stream(&null_buffer);
    // stdout carries the text log, or the JSON records, or (--quiet) nothing but error records.
    std::ostream& run_log = quiet || log_format == "json" ? null_stream : std::cout;
    if (log_format == "json" && !quiet) options.events = &std::cout;
    if (!quiet && log_format == "text" && hetsim::engine::progress_wanted())
        options.progress = &std::cerr;
    try {
        if (run->parsed())
            hetsim::engine::run_any_command(study, run_log);
        else if (validate->parsed())
            hetsim::engine::validate_any_command(options, std::cout);
        else if (explain->parsed())
            hetsim::engine::explain_command(options, std::cout);
        else if (plot->parsed())
            hetsim::engine::plot_command(plot_options, std::cout);
        else if (report->parsed())
            hetsim::engine::report_command(plot_options, std::cout);
        else if (collect->parsed())
            hetsim::engine::collect_command(collect_dir, study.report, std::cout);
        else
            hetsim::engine::compare_command(compare_dirs, std::cout);
        return 0;
    } catch (const hetsim::ScenarioError& e) {
        return fail(e.what(), 2);
    } catch (const hetsim::ConfigError& e) {
        return fail(e.what(), 2);
    } catch (const std::exception& e) {
        return fail(e.what(), 1);
    }
}
