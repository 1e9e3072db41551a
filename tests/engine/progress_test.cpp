// What `hetsim run` reports while it runs (engine/progress.hpp): the progress record's numbers,
// the JSON-lines records of run_command, and the study line.
#include "engine/commands.hpp"
#include "engine/progress.hpp"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <unistd.h>

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

std::vector<json> lines(const std::string& text) {
    std::vector<json> out;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) out.push_back(json::parse(line));
    return out;
}

}  // namespace

TEST_CASE("a progress record: fraction of the first stop condition reached, latest eval, ETA") {
    hetsim::sim::StopSpec stop;
    stop.duration = hetsim::sim::Time{100'000'000'000};  // 100 s
    stop.server_updates = 50;
    std::ostringstream out;
    hetsim::engine::ProgressLine line(stop, out, hetsim::engine::ProgressLine::Style::json);
    // 20 s of 100 s, but 25 of 50 server updates: half done (the run stops at the first limit).
    const hetsim::sim::Progress p{hetsim::sim::Time{20'000'000'000}, 25, 400};
    CHECK(line.fraction(p) == 0.5);
    json r = json::parse(line.record(p, 3.0).dump());
    CHECK(r["event"] == "progress");
    CHECK(r["virtual_time_s"] == 20.0);
    CHECK(r["server_updates"] == 25);
    CHECK(r["inner_steps"] == 400);
    CHECK(r["eval"].is_null());
    CHECK(r["host_s"] == 3.0);
    CHECK(r["eta_s"] == 3.0);  // as much again
    line.set_eval([] { return std::optional(hetsim::engine::LatestEval{true, 42.5}); });
    CHECK(json::parse(line.record(p, 3.0).dump())["eval"] == json{{"perplexity", 42.5}});
    line.set_eval([] { return std::optional(hetsim::engine::LatestEval{false, 0.75}); });
    CHECK(json::parse(line.record(p, 3.0).dump())["eval"] == json{{"accuracy", 0.75}});
    // Nothing done yet: no ETA.
    CHECK(json::parse(line.record({}, 1.0).dump())["eta_s"].is_null());
    // The last record comes whatever the time since the previous one; "event" leads.
    line.finish(p);
    CHECK(out.str().starts_with("{\"event\":\"progress\","));
    CHECK(lines(out.str()).size() == 1);
}

TEST_CASE("run_command --log-format json: progress records and a summary equal to run.json") {
    const fs::path dir = fs::temp_directory_path() / ("hetsim-progress-" + std::to_string(::getpid()));
    fs::remove_all(dir);
    hetsim::engine::RunOptions o;
    o.scenario = fs::path(HETSIM_SOURCE_DIR) / "scenarios" / "straggler-8.toml";
    o.out = dir;
    std::ostringstream events, log;
    o.events = &events;
    hetsim::engine::run_command(o, log);
    const std::vector<json> records = lines(events.str());
    REQUIRE(records.size() >= 2);
    const json& last_progress = records[records.size() - 2];
    const json& summary = records.back();
    std::ifstream in(dir / "run.json");
    const json run = json::parse(in);
    CHECK(last_progress["event"] == "progress");
    CHECK(last_progress["fraction"] == 1.0);
    CHECK(last_progress["server_updates"] == run["result"]["server_updates"]);
    CHECK(last_progress["inner_steps"] == run["result"]["inner_steps"]);
    CHECK(last_progress["virtual_time_s"] == run["result"]["virtual_time_s"]);
    CHECK(summary["event"] == "summary");
    for (const auto& [key, value] : run["result"].items()) CHECK(summary[key] == value);
    CHECK(summary["final"].is_null());  // timing only
    CHECK(summary["outputs"] == dir.string());
    CHECK(summary["seed"] == run["seed"]);
    CHECK(log.str().find("outputs") != std::string::npos);  // the text log is the caller's
    fs::remove_all(dir);
}

TEST_CASE("the study line counts runs done and failed") {
    std::ostringstream out;
    hetsim::engine::StudyProgress s(4, out);
    CHECK(s.prefix() == "  run 1/4 |");
    s.run_finished(true);
    s.run_finished(false);
    CHECK(out.str().find("runs 2/4 done, 1 failed, ") != std::string::npos);
    CHECK(s.prefix().starts_with("  run 3/4, 1 failed, study ETA "));
}
