#include "analysis/run_data.hpp"

#include "analysis/csv_table.hpp"
#include "sim/error.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <fstream>
#include <map>

namespace hetsim::analysis {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

std::string folder_name(const fs::path& dir) {
    fs::path p = fs::absolute(dir).lexically_normal();
    if (p.filename().empty()) p = p.parent_path();
    return p.filename().string();
}

json read_json(const fs::path& file) {
    std::ifstream in(file);
    if (!in) throw DataError(fmt::format("{}: cannot open (is this a finished run?)", file.string()));
    try {
        return json::parse(in);
    } catch (const json::exception& e) {
        throw DataError(fmt::format("{}: not valid JSON ({})", file.string(), e.what()));
    }
}

// A value shown in the report: strings as they are, numbers and the rest as JSON text.
std::string text_of(const json& j) {
    if (j.is_null()) return "-";
    if (j.is_string()) return j.get<std::string>();
    return j.dump();
}

std::string describe_stop(const json& run) {
    std::vector<std::string> parts;
    if (!run.value("duration", json()).is_null()) parts.push_back("duration " + text_of(run["duration"]));
    if (!run.value("server_updates", json()).is_null())
        parts.push_back(text_of(run["server_updates"]) + " server updates");
    if (!run.value("inner_steps", json()).is_null())
        parts.push_back(text_of(run["inner_steps"]) + " inner steps");
    return fmt::format("{}", fmt::join(parts, " or "));
}

void read_run_json(const fs::path& dir, RunData& run) {
    const fs::path file = dir / "run.json";
    const json j = read_json(file);
    try {
        run.seed = j.at("seed").get<std::uint64_t>();
        run.hetsim_version = j.value("hetsim_version", "");
        const json& s = j.at("scenario");
        const json& r = j.at("result");
        run.name = s.value("name", "");
        run.description = s.value("description", "");
        run.schedule = describe_schedule(s);
        run.model = s.at("training").at("model").at("kind").get<std::string>();
        run.stop_reason = r.at("stop_reason").get<std::string>();
        run.virtual_time_s = r.at("virtual_time_s").get<double>();
        run.server_updates = r.at("server_updates").get<std::int64_t>();
        run.inner_steps = r.at("inner_steps").get<std::int64_t>();
        const json& algorithm = s.at("algorithm");
        run.facts = {
            {"scenario", run.name},
            {"description", run.description},
            {"schedule", run.schedule},
            {"workers", text_of(s.at("workers").at("count"))},
            {"inner steps per round (H)", text_of(algorithm.at("inner_steps"))},
            {"collective", text_of(algorithm.value("collective", json()))},
            {"model", run.model},
            {"bytes per pull or push", text_of(s.value("model_bytes", json()))},
            {"stop", describe_stop(s.at("run"))},
            {"hetsim", run.hetsim_version},
        };
        const json& training = j.value("training", json());
        if (training.is_object() && training.contains("model"))
            run.facts[6].second = fmt::format("{} ({} parameters)", text_of(training["model"]),
                                              text_of(training.value("parameters", json())));
        for (const json& w : s.at("workers").at("list")) {
            WorkerInfo info;
            info.worker = w.at("worker").get<int>();
            info.step_time = text_of(w.value("effective_step_time", json()));
            info.multiplier = w.value("multiplier", 1.0);
            const json& link = w.value("link", json::object());
            info.latency = text_of(link.value("latency", json()));
            info.up_bandwidth = text_of(link.value("up_bandwidth", json()));
            info.down_bandwidth = text_of(link.value("down_bandwidth", json()));
            const json& failures = w.value("failures", json::object());
            const json& mtbf = failures.value("mtbf", json());
            info.failures = mtbf.is_null() ? "-" : "MTBF " + text_of(mtbf);
            if (failures.contains("scripted") && !failures["scripted"].empty())
                info.failures += fmt::format(" + {} scripted", failures["scripted"].size());
            run.worker_info.push_back(info);
        }
    } catch (const json::exception& e) {
        throw DataError(fmt::format("{}: not a hetsim run.json ({})", file.string(), e.what()));
    }
}

void read_metrics(const fs::path& dir, RunData& run) {
    const fs::path file = dir / "metrics.csv";
    if (!fs::exists(file)) return;  // timing-only runs have no evaluations
    const CsvTable t = CsvTable::read(file);
    const std::size_t c_time = t.column("time_s"), c_updates = t.column("server_updates"),
                      c_steps = t.column("inner_steps"), c_loss = t.column("loss"),
                      c_ppl = t.column("perplexity"), c_bpb = t.column("bits_per_byte"),
                      c_acc = t.column("accuracy");
    for (std::size_t i = 0; i < t.rows(); ++i) {
        EvalPoint p;
        p.time_s = t.real(i, c_time);
        p.server_updates = t.integer(i, c_updates);
        p.inner_steps = t.integer(i, c_steps);
        p.loss = t.real(i, c_loss);
        p.perplexity = t.real(i, c_ppl);
        p.bits_per_byte = t.real(i, c_bpb);
        p.accuracy = t.real(i, c_acc);
        if (!run.evals.empty() && p.time_s < run.evals.back().time_s)
            throw DataError(t.where(i) + ": evaluations are not in virtual-time order");
        run.evals.push_back(p);
    }
}

void read_updates(const fs::path& dir, RunData& run) {
    const CsvTable t = CsvTable::read(dir / "updates.csv");
    const std::array<std::size_t, 9> c = {
        t.column("time_s"),    t.column("worker"),      t.column("round"),
        t.column("version_pulled"), t.column("version_applied"), t.column("staleness"),
        t.column("inner_steps"), t.column("bytes"),     t.column("weight")};
    run.updates.reserve(t.rows());
    for (std::size_t i = 0; i < t.rows(); ++i) {
        UpdateRow u;
        u.time = t.time(i, c[0]);
        u.worker = static_cast<int>(t.integer(i, c[1]));
        u.round = t.integer(i, c[2]);
        u.version_pulled = t.integer(i, c[3]);
        u.version_applied = t.integer(i, c[4]);
        u.staleness = t.integer(i, c[5]);
        u.inner_steps = t.integer(i, c[6]);
        u.bytes = t.integer(i, c[7]);
        u.weight = t.real(i, c[8]);
        if (u.staleness != u.version_applied - u.version_pulled)
            throw DataError(t.where(i) + ": staleness is not version_applied - version_pulled");
        run.updates.push_back(u);
    }
}

void read_workers(const fs::path& dir, RunData& run) {
    const CsvTable t = CsvTable::read(dir / "workers.csv");
    const std::array<std::size_t, 12> c = {
        t.column("worker"),  t.column("local_steps"), t.column("compute_s"),
        t.column("communication_s"), t.column("idle_s"), t.column("down_s"),
        t.column("lost_compute_s"), t.column("utilisation"), t.column("updates"),
        t.column("inner_steps"), t.column("rounds_lost"), t.column("failures")};
    for (std::size_t i = 0; i < t.rows(); ++i) {
        WorkerRow w;
        w.worker = static_cast<int>(t.integer(i, c[0]));
        if (w.worker != static_cast<int>(i))
            throw DataError(t.where(i) + fmt::format(": expected worker {}, found {}", i, w.worker));
        w.local_steps = t.integer(i, c[1]);
        w.compute = t.time(i, c[2]);
        w.communication = t.time(i, c[3]);
        w.idle = t.time(i, c[4]);
        w.down = t.time(i, c[5]);
        w.lost_compute = t.time(i, c[6]);
        w.utilisation = t.real(i, c[7]);
        w.updates = t.integer(i, c[8]);
        w.inner_steps = t.integer(i, c[9]);
        w.rounds_lost = t.integer(i, c[10]);
        w.failures = t.integer(i, c[11]);
        run.workers.push_back(w);
    }
}

sim::WorkerState parse_state(const CsvTable& t, std::size_t row, std::size_t col) {
    const std::string& s = t.text(row, col);
    for (sim::WorkerState state : {sim::WorkerState::compute, sim::WorkerState::communicate,
                                   sim::WorkerState::idle, sim::WorkerState::down})
        if (s == sim::to_string(state)) return state;
    throw DataError(t.where(row) + fmt::format(": column 'state': expected compute, communicate, "
                                               "idle or down, found '{}'",
                                               s));
}

void read_timeline(const fs::path& dir, RunData& run) {
    const fs::path file = dir / "timeline.csv";
    if (!fs::exists(file)) return;  // runs made before timeline.csv existed
    const CsvTable t = CsvTable::read(file);
    const std::size_t c_worker = t.column("worker"), c_start = t.column("start_s"),
                      c_end = t.column("end_s"), c_state = t.column("state");
    run.has_timeline = true;
    run.timeline.reserve(t.rows());
    for (std::size_t i = 0; i < t.rows(); ++i) {
        TimelineRow r;
        r.worker = static_cast<int>(t.integer(i, c_worker));
        r.start = t.time(i, c_start);
        r.end = t.time(i, c_end);
        r.state = parse_state(t, i, c_state);
        if (r.end < r.start) throw DataError(t.where(i) + ": end_s is before start_s");
        run.timeline.push_back(r);
    }
}

}  // namespace

