#include "engine/study_command.hpp"

#include "analysis/report.hpp"
#include "analysis/run_data.hpp"
#include "analysis/run_files.hpp"
#include "engine/progress.hpp"
#include "engine/study_index.hpp"
#include "scenarios/scenario_loader.hpp"
#include "scenarios/study.hpp"
#include "sim/error.hpp"

#include <fmt/format.h>
#include <fmt/ostream.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <map>
#include <ostream>
#include <spawn.h>
#include <sstream>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace hetsim::engine {

namespace fs = std::filesystem;

namespace {

// Stands for the Slurm array task id in a task's command line.
constexpr const char* kTaskId = "\x01task-id";

scenarios::Study load(const RunOptions& options) {
    scenarios::LoadOptions load_options;
    load_options.overrides = options.overrides;
    load_options.seed = options.seed;
    return scenarios::load_study(options.scenario, load_options);
}

fs::path executable(const StudyOptions& options) {
    if (!options.executable.empty()) return fs::absolute(options.executable);
    std::error_code ec;
    const fs::path self = fs::read_symlink("/proc/self/exe", ec);
    if (ec) throw Error(fmt::format("cannot find the hetsim executable (/proc/self/exe: {})",
                                    ec.message()));
    return self;
}

enum class Existing { none, same, different };

// A finished run belongs to the study when its resolved scenario equals the expanded one;
// anything else (another study's run, an edited study file, a corrupt run.json) is different.
Existing existing_run(const fs::path& dir, const scenarios::Scenario& scenario) {
    const fs::path file = dir / "run.json";
    if (!fs::exists(file)) return Existing::none;
    std::ifstream in(file);
    const nlohmann::json run = nlohmann::json::parse(in, nullptr, false);
    if (run.is_discarded() || !run.is_object() || !run.contains("scenario"))
        return Existing::different;
    const bool same = scenarios::comparable_scenario_json(run["scenario"]) ==
                      scenarios::comparable_scenario_json(scenarios::to_json(scenario));
    return same ? Existing::same : Existing::different;
}

[[noreturn]] void refuse_different(const std::vector<fs::path>& dirs) {
    std::string list;
    for (std::size_t i = 0; i < dirs.size() && i < 3; ++i)
        list += (i ? ", " : "") + dirs[i].string();
    if (dirs.size() > 3) list += fmt::format(" and {} more", dirs.size() - 3);
    throw ConfigError(fmt::format(
        "{} already hold{} a finished run of a different scenario (the study file or --set "
        "changed since); pass --overwrite to replace {} or choose another --out",
        list, dirs.size() == 1 ? "s" : "", dirs.size() == 1 ? "it" : "them"));
}

// Runs one study run in this process. Its printed summary (or its error) goes to `console` and,
// unless a parent captures the output, to log.txt in the run folder. Returns whether it finished.
bool run_in_process(const scenarios::StudyRun& run, const fs::path& out,
                    const StudyOptions& options, bool write_log, std::ostream& console) {
    RunOptions one = options.run;
    one.out = out / run.dir();
    one.report = false;  // one report for the whole study, at its end
    one.events = nullptr;  // a study's records are run_done and study_done
    std::ostringstream text;
    bool ok = true;
    try {
        run_scenario(run.scenario, one, text);
    } catch (const std::exception& e) {
        text << "error: " << e.what() << '\n';
        ok = false;
    }
    console << text.str() << std::flush;
    if (write_log) {
        std::error_code ec;
        fs::create_directories(*one.out, ec);
        try {
            analysis::write_text_atomically(*one.out / "log.txt", text.str());
        } catch (const DataError& e) {
            console << "error: " << e.what() << '\n';  // the run's folder itself is unusable
        }
    }
    return ok;
}

// The command line of a child (or Slurm task) that runs study run `index` (or kTaskId).
std::vector<std::string> child_arguments(const StudyOptions& options, const fs::path& out,
                                         const std::string& index, bool child) {
    const RunOptions& r = options.run;
    std::vector<std::string> args = {executable(options).string(), "run",
                                     fs::absolute(r.scenario).string(), "--out",
                                     fs::absolute(out).string()};
    for (const std::string& o : r.overrides) args.insert(args.end(), {"--set", o});
    if (r.seed) args.insert(args.end(), {"--seed", std::to_string(*r.seed)});
    if (r.trace) args.push_back("--trace");
    if (r.host_time) args.push_back("--host-time");
    if (r.overwrite) args.push_back("--overwrite");
    args.insert(args.end(), {"--only", index, "--no-report"});
    if (child) args.push_back("--child");
    return args;
}

pid_t spawn_child(const std::vector<std::string>& args, const fs::path& log_file) {
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 1, log_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                     0644);
    posix_spawn_file_actions_adddup2(&actions, 1, 2);
    std::vector<char*> argv;
    for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    pid_t pid = 0;
    const int rc = posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    if (rc != 0)
        throw Error(fmt::format("cannot start {}: {}", args[0], std::strerror(rc)));
    return pid;
}

