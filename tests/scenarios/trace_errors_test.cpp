// Every trace error: each trace-*.toml fixture in tests/data/bad_scenarios/ fails with its
// file (the CSV's, for errors inside a trace), line, column, column name and message.
#include "scenarios/scenario_loader.hpp"
#include "scenarios/trace_reader.hpp"

#include <doctest/doctest.h>

#include <filesystem>
#include <map>
#include <string>

namespace {

namespace fs = std::filesystem;
using hetsim::ScenarioError;

const fs::path kBadDir = fs::path(HETSIM_TEST_DATA_DIR) / "bad_scenarios";

// Fixture (tests/data/bad_scenarios/trace-*.toml) -> its message after the fixture directory;
// "{dir}" stands for that directory. Trace errors name the CSV file, the others the scenario.
const std::map<std::string, std::string> kTraceErrors = {
    {"trace-availability-worker-out-of-range.toml",
     "trace-availability-worker-out-of-range.csv:3:1: worker: expected a worker index "
     "in 0..1 (workers.count = 2), found 2"},
    {"trace-both-id-columns.toml",
     "trace-both-id-columns.csv:1:1: expected exactly one of the columns `client_id` "
     "and `worker`, found both"},
    {"trace-client-id-without-devices.toml",
     "trace-client-id-without-devices.csv:2:1: client_id: expected a `worker` column "
     "(a `client_id` column maps rows to devices, which needs workers.trace.devices), "
     "found a `client_id` column"},
    {"trace-devices-step-time-overflow.toml",
     "trace-devices-step-time-overflow.csv:2:1: computation_ms_per_sample: expected a "
     "step time (x 1000000000 samples per step) of at least 1ns and below about 292 "
     "years, found 1e+18 ms"},
    {"trace-devices-with-network-bandwidth.toml",
     "trace-devices-with-network-bandwidth.toml:7:13: network.bandwidth: expected no "
     "network-wide bandwidth beside workers.trace.devices (each worker's link rate "
     "comes from its device; [[network.override]] may still change some), found "
     "string \"1Gbps\""},
    {"trace-devices-with-groups.toml",
     "trace-devices-with-groups.toml:4:11: workers.trace.devices: expected no device trace "
     "with [[workers.group]] (the trace gives every worker's step time and link; groups set "
     "their own): drop the groups, or use `multiplier` and [[workers.override]] on top of the "
     "trace, found [[workers.group]] on line 5"},
    {"trace-devices-with-step-time.toml",
     "trace-devices-with-step-time.toml:4:13: workers.step_time: expected no "
     "`step_time` beside workers.trace.devices (the device trace gives the step "
     "times; `multiplier` and [[workers.override]] still apply), found both"},
    {"trace-duplicate-client.toml",
     "trace-duplicate-client.csv:4:1: client_id: expected each client_id once, found "
     "\"a\" again (first on line 2)"},
    {"trace-duplicate-column.toml",
     "trace-duplicate-column.csv:1:37: expected each column once, found column "
     "`client_id` again"},
    {"trace-empty-field.toml",
     "trace-empty-field.csv:2:3: computation_ms_per_sample: expected a value, found "
     "an empty field"},
    {"trace-empty-file.toml",
     "trace-empty-file.csv:1:1: expected a header line "
     "`client_id,computation_ms_per_sample,communication_kbps`, found an empty file"},
    {"trace-empty-table.toml",
     "trace-empty-table.toml:5:1: workers.trace: expected at least one of `devices`, "
     "`availability`, `speed`, found none"},
    {"trace-end-before-start.toml",
     "trace-end-before-start.csv:2:6: end_s: expected a time > start_s = 50, found "
     "\"40\""},
    {"trace-field-count.toml",
     "trace-field-count.csv:2:7: expected 3 fields "
     "(client_id,computation_ms_per_sample,communication_kbps), found 4 fields"},
    {"trace-header-only.toml",
     "trace-header-only.csv:2:1: expected at least one row after the header, found "
     "none"},
    {"trace-missing-column.toml",
     "trace-missing-column.csv:2:1: expected a column `communication_kbps` (columns: "
     "client_id, computation_ms_per_sample, communication_kbps), found columns "
     "client_id, computation_ms_per_sample"},
    {"trace-missing-file.toml",
     "trace-missing-file.toml:5:11: workers.trace.devices: expected a readable CSV "
     "trace file (relative to the scenario), found string \"no-such-trace.csv\" (No "
     "such file or directory: {dir}no-such-trace.csv)"},
    {"trace-nan-computation.toml",
     "trace-nan-computation.csv:3:3: computation_ms_per_sample: expected a number > "
     "0, found \"nan\" (not finite)"},
    {"trace-negative-bandwidth.toml",
     "trace-negative-bandwidth.csv:2:5: communication_kbps: expected a number > 0, "
     "found \"-5\""},
    {"trace-negative-time.toml",
     "trace-negative-time.csv:2:3: start_s: expected a time in seconds, >= 0 and "
     "below about 292 years (9.2e9), found \"-1\""},
    {"trace-no-id-column.toml",
     "trace-no-id-column.csv:1:1: expected exactly one of the columns `client_id` and "
     "`worker`, found neither"},
    {"trace-no-matching-client.toml",
     "trace-no-matching-client.csv:2:1: client_id: expected rows for at least one of "
     "the workers' devices (no row matches any; are the ids those of the device "
     "trace?), found 1 row of other ids"},
    {"trace-not-a-number.toml",
     "trace-not-a-number.csv:2:3: computation_ms_per_sample: expected a number > 0, "
     "found \"12ms\""},
    {"trace-only-comments.toml",
     "trace-only-comments.csv:2:1: expected a header line "
     "`client_id,computation_ms_per_sample,communication_kbps`, found only comments "
     "and blank lines"},
    {"trace-quoted-field.toml",
     "trace-quoted-field.csv:2:1: client_id: expected a plain field (quoting is not "
     "supported), found \"\\\"a\\\"\""},
    {"trace-sample-without-devices.toml",
     "trace-sample-without-devices.toml:6:10: workers.trace.sample: expected "
     "`devices` as well (it applies to a device trace), found string \"in-order\""},
    {"trace-samples-per-step-with-model.toml",
     "trace-samples-per-step-with-model.toml:8:20: workers.trace.samples_per_step: "
     "expected no `samples_per_step` with model.kind = \"mlp\" (a step is "
     "data.batch_size = 16 samples), found integer 8"},
    {"trace-speed-bad-worker.toml",
     "trace-speed-bad-worker.csv:2:1: worker: expected a worker index (an integer >= "
     "0), found \"1.5\""},
    {"trace-speed-times-backwards.toml",
     "trace-speed-times-backwards.csv:4:3: time_s: expected a time > 10 (worker 1's "
     "row on line 2), found \"10\" (times go backwards)"},
    {"trace-speed-worker-out-of-range.toml",
     "trace-speed-worker-out-of-range.csv:2:1: worker: expected a worker index in "
     "0..1 (workers.count = 2), found 7"},
    {"trace-speed-zero-factor.toml",
     "trace-speed-zero-factor.csv:2:6: factor: expected a number > 0, found \"0\""},
    {"trace-times-backwards.toml",
     "trace-times-backwards.csv:5:3: start_s: expected a time >= 300 (the end of "
     "worker 0's interval on line 4), found \"150\" (times go backwards or overlap)"},
    {"trace-unknown-column.toml",
     "trace-unknown-column.csv:1:37: expected one of client_id, "
     "computation_ms_per_sample, communication_kbps (did you mean "
     "`communication_kbps`?), found unknown trace column \"comunication_kbps\""},
    {"trace-unknown-key.toml",
     "trace-unknown-key.toml:6:1: workers.trace.device: expected one of devices, "
     "sample, samples_per_step, availability, speed (did you mean `devices`?), found "
     "unknown key `device`"},
    {"trace-unknown-sample.toml",
     "trace-unknown-sample.toml:6:10: workers.trace.sample: expected one of "
     "\"random\", \"in-order\", found string \"shuffled\""},
};

std::string expected_error(const std::string& text) {
    std::string out = text;
    if (const auto at = out.find("{dir}"); at != std::string::npos)
        out.replace(at, 5, (kBadDir / "").string());
    return (kBadDir / "").string() + out;
}


// The message of the ScenarioError that loading `file` throws ("" when it throws none).
std::string error_of(const fs::path& file) {
    try {
        (void)hetsim::scenarios::load_scenario(file);
    } catch (const ScenarioError& e) {
        return e.what();
    }
    return "";
}

}  // namespace