std::string describe_schedule(const json& scenario) {
    const json& algorithm = scenario.at("algorithm");
    const std::string kind = algorithm.at("kind").get<std::string>();
    std::string out = kind;
    if (algorithm.value("local_steps", "fixed") != "fixed")
        out += " + " + algorithm.at("local_steps").get<std::string>();
    const json& training = scenario.at("training");
    if (training.at("model").at("kind").get<std::string>() == "none") return out;
    // Data-parallel has no outer optimizer: the inner one steps on the averaged gradient.
    if (kind == "ddp") return out + ", " + training.at("inner").at("optimizer").get<std::string>();
    return out + ", outer " + training.at("outer").at("optimizer").get<std::string>();
}

RunData read_run_data(const fs::path& dir, std::string label) {
    RunData run;
    run.dir = dir;
    run.label = label.empty() ? folder_name(dir) : std::move(label);
    read_run_json(dir, run);
    read_metrics(dir, run);
    read_updates(dir, run);
    read_workers(dir, run);
    read_timeline(dir, run);
    return run;
}

void check_timeline(const RunData& run) {
    const fs::path file = run.dir / "timeline.csv";
    const sim::Time end = run.workers.empty() ? sim::Time{0} : run.workers[0].compute +
        run.workers[0].communication + run.workers[0].idle + run.workers[0].down;
    std::vector<std::array<sim::Time, 4>> sums(run.workers.size());
    std::vector<sim::Time> reached(run.workers.size(), sim::Time{0});
    for (const TimelineRow& r : run.timeline) {
        if (r.worker < 0 || r.worker >= static_cast<int>(run.workers.size()))
            throw DataError(fmt::format("{}: worker {} is not in workers.csv", file.string(), r.worker));
        sim::Time& at = reached[static_cast<std::size_t>(r.worker)];
        if (r.start != at)
            throw DataError(fmt::format("{}: worker {}: interval starts at {} s, expected {} s "
                                        "(a gap or an overlap)",
                                        file.string(), r.worker, sim::format_seconds(r.start),
                                        sim::format_seconds(at)));
        at = r.end;
        sums[static_cast<std::size_t>(r.worker)][static_cast<std::size_t>(r.state)] += r.end - r.start;
    }
    for (std::size_t w = 0; w < run.workers.size(); ++w) {
        const WorkerRow& row = run.workers[w];
        if (reached[w] != end)
            throw DataError(fmt::format("{}: worker {} ends at {} s, the run at {} s", file.string(),
                                        w, sim::format_seconds(reached[w]), sim::format_seconds(end)));
        const std::array<sim::Time, 4> want = {row.compute, row.communication, row.idle, row.down};
        for (std::size_t s = 0; s < 4; ++s)
            if (sums[w][s] != want[s])
                throw DataError(fmt::format(
                    "{}: worker {}: {} intervals sum to {} s, workers.csv says {} s", file.string(),
                    w, sim::to_string(static_cast<sim::WorkerState>(s)),
                    sim::format_seconds(sums[w][s]), sim::format_seconds(want[s])));
    }
}