// Runs `todo` with up to options.jobs children at once; `finished(index, ok)` after each.
template <class Finished>
void run_children(const scenarios::Study& study, const std::vector<std::size_t>& todo,
                  const fs::path& out, const StudyOptions& options, Finished finished) {
    std::map<pid_t, std::size_t> running;
    std::size_t next = 0;
    while (next < todo.size() || !running.empty()) {
        while (running.size() < static_cast<std::size_t>(options.jobs) && next < todo.size()) {
            const scenarios::StudyRun& run = study.runs[todo[next++]];
            try {
                fs::create_directories(out / run.dir());
                const auto args = child_arguments(options, out, std::to_string(run.index), true);
                running[spawn_child(args, out / run.dir() / "log.txt")] = run.index;
            } catch (const std::exception&) {
                finished(run.index, false);  // its folder cannot hold a run
            }
        }
        if (running.empty()) continue;  // every run left failed to start
        int status = 0;
        const pid_t pid = waitpid(-1, &status, 0);
        if (pid < 0) {
            if (errno == EINTR) continue;
            throw Error(fmt::format("waiting for study runs: {}", std::strerror(errno)));
        }
        const auto it = running.find(pid);
        if (it == running.end()) continue;  // not one of ours
        const std::size_t index = it->second;
        running.erase(it);
        finished(index, WIFEXITED(status) && WEXITSTATUS(status) == 0);
    }
}

// Quoted for the shell only when it needs to be, so that the script stays readable.
std::string shell_quote(const std::string& s) {
    const bool plain = !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || std::strchr("_./=+-:,@%", c);
    });
    if (plain) return s;
    std::string out = "'";
    for (const char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return out + "'";
}

void emit_slurm(const scenarios::Study& study, const fs::path& out, const StudyOptions& options,
                std::ostream& log) {
    const fs::path abs_out = fs::absolute(out).lexically_normal();
    fs::create_directories(abs_out / "slurm");
    StudyIndex index = make_study_index(study);
    for (StudyRecord& r : index.runs) refresh_record(r, out, index.target);
    write_study_index(out, index);
    std::string command;
    for (const std::string& a : child_arguments(options, out, kTaskId, false))
        command += (command.empty() ? "" : " ") +
                   (a == kTaskId ? std::string("\"$SLURM_ARRAY_TASK_ID\"") : shell_quote(a));
    const std::string script = fmt::format(
        "#!/bin/bash\n"
        "# hetsim study {name}: {n} runs, one Slurm array task each (task id = study.json index).\n"
        "# Submit: sbatch {script}    Afterwards: hetsim collect {out}\n"
        "#SBATCH --job-name=hetsim-{name}\n"
        "#SBATCH --array=0-{last}\n"
        "#SBATCH --output={out}/slurm/%A_%a.out\n"
        "#SBATCH --chdir={cwd}\n"
        "set -euo pipefail\n"
        "exec {command}\n",
        fmt::arg("name", study.name), fmt::arg("n", study.runs.size()),
        fmt::arg("script", (abs_out / "study.sbatch").string()), fmt::arg("out", abs_out.string()),
        fmt::arg("last", study.runs.size() - 1),
        fmt::arg("cwd", fs::current_path().string()), fmt::arg("command", command));
    analysis::write_text_atomically(out / "study.sbatch", script);
    fs::permissions(out / "study.sbatch", fs::perms::owner_exec | fs::perms::group_exec,
                    fs::perm_options::add);
    fmt::print(log, "study {}: {} runs; wrote {} (sbatch it), then `hetsim collect {}`\n",
               study.name, study.runs.size(), (out / "study.sbatch").string(), out.string());
}

