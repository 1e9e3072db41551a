#include "engine/commands.hpp"

#include "engine/progress.hpp"
#include "engine/training_run.hpp"
#include "analysis/compare.hpp"
#include "analysis/metrics.hpp"
#include "analysis/report.hpp"
#include "analysis/run_files.hpp"
#include "analysis/summary.hpp"
#include "hetsim/version.hpp"
#include "scenarios/scenario_loader.hpp"
#include "sim/error.hpp"
#include "sim/schedule.hpp"

#include <fmt/format.h>
#include <fmt/ostream.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <exception>
#include <optional>
#include <ostream>
#include <sstream>
#include <vector>

namespace hetsim::engine {

namespace fs = std::filesystem;

namespace {

scenarios::Scenario load(const RunOptions& options) {
    scenarios::LoadOptions load_options;
    load_options.overrides = options.overrides;
    load_options.seed = options.seed;
    return scenarios::load_scenario(options.scenario, load_options);
}

// Refuses to touch a folder that already holds a finished run, unless asked to; with
// --overwrite the old run.json goes first, so a run that dies half-way never leaves a folder
// that looks complete.
void prepare_output(const fs::path& out, bool overwrite, bool trace) {
    std::error_code ec;
    if (fs::exists(out / "run.json")) {
        if (!overwrite)
            throw ConfigError(fmt::format(
                "{} already holds a finished run (run.json); pass --overwrite to replace it or "
                "choose another --out",
                out.string()));
        fs::remove(out / "run.json", ec);
        if (!trace) fs::remove(out / "trace.csv", ec);
    }
    fs::create_directories(out, ec);
    if (ec || !fs::is_directory(out))
        throw DataError(fmt::format("cannot create output folder {}: {}", out.string(),
                                    ec ? ec.message() : "not a folder"));
}

// The folders prepare_output is about to create for `out` (those missing, deepest first) are
// removed again when the run fails before writing into them: a run refused by the memory
// estimate (known only once the model is built) or stopped by a data error leaves no empty
// folder behind. A folder that holds anything, or that existed before, is left alone.
class NewFolders {
public:
    explicit NewFolders(const fs::path& out) {
        std::error_code ec;
        for (fs::path p = out; !p.empty() && !fs::exists(p, ec); p = p.parent_path()) {
            created_.push_back(p);
            if (p == p.parent_path()) break;
        }
    }
    ~NewFolders() {
        if (std::uncaught_exceptions() <= unwinding_) return;
        std::error_code ec;
        for (const fs::path& p : created_)
            if (fs::is_directory(p, ec) && fs::is_empty(p, ec)) fs::remove(p, ec);
    }
    NewFolders(const NewFolders&) = delete;
    NewFolders& operator=(const NewFolders&) = delete;

private:
    std::vector<fs::path> created_;
    int unwinding_ = std::uncaught_exceptions();
};

template <typename Writer>
void write_csv(const fs::path& path, Writer writer, const sim::RunResult& result) {
    std::ostringstream text;
    writer(text, result);
    analysis::write_text_atomically(path, text.str());
}

nlohmann::json metrics_json(const analysis::MetricsRow& m) {
    return {{"time_s", sim::to_seconds(m.time)}, {"server_updates", m.server_updates},
            {"loss", m.loss},                     {"perplexity", m.perplexity},
            {"bits_per_byte", m.bits_per_byte},   {"accuracy", m.accuracy}};
}

nlohmann::json run_json(const scenarios::Scenario& scenario, const analysis::RunSummary& s,
                        double host_seconds, bool trace, const TrainingRun* training) {
    nlohmann::json files = {"updates.csv", "workers.csv", "timeline.csv"};
    if (trace) files.push_back("trace.csv");
    if (training) files.push_back("metrics.csv");
    nlohmann::json model = nullptr;
    if (training) {
        model = training->info;
        if (!training->metrics.empty()) model["final"] = metrics_json(training->metrics.back());
    }
    return {
        {"hetsim_version", kVersion},
        {"seed", scenario.world.seed},
        {"scenario", scenarios::to_json(scenario)},
        {"result",
         {{"virtual_time_s", s.virtual_time_s},
          {"stop_reason", s.stop_reason},
          {"server_updates", s.server_updates},
          {"updates_applied", s.updates_applied},
          {"inner_steps", s.inner_steps},
          {"staleness_mean", s.staleness_mean},
          {"staleness_max", s.staleness_max},
          {"utilisation_mean", s.utilisation_mean},
          {"bytes", s.bytes},
          {"failures", s.failures},
          {"rounds_lost", s.rounds_lost},
          {"events", s.events}}},
        {"training", model},
        {"host", {{"run_time_s", host_seconds}}},
        {"files", files},
    };
}

void print_final_metrics(const analysis::MetricsRow& m, std::ostream& log) {
    if (m.perplexity > 0)
        fmt::print(log, "  {:<16}loss {:.4f}, perplexity {:.4g}, {:.4f} bits per byte\n",
                   "final eval", m.loss, m.perplexity, m.bits_per_byte);
    else
        fmt::print(log, "  {:<16}loss {:.4f}, accuracy {:.2f}%\n", "final eval", m.loss,
                   100 * m.accuracy);
}

}  // namespace

void run_command(const RunOptions& options, std::ostream& log) {
    scenarios::Scenario scenario = load(options);
    const fs::path out = options.out.value_or(fs::path("out") / scenario.name);
    run_scenario(std::move(scenario), options, log);
    // The run's files are complete before the report starts: a report that fails (gnuplot
    // missing, disk full) never costs the run.
    if (options.report) analysis::write_report(out, analysis::ReportOptions{}, log);
}

void run_scenario(scenarios::Scenario scenario, const RunOptions& options, std::ostream& log) {
    const fs::path out = options.out.value_or(fs::path("out") / scenario.name);
    const NewFolders new_folders(out);
    prepare_output(out, options.overwrite, options.trace);

    const auto started = std::chrono::steady_clock::now();
    std::optional<TrainingRun> training;
    sim::RunResult timing;
    sim::RecordOptions record;
    record.trace = options.trace;
    record.timeline = true;
    std::optional<ProgressLine> progress;
    // The trainer's evaluations while it runs (set by run_training): the latest one is shown.
    const std::vector<analysis::MetricsRow>* live_metrics = nullptr;
    if (options.events || options.progress) {
        progress.emplace(scenario.world.stop, options.events ? *options.events : *options.progress,
                         options.events ? ProgressLine::Style::json : ProgressLine::Style::text);
        progress->set_prefix(options.progress_prefix);
        progress->set_eval([&live_metrics]() -> std::optional<LatestEval> {
            if (!live_metrics || live_metrics->empty()) return std::nullopt;
            const analysis::MetricsRow& m = live_metrics->back();
            // A diverged language model's perplexity is inf or NaN, still not accuracy.
            if (m.perplexity != 0) return LatestEval{true, m.perplexity};
            return LatestEval{false, m.accuracy};
        });
        record.progress = [&progress](const sim::Progress& p) { progress->update(p); };
    }
    if (scenario.training.model.kind != "none")
        training = run_training(scenario, record, &live_metrics);
    else
        timing = sim::run_schedule(scenario.world, nullptr, record);
    const sim::RunResult& result = training ? training->result : timing;
    if (progress) {
        // The final evaluation (trainer.finish) is in training->metrics now.
        if (training) live_metrics = &training->metrics;
        progress->finish({result.end_time, result.server_version, result.inner_steps});
    }
    const double host_seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();

    write_csv(out / "updates.csv", analysis::write_updates_csv, result);
    write_csv(out / "workers.csv", analysis::write_workers_csv, result);
    write_csv(out / "timeline.csv", analysis::write_timeline_csv, result);
    if (options.trace) write_csv(out / "trace.csv", analysis::write_trace_csv, result);
    if (training) {
        std::ostringstream text;
        analysis::write_metrics_csv(text, training->metrics, options.host_time);
        analysis::write_text_atomically(out / "metrics.csv", text.str());
    }
    const analysis::RunSummary summary = analysis::summarise(result);
    // run.json last: its presence marks a finished run.
    const nlohmann::json json =
        run_json(scenario, summary, host_seconds, options.trace, training ? &*training : nullptr);
    analysis::write_text_atomically(out / "run.json", json.dump(2) + "\n");
    if (options.events) {
        Event event = {{"event", "summary"}, {"name", scenario.name},
                       {"seed", scenario.world.seed}};
        for (const auto& [key, value] : json["result"].items()) event[key] = to_event(value);
        event["final"] = training && !training->metrics.empty()
                             ? to_event(metrics_json(training->metrics.back()))
                             : Event(nullptr);
        event["host_s"] = host_seconds;
        event["outputs"] = out.string();
        write_event(*options.events, event);
    }

    fmt::print(log, "hetsim {}: {} ({}, {} workers, model {}, seed {})\n", kVersion,
               scenario.name, sim::to_string(scenario.world.algorithm.kind),
               scenario.world.workers.size(), scenario.training.model.kind, scenario.world.seed);
    log << analysis::format_summary(summary);
    if (training && !training->metrics.empty()) print_final_metrics(training->metrics.back(), log);
    fmt::print(log, "  {:<16}{} events in {:.3f} s host ({:.2f} M events/s)\n", "simulation",
               summary.events, host_seconds,
               host_seconds > 0 ? static_cast<double>(summary.events) / host_seconds * 1e-6 : 0.0);
    fmt::print(log, "  {:<16}{}\n", "outputs", out.string());
}

void validate_command(const RunOptions& options, std::ostream& log) {
    const scenarios::Scenario s = load(options);
    const sim::WorldSpec& w = s.world;
    sim::Time fastest = sim::kNever;
    sim::Time slowest{0};
    for (const auto& worker : w.workers) {
        fastest = std::min(fastest, worker.effective_step_time());
        slowest = std::max(slowest, worker.effective_step_time());
    }
    fmt::print(log, "{}: ok\n", options.scenario.string());
    fmt::print(log, "  {} workers, step time {} .. {}, algorithm {} (H = {}), seed {}\n",
               w.workers.size(), sim::format_duration(fastest), sim::format_duration(slowest),
               sim::to_string(w.algorithm.kind), w.algorithm.inner_steps, w.seed);
    if (!s.step_time_sources.empty())
        fmt::print(log, "  step times from device_flops or \"measure\" are resolved when the run "
                        "starts (0ns until then; `hetsim explain` resolves them)\n");
}

void compare_command(const std::vector<fs::path>& runs, std::ostream& out) {
    std::vector<analysis::RunRecord> records;
    for (const fs::path& dir : runs) records.push_back(analysis::read_run(dir));
    out << analysis::format_run_table(records);
}

}  // namespace hetsim::engine