std::vector<const RunData*> runs_of(const Study& study, const std::string& label) {
    std::vector<const RunData*> out;
    for (const RunData& r : study.runs)
        if (r.label == label) out.push_back(&r);
    return out;
}

// ---- studies ----

namespace {

bool is_run(const fs::path& dir) { return fs::exists(dir / "run.json"); }

std::vector<fs::path> sorted_subfolders(const fs::path& dir) {
    std::vector<fs::path> out;
    std::error_code ec;
    for (const fs::directory_entry& e : fs::directory_iterator(dir, ec))
        if (e.is_directory()) out.push_back(e.path());
    std::sort(out.begin(), out.end());
    return out;
}

void read_study_json(const fs::path& file, Study& study) {
    const json j = read_json(file);
    try {
        if (j.contains("target") && !j["target"].is_null()) study.target = j["target"].get<double>();
        if (j.contains("baseline") && !j["baseline"].is_null())
            study.baseline = j["baseline"].get<std::string>();
        if (j.contains("study") && j["study"].is_string()) study.name = j["study"].get<std::string>();
        for (const json& r : j.at("runs")) {
            const std::string label = r.at("label").get<std::string>();
            if (r.contains("variant") && r["variant"].is_string())
                study.variant_of[label] = r["variant"].get<std::string>();
            if (r.contains("sweep")) study.sweep_of[label] = r["sweep"].dump();
            const auto planned = std::find_if(study.planned.begin(), study.planned.end(),
                                              [&](const auto& p) { return p.first == label; });
            if (planned == study.planned.end())
                study.planned.emplace_back(label, 1);
            else
                ++planned->second;
            const fs::path dir = study.dir / r.at("dir").get<std::string>();
            if (!is_run(dir)) continue;  // a run the study did not finish: report the rest
            study.runs.push_back(read_run_data(dir, r.at("label").get<std::string>()));
        }
    } catch (const json::exception& e) {
        throw DataError(fmt::format("{}: not a hetsim study.json ({})", file.string(), e.what()));
    }
}

// <label>/<seed>/run.json or <label>/run.json below `dir`.
void scan_study_folder(const fs::path& dir, Study& study) {
    for (const fs::path& sub : sorted_subfolders(dir)) {
        const std::string label = sub.filename().string();
        if (is_run(sub)) {
            study.runs.push_back(read_run_data(sub, label));
            continue;
        }
        for (const fs::path& seed : sorted_subfolders(sub))
            if (is_run(seed)) study.runs.push_back(read_run_data(seed, label));
    }
}

}  // namespace