// --only: the listed runs, in this process, one after the other; no study.json.
void run_only(const scenarios::Study& study, const fs::path& out, const StudyOptions& options,
              std::ostream& log) {
    std::vector<fs::path> different;
    for (const std::size_t i : options.only)
        if (existing_run(out / study.runs[i].dir(), study.runs[i].scenario) == Existing::different)
            different.push_back(out / study.runs[i].dir());
    if (!different.empty() && !options.run.overwrite) refuse_different(different);
    std::vector<std::string> failed;
    for (const std::size_t i : options.only) {
        const scenarios::StudyRun& run = study.runs[i];
        if (existing_run(out / run.dir(), run.scenario) == Existing::same) {
            fmt::print(log, "run {} ({}) is already complete\n", i, run.dir().string());
            continue;
        }
        if (!run_in_process(run, out, options, !options.child, log))
            failed.push_back(fmt::format("{} ({})", i, (out / run.dir() / "log.txt").string()));
    }
    if (!failed.empty())
        throw Error(fmt::format("run {} failed", fmt::join(failed, ", ")));
}

bool any_done(const StudyIndex& index) {
    return std::any_of(index.runs.begin(), index.runs.end(),
                       [](const StudyRecord& r) { return r.status == "done"; });
}

// The study's one summary table: the report's (analysis/report.hpp: per label, speed-up over the
// baseline variant at the same sweep point), then, unless --no-report, the report itself
// (report.html, report.md, figures) of the folder.
void print_summary(const StudyIndex& index, const fs::path& out, bool report, std::ostream& log) {
    fmt::print(log, "\nstudy {} ({}): {}\n", index.name, out.string(),
               index.baseline ? "speed-up over variant " + *index.baseline
                              : std::string("no baseline variant"));
    if (!any_done(index)) {
        fmt::print(log, "  no run finished\n");
        return;
    }
    try {
        const analysis::Study study = analysis::read_study({out});
        log << analysis::summary_table_text(study, analysis::ReportOptions{});
        if (report) analysis::write_report(study, analysis::ReportOptions{}, log);
    } catch (const Error& e) {
        // The runs are on disk whatever happens to the table or report: say so and go on.
        fmt::print(log, "  report  not written: {}\n", e.what());
    }
}

// The summary table as JSON (study_done record): one object per label, header -> cell.
Event summary_json(const StudyIndex& index, const fs::path& out) {
    Event rows = Event::array();
    if (!any_done(index)) return rows;
    try {
        const analysis::SummaryTable t =
            analysis::summary_table(analysis::read_study({out}), analysis::ReportOptions{});
        for (const auto& row : t.rows) {
            Event r = Event::object();
            for (std::size_t i = 0; i < row.size() && i < t.header.size(); ++i)
                r[t.header[i]] = row[i];
            rows.push_back(std::move(r));
        }
    } catch (const Error&) {
        // print_summary already said why; the record still reports the runs.
    }
    return rows;
}

