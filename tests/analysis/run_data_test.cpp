#include "analysis/run_data.hpp"
#include "analysis_test_util.hpp"
#include "sim/error.hpp"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <fstream>

namespace fs = std::filesystem;
using namespace hetsim::analysis;
using hetsim::sim::Time;

namespace {

void write(const fs::path& file, const std::string& text) {
    std::ofstream out(file, std::ios::binary | std::ios::trunc);
    out << text;
}

}  // namespace

TEST_CASE("a schedule is described by its kind, local steps and the optimizer that steps the model") {
    nlohmann::json s = nlohmann::json::parse(R"({
        "algorithm": {"kind": "async", "local_steps": "dylu"},
        "training": {"model": {"kind": "gpt"}, "inner": {"optimizer": "adamw"},
                     "outer": {"optimizer": "delayed-nesterov"}}})");
    CHECK(describe_schedule(s) == "async + dylu, outer delayed-nesterov");
    // Data-parallel: no outer optimizer, the inner one steps on the averaged gradient.
    s["algorithm"] = {{"kind", "ddp"}, {"local_steps", "fixed"}};
    CHECK(describe_schedule(s) == "ddp, adamw");
    // Timing-only: no optimizer at all.
    s["training"]["model"]["kind"] = "none";
    CHECK(describe_schedule(s) == "ddp");
}

TEST_CASE("a run folder reads back with every file") {
    const RunData run = read_run_data(test::fixture_study() / "sync" / "1", "sync");
    CHECK(run.label == "sync");
    CHECK(run.seed == 1);
    CHECK(run.schedule == "sync, outer nesterov");
    CHECK(run.virtual_time_s == 10.0);
    REQUIRE(run.evals.size() == 4);
    CHECK(run.evals[1].time_s == 4.0);
    CHECK(run.evals[1].perplexity == 60.0);
    REQUIRE(run.updates.size() == 4);
    CHECK(run.updates[2].time == Time{8'000'000'000});
    REQUIRE(run.workers.size() == 2);
    CHECK(run.workers[1].down == Time{1'000'000'000});
    CHECK(run.timeline.size() == 12);
    CHECK(run.worker_info.at(1).step_time == "2s");
}

TEST_CASE("the timeline tiles each worker's run and sums to workers.csv") {
    for (const char* dir : {"sync/1", "sync/2", "async/1"}) {
        CAPTURE(dir);
        const RunData run = read_run_data(test::fixture_study() / dir);
        CHECK_NOTHROW(check_timeline(run));
    }
    RunData run = read_run_data(test::fixture_study() / "sync" / "1");
    SUBCASE("a gap is named") {
        run.timeline[1].start = Time{3'500'000'000};
        CHECK_THROWS_WITH_AS(check_timeline(run),
                             doctest::Contains("worker 0: interval starts at 3.500000000 s, "
                                               "expected 3.000000000 s"),
                             hetsim::DataError);
    }
    SUBCASE("a wrong total is named") {
        run.workers[1].idle += Time{1};
        CHECK_THROWS_WITH_AS(check_timeline(run),
                             doctest::Contains("worker 1: idle intervals sum to 3.000000000 s, "
                                               "workers.csv says 3.000000001 s"),
                             hetsim::DataError);
    }
}

TEST_CASE("malformed run files give errors naming file, line and column") {
    test::ScratchDir dir("run-data-bad");
    const fs::path run = dir.path() / "r";
    fs::copy(test::fixture_study() / "sync" / "1", run);
    SUBCASE("not a number") {
        write(run / "updates.csv",
              "time_s,worker,round,version_pulled,version_applied,staleness,inner_steps,bytes,"
              "weight,norm\n4.000000000,0,0,0,0,0,2,lots,1,\n");
        CHECK_THROWS_WITH_AS(read_run_data(run),
                             doctest::Contains("updates.csv:2: column 'bytes': expected an integer, "
                                               "found 'lots'"),
                             hetsim::DataError);
    }
    SUBCASE("a missing column") {
        write(run / "workers.csv", "worker,compute_s\n0,1.0\n");
        CHECK_THROWS_WITH_AS(read_run_data(run), doctest::Contains("workers.csv:1: no column 'local_steps'"),
                             hetsim::DataError);
    }
    SUBCASE("a short row") {
        write(run / "timeline.csv", "worker,start_s,end_s,state\n0,0.000000000,1.000000000\n");
        CHECK_THROWS_WITH_AS(read_run_data(run),
                             doctest::Contains("timeline.csv:2: expected 4 fields like the header, found 3"),
                             hetsim::DataError);
    }
    SUBCASE("an unknown state") {
        write(run / "timeline.csv", "worker,start_s,end_s,state\n0,0.000000000,1.000000000,nap\n");
        CHECK_THROWS_WITH_AS(read_run_data(run), doctest::Contains("found 'nap'"), hetsim::DataError);
    }
    SUBCASE("corrupt run.json") {
        write(run / "run.json", "{\"seed\": 1");
        CHECK_THROWS_WITH_AS(read_run_data(run), doctest::Contains("run.json: not valid JSON"),
                             hetsim::DataError);
    }
    SUBCASE("a timing-only run has no metrics.csv: fine") {
        fs::remove(run / "metrics.csv");
        CHECK(read_run_data(run).evals.empty());
    }
}

TEST_CASE("a study folder groups seeds by label") {
    SUBCASE("from <label>/<seed>/run.json") {
        const Study s = read_study({test::fixture_study()});
        CHECK(s.labels == std::vector<std::string>{"async", "sync"});
        REQUIRE(s.runs.size() == 3);
        CHECK(runs_of(s, "sync").size() == 2);
        CHECK(runs_of(s, "sync")[1]->seed == 2);
    }
    SUBCASE("from study.json, with its target and baseline") {
        test::ScratchDir dir("study-json");
        test::copy_fixture(dir.path());
        write(dir.path() / "study.json",
              R"({"runs": [{"label": "sync", "seed": 1, "dir": "sync/1"},
                           {"label": "fast", "seed": 1, "dir": "async/1"},
                           {"label": "sync", "seed": 3, "dir": "sync/3"}],
                  "target": 50, "baseline": "sync"})");
        const Study s = read_study({dir.path()});
        CHECK(s.labels == std::vector<std::string>{"sync", "fast"});
        CHECK(s.runs.size() == 2);  // sync/3 has not finished: left out
        CHECK(s.target == 50.0);
        CHECK(s.baseline == "sync");
    }
    SUBCASE("several run folders: labels are the folder names") {
        const Study s = read_study({test::fixture_study() / "sync" / "2", test::fixture_study() / "async" / "1"});
        CHECK(s.labels == std::vector<std::string>{"2", "1"});
    }
    SUBCASE("a folder with no runs") {
        test::ScratchDir dir("study-empty");
        CHECK_THROWS_WITH_AS(read_study({dir.path()}), doctest::Contains("not a run or a study"),
                             hetsim::DataError);
    }
}
