#include "engine/study_index.hpp"

#include "analysis/csv_table.hpp"
#include "analysis/run_files.hpp"
#include "analysis/run_metrics.hpp"
#include "hetsim/version.hpp"
#include "sim/error.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <fstream>

namespace hetsim::engine {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

// The numbers copied into the index, in study.csv's column order.
constexpr const char* kMetricColumns[] = {
    "virtual_time_s", "server_updates", "inner_steps", "staleness_mean", "staleness_max",
    "utilisation_mean", "bytes", "failures", "loss", "perplexity", "accuracy", "time_to_target_s"};

json read_json_file(const fs::path& file) {
    std::ifstream in(file);
    if (!in) throw DataError(fmt::format("{}: cannot be read", file.string()));
    try {
        return json::parse(in);
    } catch (const json::exception& e) {
        throw DataError(fmt::format("{}: corrupt JSON ({})", file.string(), e.what()));
    }
}

// The evaluations of metrics.csv, and the first time they reach `target` (interpolated).
std::optional<double> time_to_target(const fs::path& metrics_csv, double target) {
    const analysis::CsvTable csv = analysis::CsvTable::read(metrics_csv);
    std::vector<analysis::EvalPoint> evals(csv.rows());
    const std::size_t t = csv.column("time_s"), u = csv.column("server_updates"),
                      s = csv.column("inner_steps"), l = csv.column("loss"),
                      p = csv.column("perplexity"), a = csv.column("accuracy");
    bool perplexity = false;
    for (std::size_t r = 0; r < csv.rows(); ++r) {
        evals[r] = {csv.real(r, t), csv.integer(r, u), csv.integer(r, s), csv.real(r, l),
                    csv.real(r, p), 0.0, csv.real(r, a)};
        perplexity = perplexity || evals[r].perplexity > 0;
    }
    const auto metric = perplexity ? analysis::Metric::perplexity : analysis::Metric::accuracy;
    return analysis::reach_target(evals, metric, target, analysis::Axis::time);
}

json run_metrics(const fs::path& dir, std::optional<double> target) {
    const fs::path file = dir / "run.json";
    const json run = read_json_file(file);
    try {
        const json& result = run.at("result");
        json out = json::object();
        for (const char* key : {"virtual_time_s", "server_updates", "inner_steps",
                                "staleness_mean", "staleness_max", "utilisation_mean", "bytes",
                                "failures"})
            out[key] = result.at(key);
        out["loss"] = out["perplexity"] = out["accuracy"] = out["time_to_target_s"] = nullptr;
        const json& training = run.at("training");
        if (training.is_object() && training.contains("final")) {
            const json& last = training.at("final");
            out["loss"] = last.at("loss");
            if (last.at("perplexity").get<double>() > 0)
                out["perplexity"] = last.at("perplexity");
            else
                out["accuracy"] = last.at("accuracy");
            if (target && fs::exists(dir / "metrics.csv"))
                if (const auto t = time_to_target(dir / "metrics.csv", *target))
                    out["time_to_target_s"] = *t;
        }
        return out;
    } catch (const json::exception& e) {
        throw DataError(fmt::format("{}: not a hetsim run.json ({})", file.string(), e.what()));
    }
}

std::string csv_cell(const json& v) {
    if (v.is_null()) return "";
    std::string text = v.is_string() ? v.get<std::string>() : v.dump();
    if (text.find_first_of(",\"\n") == std::string::npos) return text;
    std::string quoted = "\"";
    for (const char c : text) quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
    return quoted + "\"";
}

std::string format_csv(const StudyIndex& index) {
    std::string out = "index,label,variant";
    for (const std::string& key : index.sweep_keys) out += "," + csv_cell(key);
    out += ",seed,dir,status";
    for (const char* c : kMetricColumns) out += std::string(",") + c;
    out += '\n';
    for (const StudyRecord& r : index.runs) {
        out += fmt::format("{},{},{}", r.index, r.label, r.variant);
        for (const std::string& key : index.sweep_keys)
            out += "," + csv_cell(r.sweep.contains(key) ? r.sweep[key] : json(nullptr));
        out += fmt::format(",{},{},{}", r.seed, r.dir, r.status);
        for (const char* c : kMetricColumns)
            out += "," + csv_cell(r.metrics.is_object() ? r.metrics.value(c, json(nullptr)) : json());
        out += '\n';
    }
    return out;
}

json to_json(const StudyIndex& index) {
    json runs = json::array();
    for (const StudyRecord& r : index.runs)
        runs.push_back({{"index", r.index},  {"label", r.label},   {"variant", r.variant},
                        {"sweep", r.sweep},  {"seed", r.seed},     {"dir", r.dir},
                        {"status", r.status}, {"metrics", r.metrics}});
    return {{"hetsim_version", kVersion},
            {"study", index.name},
            {"source", index.source},
            {"target", index.target ? json(*index.target) : json(nullptr)},
            {"baseline", index.baseline ? json(*index.baseline) : json(nullptr)},
            {"repeats", index.repeats},
            {"first_seed", index.first_seed},
            {"sweep_keys", index.sweep_keys},
            {"runs", runs}};
}

}  // namespace

StudyIndex make_study_index(const scenarios::Study& study) {
    StudyIndex index;
    index.name = study.name;
    index.source = fs::absolute(study.source).lexically_normal().string();
    index.target = study.target;
    index.baseline = study.baseline;
    index.repeats = study.repeats;
    index.first_seed = study.first_seed;
    index.sweep_keys = study.sweep_keys;
    for (const scenarios::StudyRun& run : study.runs)
        index.runs.push_back({run.index, run.label, run.variant, run.sweep, run.seed,
                              run.dir().generic_string(), "pending", nullptr});
    return index;
}

StudyIndex read_study_index(const fs::path& file) {
    const json j = read_json_file(file);
    try {
        StudyIndex index;
        index.name = j.at("study").get<std::string>();
        index.source = j.at("source").get<std::string>();
        if (!j.at("target").is_null()) index.target = j.at("target").get<double>();
        if (!j.at("baseline").is_null()) index.baseline = j.at("baseline").get<std::string>();
        index.repeats = j.at("repeats").get<int>();
        index.first_seed = j.at("first_seed").get<std::uint64_t>();
        index.sweep_keys = j.at("sweep_keys").get<std::vector<std::string>>();
        for (const json& r : j.at("runs"))
            index.runs.push_back(
                {r.at("index").get<std::size_t>(), r.at("label").get<std::string>(),
                 r.at("variant").get<std::string>(), r.at("sweep"),
                 r.at("seed").get<std::uint64_t>(), r.at("dir").get<std::string>(),
                 r.at("status").get<std::string>(), r.at("metrics")});
        return index;
    } catch (const json::exception& e) {
        throw DataError(fmt::format("{}: not a hetsim study.json ({})", file.string(), e.what()));
    }
}

void refresh_record(StudyRecord& record, const fs::path& out, std::optional<double> target) {
    const fs::path dir = out / record.dir;
    record.metrics = nullptr;
    if (fs::exists(dir / "run.json")) {
        record.metrics = run_metrics(dir, target);
        record.status = "done";
    } else {
        record.status = fs::exists(dir / "log.txt") ? "failed" : "pending";
    }
}

void write_study_index(const fs::path& out, const StudyIndex& index) {
    analysis::write_text_atomically(out / "study.json", to_json(index).dump(2) + "\n");
    analysis::write_text_atomically(out / "study.csv", format_csv(index));
}

}  // namespace hetsim::engine