void check_flags(const StudyOptions& options, const scenarios::Study& study) {
    if (options.jobs < 1) throw ConfigError(fmt::format("-j: expected >= 1, found {}", options.jobs));
    for (const std::size_t i : options.only)
        if (i >= study.runs.size())
            throw ConfigError(fmt::format("--only: expected run indices in 0..{} (the study has {} "
                                          "runs), found {}",
                                          study.runs.size() - 1, study.runs.size(), i));
}

// The runs still to do, in index order; complete ones get their numbers in `index`. Refuses,
// before anything runs, when a folder holds a different run and --overwrite was not given.
std::vector<std::size_t> plan(const scenarios::Study& study, const fs::path& out, bool overwrite,
                              StudyIndex& index) {
    std::vector<std::size_t> todo;
    std::vector<fs::path> different;
    for (const scenarios::StudyRun& run : study.runs) {
        const Existing state = existing_run(out / run.dir(), run.scenario);
        if (state == Existing::same)
            refresh_record(index.runs[run.index], out, index.target);
        else
            todo.push_back(run.index);
        if (state == Existing::different) different.push_back(out / run.dir());
    }
    if (!different.empty() && !overwrite) refuse_different(different);
    return todo;
}

}  // namespace

void study_command(const StudyOptions& options, std::ostream& log) {
    const scenarios::Study study = load(options.run);
    const fs::path out = options.run.out.value_or(fs::path("out") / study.name);
    check_flags(options, study);
    if (options.emit == "slurm") return emit_slurm(study, out, options, log);
    if (!options.emit.empty())
        throw ConfigError(fmt::format("--emit: expected slurm, found {}", options.emit));
    if (!options.only.empty()) return run_only(study, out, options, log);

    StudyIndex index = make_study_index(study);
    const std::vector<std::size_t> todo = plan(study, out, options.run.overwrite, index);
    fs::create_directories(out);
    write_study_index(out, index);
    fmt::print(log, "study {}: {} runs ({} complete, {} to run, {} at a time) into {}\n",
               study.name, study.runs.size(), study.runs.size() - todo.size(), todo.size(),
               options.jobs, out.string());

    std::vector<std::string> failed;
    std::size_t finished_count = 0;
    // On a terminal: runs done / total, failed, elapsed, ETA (and, one run at a time, the
    // current run's own progress line after "run k/n |").
    std::optional<StudyProgress> progress;
    if (options.run.progress) {
        progress.emplace(todo.size(), *options.run.progress);
        progress->draw();
    }
    const auto finished = [&](std::size_t i, bool ok) {
        StudyRecord& record = index.runs[i];
        refresh_record(record, out, index.target);
        if (!ok || record.status != "done") {
            record.status = "failed";
            failed.push_back((out / record.dir / "log.txt").string());
        }
        write_study_index(out, index);
        if (progress) progress->erase();
        fmt::print(log, "[{}/{}] run {} {}: {}{}\n", ++finished_count, todo.size(), i, record.dir,
                   record.status,
                   record.status == "done" ? "" : " (log: " + failed.back() + ")");
        log.flush();
        if (options.run.events)
            write_event(*options.run.events, {{"event", "run_done"},
                                              {"index", i},
                                              {"label", record.label},
                                              {"seed", record.seed},
                                              {"dir", (out / record.dir).string()},
                                              {"status", record.status},
                                              {"metrics", to_event(record.metrics)}});
        if (progress) progress->run_finished(record.status == "done");
    };
    if (options.jobs == 1) {
        for (const std::size_t i : todo) {
            StudyOptions one = options;
            if (progress) {
                progress->erase();
                one.run.progress_prefix = progress->prefix();
            }
            std::ostringstream quiet;  // the run's own summary goes to its log.txt
            finished(i, run_in_process(study.runs[i], out, one, true, quiet));
        }
    } else {
        run_children(study, todo, out, options, finished);
    }
    if (progress) progress->erase();
    print_summary(index, out, options.report, log);
    if (options.run.events) {
        const auto count = [&](const char* status) {
            return std::count_if(index.runs.begin(), index.runs.end(),
                                 [&](const StudyRecord& r) { return r.status == status; });
        };
        write_event(*options.run.events,
                    {{"event", "study_done"},
                     {"study", index.name},
                     {"runs", index.runs.size()},
                     {"done", count("done")},
                     {"failed", count("failed")},
                     {"pending", count("pending")},
                     {"outputs", out.string()},
                     {"summary", summary_json(index, out)}});
    }
    if (!failed.empty())
        throw Error(fmt::format("{} of {} runs failed; see {}", failed.size(), study.runs.size(),
                                fmt::join(failed, ", ")));
}