TEST_CASE("every trace fixture fails with its file, line, column, column name and message") {
    int fixtures = 0;
    for (const auto& entry : fs::directory_iterator(kBadDir)) {
        const std::string name = entry.path().filename().string();
        if (!name.starts_with("trace-") || entry.path().extension() != ".toml") continue;
        ++fixtures;
        CAPTURE(name);
        REQUIRE(kTraceErrors.count(name) == 1);
        CHECK(error_of(entry.path()) == expected_error(kTraceErrors.at(name)));
    }
    CHECK(fixtures == static_cast<int>(kTraceErrors.size()));
}

TEST_CASE("a trace error carries the trace file, line, column and the column's name") {
    try {
        (void)hetsim::scenarios::parse_speed_trace("worker,time_s,factor\n0,5,1\n\n0,4,2\n",
                                                   "speed.csv");
        FAIL("the trace parsed");
    } catch (const ScenarioError& e) {
        CHECK(e.where().file == "speed.csv");
        CHECK(e.where().line == 4);
        CHECK(e.where().column == 3);
        CHECK(e.key() == "time_s");
        CHECK(e.found() == "\"4\" (times go backwards)");
    }
    // A spreadsheet's byte-order mark and CRLF line ends are accepted.
    const auto trace = hetsim::scenarios::parse_device_trace(
        "\xEF\xBB\xBF" "client_id,computation_ms_per_sample,communication_kbps\r\nz,1e1,2\r\n",
        "bom.csv");
    REQUIRE(trace.devices.size() == 1);
    CHECK(trace.devices[0].client_id == "z");
    CHECK(trace.devices[0].computation_ms_per_sample == 10);
    CHECK(trace.devices[0].communication_kbps == 2);
    CHECK(trace.devices[0].line == 2);
}