Study read_study(const std::vector<fs::path>& dirs) {
    Study study;
    if (dirs.empty()) throw ConfigError("no run or study folder given");
    study.dir = dirs.front();
    if (dirs.size() > 1) {
        for (const fs::path& d : dirs) {
            if (!is_run(d))
                throw DataError(fmt::format("{}: no run.json (several folders must each be a "
                                            "finished run)",
                                            d.string()));
            study.runs.push_back(read_run_data(d));
        }
    } else if (is_run(study.dir)) {
        study.single_run = true;
        study.runs.push_back(read_run_data(study.dir));
    } else if (fs::exists(study.dir / "study.json")) {
        read_study_json(study.dir / "study.json", study);
    } else {
        if (!fs::is_directory(study.dir))
            throw DataError(fmt::format("{}: no such folder", study.dir.string()));
        scan_study_folder(study.dir, study);
    }
    if (study.runs.empty())
        throw DataError(fmt::format("{}: not a run or a study (no run.json, study.json, "
                                    "<label>/run.json or <label>/<seed>/run.json)",
                                    study.dir.string()));
    for (const RunData& r : study.runs)
        if (std::find(study.labels.begin(), study.labels.end(), r.label) == study.labels.end())
            study.labels.push_back(r.label);
    std::stable_sort(study.runs.begin(), study.runs.end(), [&](const RunData& a, const RunData& b) {
        const auto ia = std::find(study.labels.begin(), study.labels.end(), a.label);
        const auto ib = std::find(study.labels.begin(), study.labels.end(), b.label);
        return ia != ib ? ia < ib : a.seed < b.seed;
    });
    return study;
}

}  // namespace hetsim::analysis
