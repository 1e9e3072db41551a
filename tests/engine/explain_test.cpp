// `hetsim explain`: golden outputs for two scenarios (a full table and a by-group summary),
// and the numbers of one row checked against the formulas.
#include "engine/explain.hpp"
#include "scenarios/scenario_loader.hpp"

#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace fs = std::filesystem;

namespace {

std::string read(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

std::string explain(const std::string& name, std::vector<std::string> overrides = {}) {
    hetsim::engine::RunOptions o;
    o.scenario = fs::path(HETSIM_SOURCE_DIR) / "scenarios" / (name + ".toml");
    o.overrides = std::move(overrides);
    std::ostringstream out;
    hetsim::engine::explain_command(o, out);
    return out.str();
}

// Compares with tests/data/golden/<golden>.explain.txt; HETSIM_UPDATE_GOLDEN=1 rewrites it.
void check_golden(const std::string& text, const std::string& golden) {
    const fs::path file = fs::path(HETSIM_TEST_DATA_DIR) / "golden" / (golden + ".explain.txt");
    if (const char* update = std::getenv("HETSIM_UPDATE_GOLDEN"); update && *update == '1') {
        std::ofstream(file, std::ios::binary) << text;
        return;
    }
    REQUIRE(fs::exists(file));
    CHECK(text == read(file));
}

}  // namespace

TEST_CASE("explain prints every worker of groups-8 as in the golden file") {
    check_golden(explain("groups-8"), "groups-8");
}

TEST_CASE("explain summarises a world of more than 64 workers by group") {
    const std::string text = explain("lognormal-64", {"workers.count=100"});
    CHECK(text.find("100 workers, by group (min / median / max):") != std::string::npos);
    check_golden(text, "lognormal-100");
}

TEST_CASE("an explained row follows the DyLU rule and the link formulas") {
    // groups-8, worker 6 (t4): 400ms x 10/7 = 571.4ms; the fastest is 50ms, so
    // H_w = floor(50 x 50ms / 571.43ms) = 4 and the round is 4 x 571.4ms = 2.286s; a pull of
    // 10 MB at 100 Mbps is 800ms + 80ms latency = 880ms.
    const std::string text = explain("groups-8");
    std::istringstream lines(text);
    std::string line;
    std::string row6;
    while (std::getline(lines, line))
        if (line.starts_with("   6  ")) row6 = line;
    std::istringstream fields(row6);
    std::vector<std::string> f;
    for (std::string x; fields >> x;) f.push_back(x);
    REQUIRE(f.size() == 14);
    CHECK(f[1] == "t4");
    CHECK(f[2] == "400ms");
    CHECK(f[4] == "571.4ms");
    CHECK(f[9] == "2.286s");
    CHECK(f[10] == "880ms");
    CHECK(f[11] == "880ms");
    CHECK(f[12] == "4");
    CHECK(f[13] == "2h");
}

TEST_CASE("explain refuses a bad scenario with the loader's error") {
    hetsim::engine::RunOptions o;
    o.scenario = fs::path(HETSIM_TEST_DATA_DIR) / "bad_scenarios" / "workers-unknown-preset.toml";
    std::ostringstream out;
    CHECK_THROWS_AS(hetsim::engine::explain_command(o, out), hetsim::ScenarioError);
    CHECK(out.str().empty());
}
