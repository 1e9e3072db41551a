// Running studies: run folders, study.json / study.csv, resume, -j, --only, Slurm scripts,
// collect, and common random numbers across variants (engine/study_command.hpp).
#include "engine/study_command.hpp"
#include "engine/study_index.hpp"
#include "scenarios/study.hpp"
#include "sim/error.hpp"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <unistd.h>

namespace fs = std::filesystem;
using hetsim::engine::StudyOptions;
using nlohmann::json;

namespace {

const fs::path kStudy = fs::path(HETSIM_TEST_DATA_DIR) / "studies" / "small.toml";

std::string read(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

json read_json(const fs::path& p) { return json::parse(read(p)); }

void write(const fs::path& p, const std::string& text) {
    fs::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << text;
}

struct TempDir {
    fs::path path;
    TempDir() {
        static int counter = 0;
        path = fs::temp_directory_path() / ("hetsim-study-test-" + std::to_string(::getpid()) +
                                            "-" + std::to_string(counter++));
        fs::remove_all(path);
        fs::create_directories(path);
    }
    ~TempDir() { fs::remove_all(path); }
};

StudyOptions options(const fs::path& out, int jobs = 1) {
    StudyOptions o;
    o.run.scenario = kStudy;
    o.run.out = out;
    o.jobs = jobs;
    o.executable = HETSIM_BINARY;
    o.report = false;  // report.html and figures: once, below
    return o;
}

std::string run_study(const StudyOptions& o) {
    std::ostringstream log;
    hetsim::engine::study_command(o, log);
    return log.str();
}

const char* const kRunDirs[] = {"sync__inner_steps-5/11",  "sync__inner_steps-5/12",
                                "sync__inner_steps-10/11", "sync__inner_steps-10/12",
                                "async__inner_steps-5/11", "async__inner_steps-5/12",
                                "async__inner_steps-10/11", "async__inner_steps-10/12"};

// (time, worker) of every fail event in a trace.csv.
std::set<std::pair<std::string, std::string>> failures(const fs::path& trace) {
    std::set<std::pair<std::string, std::string>> out;
    std::istringstream in(read(trace));
    std::string line;
    while (std::getline(in, line)) {
        std::vector<std::string> f;
        std::istringstream fields(line);
        for (std::string cell; std::getline(fields, cell, ',');) f.push_back(cell);
        if (f.size() >= 3 && f[2] == "fail") out.insert({f[0], f[1]});
    }
    return out;
}

}  // namespace

TEST_CASE("a study runs every (label, seed) into its folder and indexes them in study.json/csv") {
    TempDir tmp;
    StudyOptions o = options(tmp.path / "out");
    o.report = true;
    const std::string log = run_study(o);
    const fs::path out = tmp.path / "out";
    CHECK(fs::exists(out / "report.html"));  // the analysis report of the study folder
    CHECK(fs::exists(out / "report.md"));
    const json index = read_json(out / "study.json");
    CHECK(index["study"] == "small");
    CHECK(index["source"] == fs::absolute(kStudy).lexically_normal().string());
    CHECK(index["baseline"] == "sync");
    CHECK(index["target"].is_null());
    CHECK(index["repeats"] == 2);
    CHECK(index["sweep_keys"] == json{"algorithm.inner_steps"});
    REQUIRE(index["runs"].size() == 8);
    const std::string csv = read(out / "study.csv");
    std::istringstream lines(csv);
    std::string header;
    std::getline(lines, header);
    CHECK(header == "index,label,variant,algorithm.inner_steps,seed,dir,status,virtual_time_s,"
                    "server_updates,inner_steps,staleness_mean,staleness_max,utilisation_mean,"
                    "bytes,failures,loss,perplexity,accuracy,time_to_target_s");
    for (std::size_t i = 0; i < 8; ++i) {
        CAPTURE(i);
        const json& r = index["runs"][i];
        CHECK(r["index"] == i);
        CHECK(r["dir"] == kRunDirs[i]);
        CHECK(r["status"] == "done");
        CHECK(r["seed"] == 11 + i % 2);
        CHECK(r["variant"] == (i < 4 ? "sync" : "async"));
        CHECK(r["sweep"] == json{{"algorithm.inner_steps", (i / 2) % 2 ? 10 : 5}});
        const json run = read_json(out / kRunDirs[i] / "run.json");
        CHECK(run["seed"] == r["seed"]);
        CHECK(run["scenario"]["algorithm"]["inner_steps"] == r["sweep"]["algorithm.inner_steps"]);
        for (const char* key : {"virtual_time_s", "server_updates", "inner_steps",
                                "staleness_mean", "staleness_max", "utilisation_mean", "bytes",
                                "failures"})
            CHECK(r["metrics"][key] == run["result"][key]);
        CHECK(r["metrics"]["perplexity"].is_null());
        CHECK(fs::exists(out / kRunDirs[i] / "log.txt"));
        std::string row;
        std::getline(lines, row);
        CHECK(row.starts_with(fmt::format("{},{},{},{},{},{},done,{},{},{},", i,
                                          r["label"].get<std::string>(),
                                          r["variant"].get<std::string>(),
                                          r["sweep"]["algorithm.inner_steps"].dump(),
                                          r["seed"].dump(), kRunDirs[i],
                                          run["result"]["virtual_time_s"].dump(),
                                          run["result"]["server_updates"].dump(),
                                          run["result"]["inner_steps"].dump())));
    }
    // The summary's speed-up without a target: each run's inner steps per virtual second over
    // the mean of the sync variant at the same H (analysis/run_metrics.hpp), recomputed here
    // from the run.json files.
    const auto steps_per_s = [&](std::size_t i) {
        const json result = read_json(out / kRunDirs[i] / "run.json")["result"];
        return result["inner_steps"].get<double>() / result["virtual_time_s"].get<double>();
    };
    const auto row = [&](const std::string& label) {
        const std::size_t at = log.find("| " + label + " |");
        REQUIRE(at != std::string::npos);
        return log.substr(at, log.find('\n', at) - at);
    };
    const double base = (steps_per_s(2) + steps_per_s(3)) / 2;  // sync at H = 10
    const double a = steps_per_s(6) / base, b = steps_per_s(7) / base;
    CHECK(row("async__inner_steps-10")
              .starts_with(fmt::format("| async__inner_steps-10 | 2 | async | 60.0 |")));
    CHECK(row("async__inner_steps-10")
              .find(fmt::format("| {:.2f}x [{:.2f}x..{:.2f}x] |", (a + b) / 2, std::min(a, b),
                                std::max(a, b))) != std::string::npos);
    // Each sync label is its own baseline: mean speed-up 1.
    CHECK(row("sync__inner_steps-5").find("| 1.00x [") != std::string::npos);
    CHECK(log.find("speed-up vs sync (steps/s)") != std::string::npos);
    // One summary table: the report's, named after the study.
    CHECK(log.find("| label |") == log.rfind("| label |"));
    CHECK(read(out / "report.md").starts_with("# hetsim report: small\n"));
}

TEST_CASE("a study resumes: complete runs are skipped, incomplete ones rerun") {
    TempDir tmp;
    const fs::path out = tmp.path / "out";
    run_study(options(out));
    std::map<std::string, fs::file_time_type> before;
    for (const char* dir : kRunDirs) before[dir] = fs::last_write_time(out / dir / "updates.csv");
    const std::string kept = read(out / kRunDirs[5] / "updates.csv");
    fs::remove(out / kRunDirs[5] / "run.json");
    const std::string log = run_study(options(out));
    CHECK(log.find("8 runs (7 complete, 1 to run") != std::string::npos);
    for (std::size_t i = 0; i < 8; ++i) {
        CAPTURE(i);
        CHECK(fs::exists(out / kRunDirs[i] / "run.json"));
        CHECK((fs::last_write_time(out / kRunDirs[i] / "updates.csv") == before[kRunDirs[i]]) ==
              (i != 5));
    }
    CHECK(read(out / kRunDirs[5] / "updates.csv") == kept);
    CHECK(read_json(out / "study.json")["runs"][5]["status"] == "done");

    // A changed study refuses to mix its runs with the old ones, unless --overwrite.
    StudyOptions changed = options(out);
    changed.run.overrides = {"network.latency=6ms"};
    CHECK_THROWS_AS(run_study(changed), hetsim::ConfigError);
    CHECK(fs::last_write_time(out / kRunDirs[0] / "updates.csv") == before[kRunDirs[0]]);
    changed.run.overwrite = true;
    CHECK(run_study(changed).find("(0 complete, 8 to run") != std::string::npos);
    CHECK(read_json(out / kRunDirs[0] / "run.json")["scenario"]["workers"]["list"][0]["link"]
                   ["latency"] == "6ms");
}

TEST_CASE("-j 2 runs child processes and writes the same bytes as -j 1") {
    TempDir tmp;
    run_study(options(tmp.path / "j1", 1));
    run_study(options(tmp.path / "j2", 2));
    for (const char* dir : kRunDirs)
        for (const char* file : {"updates.csv", "workers.csv", "timeline.csv"}) {
            CAPTURE(dir);
            CAPTURE(file);
            CHECK(read(tmp.path / "j1" / dir / file) == read(tmp.path / "j2" / dir / file));
        }
    const json j2 = read_json(tmp.path / "j2" / "study.json");
    for (const json& r : j2["runs"]) CHECK(r["status"] == "done");
    // A child's printed summary is its log.
    CHECK(read(tmp.path / "j2" / kRunDirs[3] / "log.txt").find("virtual time") != std::string::npos);
}

TEST_CASE("a failed run is reported with its log; the others still run") {
    TempDir tmp;
    const fs::path out = tmp.path / "out";
    write(out / kRunDirs[2], "not a folder");  // run 2 cannot create its folder
    for (const int jobs : {1, 2}) {
        CAPTURE(jobs);
        std::string message;
        try {
            run_study(options(out, jobs));
        } catch (const hetsim::Error& e) {
            message = e.what();
        }
        CHECK_MESSAGE(message.find("1 of 8 runs failed") != std::string::npos, message);
        const json index = read_json(out / "study.json");
        for (std::size_t i = 0; i < 8; ++i)
            CHECK(index["runs"][i]["status"] == (i == 2 ? "failed" : "done"));
    }
}

TEST_CASE("--only runs the listed runs and leaves study.json alone") {
    TempDir tmp;
    const fs::path out = tmp.path / "out";
    StudyOptions o = options(out);
    o.only = {1, 6};
    run_study(o);
    for (std::size_t i = 0; i < 8; ++i)
        CHECK(fs::exists(out / kRunDirs[i] / "run.json") == (i == 1 || i == 6));
    CHECK_FALSE(fs::exists(out / "study.json"));
    CHECK(run_study(o).find("run 1 (sync__inner_steps-5/12) is already complete") !=
          std::string::npos);
    o.only = {8};
    CHECK_THROWS_WITH_AS(run_study(o),
                         "--only: expected run indices in 0..7 (the study has 8 runs), found 8",
                         hetsim::ConfigError);
}

TEST_CASE("--emit slurm writes a job array; its tasks run locally; collect indexes them") {
    TempDir tmp;
    const fs::path out = tmp.path / "out";
    StudyOptions o = options(out);
    o.emit = "slurm";
    o.run.overrides = {"run.duration=30s"};
    run_study(o);
    const std::string script = read(out / "study.sbatch");
    const fs::path abs_out = fs::absolute(out).lexically_normal();
    CHECK(script.starts_with("#!/bin/bash\n"));
    CHECK(script.find("#SBATCH --array=0-7\n") != std::string::npos);
    CHECK(script.find(fmt::format("#SBATCH --output={}/slurm/%A_%a.out\n", abs_out.string())) !=
          std::string::npos);
    CHECK(script.find(fmt::format("exec {} run {} --out {} --set run.duration=30s --only "
                                  "\"$SLURM_ARRAY_TASK_ID\" --no-report\n",
                                  fs::absolute(HETSIM_BINARY).string(),
                                  fs::absolute(kStudy).string(), fs::absolute(out).string())) !=
          std::string::npos);
    for (const json& r : read_json(out / "study.json")["runs"]) CHECK(r["status"] == "pending");

    // What each array task does, without Slurm: the script with its task id.
    for (int task = 0; task < 8; ++task)
        CHECK(std::system(fmt::format("SLURM_ARRAY_TASK_ID={} bash {} > /dev/null", task,
                                      (out / "study.sbatch").string())
                              .c_str()) == 0);
    std::ostringstream log;
    hetsim::engine::collect_command(out, true, log);
    CHECK(log.str().find("collected " + out.string() + ": 8 done, 0 failed, 0 pending") !=
          std::string::npos);
    const json index = read_json(out / "study.json");
    for (std::size_t i = 0; i < 8; ++i) {
        CHECK(index["runs"][i]["status"] == "done");
        CHECK(index["runs"][i]["metrics"]["virtual_time_s"] ==
              read_json(out / kRunDirs[i] / "run.json")["result"]["virtual_time_s"]);
        CHECK(std::abs(index["runs"][i]["metrics"]["virtual_time_s"].get<double>() - 30) < 1e-9);
    }

    // Without study.json, collect finds the <label>/<seed>/run.json folders itself.
    fs::remove(out / "study.json");
    hetsim::engine::collect_command(out, false, log);
    const json scanned = read_json(out / "study.json");
    REQUIRE(scanned["runs"].size() == 8);
    CHECK(scanned["runs"][0]["dir"] == "async__inner_steps-10/11");
    CHECK(scanned["runs"][0]["status"] == "done");
}

TEST_CASE("variants with the same seed see the same world (common random numbers)") {
    TempDir tmp;
    StudyOptions o = options(tmp.path / "out");
    o.run.trace = true;
    run_study(o);
    const fs::path out = tmp.path / "out";
    for (const auto& [sync, async] : {std::pair{0, 4}, std::pair{3, 7}}) {
        CAPTURE(sync);
        const json a = read_json(out / kRunDirs[sync] / "run.json")["scenario"]["workers"];
        const json b = read_json(out / kRunDirs[async] / "run.json")["scenario"]["workers"];
        CHECK(a == b);  // multipliers drawn per worker, jitter, stragglers, failure settings
        const auto fa = failures(out / kRunDirs[sync] / "trace.csv");
        CHECK(fa.size() >= 4);
        CHECK(fa == failures(out / kRunDirs[async] / "trace.csv"));
    }
    // Another seed is another world.
    CHECK(read_json(out / kRunDirs[0] / "run.json")["scenario"]["workers"] !=
          read_json(out / kRunDirs[1] / "run.json")["scenario"]["workers"]);
    CHECK(failures(out / kRunDirs[0] / "trace.csv") != failures(out / kRunDirs[1] / "trace.csv"));
}

TEST_CASE("time to target interpolates between evaluations in metrics.csv") {
    TempDir tmp;
    const fs::path run = tmp.path / "a" / "1";
    write(run / "metrics.csv",
          "time_s,server_updates,inner_steps,examples,tokens,loss,perplexity,bits_per_byte,"
          "accuracy\n0.000000000,0,0,0,0,4,40,1,0\n10.000000000,5,50,0,0,3,30,1,0\n"
          "20.000000000,10,100,0,0,2,10,1,0\n");
    write(run / "run.json",
          R"({"result": {"virtual_time_s": 20.0, "server_updates": 10, "inner_steps": 100,
              "staleness_mean": 0.5, "staleness_max": 2, "utilisation_mean": 0.9,
              "bytes": 1000, "failures": 0},
              "training": {"final": {"loss": 2, "perplexity": 10, "accuracy": 0}}})");
    hetsim::engine::StudyRecord record;
    record.dir = "a/1";
    hetsim::engine::refresh_record(record, tmp.path, 25.0);
    CHECK(record.status == "done");
    // 30 at 10 s, 10 at 20 s: 25 is reached a quarter of the way, at 12.5 s.
    CHECK(record.metrics["time_to_target_s"] == 12.5);
    CHECK(record.metrics["perplexity"] == 10);
    CHECK(record.metrics["accuracy"].is_null());
    hetsim::engine::refresh_record(record, tmp.path, 5.0);
    CHECK(record.metrics["time_to_target_s"].is_null());  // never reached
    record.dir = "b/1";
    hetsim::engine::refresh_record(record, tmp.path, 5.0);
    CHECK(record.status == "pending");
}
