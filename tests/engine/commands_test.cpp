#include "engine/commands.hpp"
#include "sim/error.hpp"

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <unistd.h>

namespace fs = std::filesystem;
using hetsim::engine::RunOptions;

namespace {

std::string read(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

fs::path scenario(const std::string& name) {
    return fs::path(HETSIM_SOURCE_DIR) / "scenarios" / (name + ".toml");
}

// A fresh folder under the system temp dir, removed at the end of the test.
struct TempDir {
    fs::path path;
    TempDir() {
        static int counter = 0;
        path = fs::temp_directory_path() /
               ("hetsim-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
        fs::remove_all(path);
        fs::create_directories(path);
    }
    ~TempDir() { fs::remove_all(path); }
};

// Runs a scenario into dir/name and returns the folder.
fs::path run(const TempDir& tmp, const std::string& name, const std::string& sub,
             std::vector<std::string> overrides = {}, bool trace = false) {
    RunOptions o;
    o.scenario = scenario(name);
    o.out = tmp.path / sub;
    o.overrides = std::move(overrides);
    o.trace = trace;
    std::ostringstream log;
    hetsim::engine::run_command(o, log);
    return *o.out;
}

}  // namespace

TEST_CASE("every example scenario runs and writes its files") {
    TempDir tmp;
    for (const char* name :
         {"homogeneous-8", "straggler-8", "lognormal-64", "flaky-16", "asyncdiloco-toy"}) {
        CAPTURE(name);
        const fs::path out = run(tmp, name, name);
        for (const char* file : {"updates.csv", "workers.csv", "run.json"})
            CHECK(fs::file_size(out / file) > 0);
        CHECK(read(out / "updates.csv").find('\n') != std::string::npos);
    }
}

TEST_CASE("the same scenario and seed give byte-identical outputs; another seed does not") {
    TempDir tmp;
    const fs::path a = run(tmp, "flaky-16", "a", {}, true);
    const fs::path b = run(tmp, "flaky-16", "b", {}, true);
    const fs::path c = run(tmp, "flaky-16", "c", {"seed=12345"}, true);
    for (const char* file : {"updates.csv", "workers.csv", "trace.csv"}) {
        CAPTURE(file);
        CHECK(read(a / file) == read(b / file));
        CHECK(read(a / file) != read(c / file));
    }
}

TEST_CASE("a finished run is never overwritten without --overwrite") {
    TempDir tmp;
    const fs::path out = run(tmp, "homogeneous-8", "run");
    const std::string before = read(out / "updates.csv");
    RunOptions o;
    o.scenario = scenario("homogeneous-8");
    o.out = out;
    o.overrides = {"algorithm.kind=sync"};
    std::ostringstream log;
    CHECK_THROWS_AS(hetsim::engine::run_command(o, log), hetsim::ConfigError);
    CHECK(read(out / "updates.csv") == before);
    o.overwrite = true;
    hetsim::engine::run_command(o, log);
    CHECK(read(out / "updates.csv") != before);
}

TEST_CASE("an invalid scenario writes nothing") {
    TempDir tmp;
    const fs::path out = run(tmp, "homogeneous-8", "run");
    const std::string before = read(out / "updates.csv");
    RunOptions o;
    o.scenario = scenario("homogeneous-8");
    o.out = out;
    o.overwrite = true;
    o.overrides = {"workers.count=0"};
    std::ostringstream log;
    CHECK_THROWS_AS(hetsim::engine::run_command(o, log), hetsim::ScenarioError);
    CHECK(fs::exists(out / "run.json"));
    CHECK(read(out / "updates.csv") == before);
    o.out = tmp.path / "never";
    CHECK_THROWS_AS(hetsim::engine::run_command(o, log), hetsim::ScenarioError);
    CHECK(!fs::exists(tmp.path / "never"));
}

TEST_CASE("the straggler-8 event trace matches the golden trace exactly") {
    // Regenerate after an intended change of behaviour with (one line):
    //   build/default/hetsim run scenarios/straggler-8.toml --set run.server_updates=12
    //   --trace --out /tmp/g && cp /tmp/g/trace.csv tests/data/golden/straggler-8.trace.csv
    TempDir tmp;
    const fs::path out = run(tmp, "straggler-8", "golden", {"run.server_updates=12"}, true);
    const std::string golden =
        read(fs::path(HETSIM_TEST_DATA_DIR) / "golden" / "straggler-8.trace.csv");
    REQUIRE(!golden.empty());
    CHECK(read(out / "trace.csv") == golden);
}

TEST_CASE("a training run with the same seed writes byte-identical metrics.csv and updates.csv") {
    TempDir tmp;
    const std::string toml = R"(
seed = 3
[model]
kind = "mlp"
hidden = [32]
[data]
source = "gaussian-mixture"
examples = 2048
batch_size = 16
[workers]
count = 4
step_time = "100ms"
multiplier = { dist = "lognormal", mu = 0.0, sigma = 0.4 }
[algorithm]
kind = "async"
inner_steps = 5
[outer]
optimizer = "delayed-nesterov"
[outer.delayed_nesterov]
buffer = 4
[eval]
every = "2s"
[run]
server_updates = 40
)";
    const fs::path file = tmp.path / "mlp.toml";
    std::ofstream(file) << toml;
    std::string first;
    for (const char* sub : {"a", "b"}) {
        RunOptions o;
        o.scenario = file;
        o.out = tmp.path / sub;
        std::ostringstream log;
        hetsim::engine::run_command(o, log);
        CHECK(log.str().find("final eval") != std::string::npos);
    }
    for (const char* f : {"metrics.csv", "updates.csv"}) {
        CAPTURE(f);
        const std::string a = read(tmp.path / "a" / f);
        CHECK(a == read(tmp.path / "b" / f));
        CHECK(a.size() > 100);
    }
    // Evaluations on the 2 s grid from 0 s, and the final one.
    const std::string metrics = read(tmp.path / "a" / "metrics.csv");
    CHECK(metrics.starts_with("time_s,server_updates,inner_steps,examples,tokens,loss,"));
    CHECK(metrics.find("\n0.000000000,0,0,") != std::string::npos);
    CHECK(metrics.find("\n2.000000000,") != std::string::npos);
    CHECK(metrics.find("host_s") == std::string::npos);
}