void run_any_command(const StudyOptions& options, std::ostream& log) {
    if (scenarios::is_study_file(options.run.scenario)) return study_command(options, log);
    if (options.jobs != 1 || !options.only.empty() || !options.emit.empty() || options.child)
        throw ConfigError(fmt::format(
            "-j, --only and --emit apply to study files (with [study], [[variant]] or [sweep]); "
            "{} is a single scenario",
            options.run.scenario.string()));
    run_command(options.run, log);
}

void validate_any_command(const RunOptions& options, std::ostream& log) {
    if (!scenarios::is_study_file(options.scenario)) return validate_command(options, log);
    const scenarios::Study study = load(options);
    fmt::print(log, "{}: ok, study {}: {} runs ({} labels x {} seeds from {})\n",
               options.scenario.string(), study.name, study.runs.size(), study.labels.size(),
               study.repeats, study.first_seed);
    for (const scenarios::StudyRun& run : study.runs) {
        if (run.seed != study.first_seed) continue;
        const sim::WorldSpec& w = run.scenario.world;
        fmt::print(log, "  {}: {} workers, algorithm {} (H = {}), model {}\n", run.label,
                   w.workers.size(), sim::to_string(w.algorithm.kind), w.algorithm.inner_steps,
                   run.scenario.training.model.kind);
    }
    fmt::print(log, "  baseline: {}\n", study.baseline.value_or("none"));
}

void collect_command(const fs::path& out, bool report, std::ostream& log) {
    StudyIndex index;
    if (fs::exists(out / "study.json")) {
        index = read_study_index(out / "study.json");
    } else {
        // No index (it was lost): every <label>/<seed>/run.json below OUT is a run.
        index.name = fs::absolute(out).lexically_normal().filename().string();
        std::error_code ec;
        std::vector<fs::path> dirs;
        for (const auto& label : fs::directory_iterator(out, ec))
            if (label.is_directory())
                for (const auto& seed : fs::directory_iterator(label.path(), ec))
                    if (fs::exists(seed.path() / "run.json")) dirs.push_back(seed.path());
        if (dirs.empty())
            throw DataError(fmt::format("{}: no study.json and no <label>/<seed>/run.json below "
                                        "it",
                                        out.string()));
        std::sort(dirs.begin(), dirs.end());
        for (const fs::path& d : dirs) {
            const std::string label = d.parent_path().filename().string();
            std::uint64_t seed = 0;
            std::istringstream(d.filename().string()) >> seed;
            index.runs.push_back({index.runs.size(), label, label, nlohmann::json::object(), seed,
                                  (fs::path(label) / d.filename()).generic_string(), "pending",
                                  nullptr});
        }
    }
    for (StudyRecord& r : index.runs) refresh_record(r, out, index.target);
    write_study_index(out, index);
    const auto count = [&](const char* s) {
        return std::count_if(index.runs.begin(), index.runs.end(),
                             [&](const StudyRecord& r) { return r.status == s; });
    };
    fmt::print(log, "collected {}: {} done, {} failed, {} pending\n", out.string(), count("done"),
               count("failed"), count("pending"));
    print_summary(index, out, report, log);
}

}  // namespace hetsim::engine
