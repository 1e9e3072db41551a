// A real (timing-only) run written with the run-file writers and read back: the analysis
// numbers equal those computed from the run's records in memory.

#include "analysis/run_data.hpp"
#include "analysis/run_files.hpp"
#include "analysis/run_metrics.hpp"
#include "analysis/summary.hpp"
#include "analysis_test_util.hpp"
#include "scenarios/scenario_loader.hpp"
#include "sim/schedule.hpp"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <sstream>

namespace fs = std::filesystem;
using namespace hetsim;

namespace {

template <typename Writer>
void write(const fs::path& file, Writer writer, const sim::RunResult& r) {
    std::ostringstream text;
    writer(text, r);
    analysis::write_text_atomically(file, text.str());
}

}  // namespace

TEST_CASE("numbers read back from a simulated run's files equal the run's own") {
    // flaky-16 has failures (down time, lost rounds); straggler-8 runs async (staleness).
    const std::pair<const char*, const char*> cases[] = {{"flaky-16.toml", "sync"},
                                                         {"straggler-8.toml", "async"}};
    for (const auto& [scenario_file, kind] : cases) {
        CAPTURE(kind);
        scenarios::LoadOptions load;
        load.overrides = {std::string("algorithm.kind=") + kind, "run.duration=\"20min\""};
        const scenarios::Scenario sc =
            scenarios::load_scenario(fs::path(HETSIM_SOURCE_DIR) / "scenarios" / scenario_file, load);
        sim::RecordOptions record;
        record.timeline = true;
        const sim::RunResult result = sim::run_schedule(sc.world, nullptr, record);
        const analysis::RunSummary summary = analysis::summarise(result);

        analysis::test::ScratchDir dir(std::string("simulated-") + kind);
        write(dir.path() / "updates.csv", analysis::write_updates_csv, result);
        write(dir.path() / "workers.csv", analysis::write_workers_csv, result);
        write(dir.path() / "timeline.csv", analysis::write_timeline_csv, result);
        const nlohmann::json run = {
            {"seed", sc.world.seed},
            {"scenario", scenarios::to_json(sc)},
            {"result",
             {{"virtual_time_s", summary.virtual_time_s},
              {"stop_reason", summary.stop_reason},
              {"server_updates", summary.server_updates},
              {"inner_steps", summary.inner_steps}}}};
        analysis::write_text_atomically(dir.path() / "run.json", run.dump());

        const analysis::RunData data = analysis::read_run_data(dir.path());
        CHECK_NOTHROW(analysis::check_timeline(data));
        const analysis::RunMetrics m = analysis::compute_run_metrics(data, std::nullopt);
        CHECK(m.metric == analysis::Metric::none);
        CHECK(m.bytes == summary.bytes);
        CHECK(m.staleness_max == summary.staleness_max);
        CHECK(m.staleness_mean == doctest::Approx(summary.staleness_mean).epsilon(1e-12));
        CHECK(m.utilisation_mean == doctest::Approx(summary.utilisation_mean).epsilon(1e-12));
        std::vector<std::int64_t> s;
        for (const sim::UpdateRecord& u : result.updates) s.push_back(u.staleness);
        std::sort(s.begin(), s.end());
        REQUIRE(!s.empty());
        CHECK(m.staleness_p50 == s[(s.size() + 1) / 2 - 1]);
        CHECK(m.staleness_p99 == analysis::percentile(s, 99));
        CHECK(data.updates.size() == result.updates.size());
        for (std::size_t w = 0; w < result.workers.size(); ++w) {
            CHECK(data.workers[w].compute == result.workers[w].compute);
            CHECK(data.workers[w].down == result.workers[w].down);
        }
    }
}
