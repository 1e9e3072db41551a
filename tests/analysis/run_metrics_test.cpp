#include "analysis/run_metrics.hpp"
#include "analysis_test_util.hpp"
#include "sim/error.hpp"

#include <doctest/doctest.h>

using namespace hetsim::analysis;

// The fixture's numbers, worked out by hand (tests/data/analysis/make_fixture.py).
TEST_CASE("time to target interpolates linearly between the evaluations around it") {
    const Study s = read_study({test::fixture_study()});
    const RunMetrics sync1 = compute_run_metrics(*runs_of(s, "sync")[0], 50.0);
    // 60 at 4 s, 30 at 8 s: 4 + 4 (60 - 50) / (60 - 30) = 5.333... s
    CHECK(*sync1.time_to_target_s == doctest::Approx(4.0 + 4.0 / 3.0).epsilon(1e-12));
    const RunMetrics async1 = compute_run_metrics(*runs_of(s, "async")[0], 50.0);
    // 80 at 2 s, 45 at 4 s: 2 + 2 (80 - 50) / (80 - 45)
    CHECK(*async1.time_to_target_s == doctest::Approx(2.0 + 60.0 / 35.0).epsilon(1e-12));
    CHECK(reach_target(runs_of(s, "async")[0]->evals, Metric::perplexity, 50.0, Axis::updates) ==
          doctest::Approx(1.0 + 2.0 * 30.0 / 35.0));
    CHECK_FALSE(compute_run_metrics(*runs_of(s, "sync")[0], 10.0).time_to_target_s);  // never
    CHECK(compute_run_metrics(*runs_of(s, "sync")[0], 150.0).time_to_target_s == 0.0);  // at once
}

TEST_CASE("accuracy targets are reached from below") {
    std::vector<EvalPoint> e(3);
    e[0].time_s = 0, e[0].accuracy = 0.2;
    e[1].time_s = 10, e[1].accuracy = 0.6;
    e[2].time_s = 20, e[2].accuracy = 0.9;
    CHECK(*reach_target(e, Metric::accuracy, 0.7) == doctest::Approx(10.0 + 10.0 / 3.0));
}

TEST_CASE("staleness statistics, bytes and utilisation come from the CSV files") {
    const Study s = read_study({test::fixture_study()});
    const RunMetrics m = compute_run_metrics(*runs_of(s, "async")[0], std::nullopt);
    // staleness 0, 0, 2, 1, 1, 2
    CHECK(m.staleness_mean == 1.0);
    CHECK(m.staleness_p50 == 1);
    CHECK(m.staleness_p99 == 2);
    CHECK(m.staleness_max == 2);
    CHECK(m.bytes == 600);
    CHECK(m.utilisation == std::vector<double>{0.9, 0.95});
    CHECK(m.utilisation_mean == doctest::Approx(0.925));
    CHECK(*m.final_metric == 20.0);
    CHECK(percentile({5, 1, 3, 2, 4}, 50) == 3);
    CHECK(percentile({}, 99) == 0);
}

TEST_CASE("a study summary gives mean and range over seeds, and speed-ups over the baseline") {
    const Study s = read_study({test::fixture_study()});
    const std::vector<LabelSummary> sum = summarise_study(s, 50.0);
    REQUIRE(sum.size() == 2);
    const LabelSummary& async = sum[0];
    const LabelSummary& sync = sum[1];
    CHECK(choose_baseline(s, "") == "sync");
    CHECK(sync.runs == 2);
    CHECK(sync.final_metric.mean == 30.0);
    CHECK(sync.final_metric.min == 25.0);
    CHECK(sync.final_metric.max == 35.0);
    CHECK(sync.time_to_target.mean == doctest::Approx(6.0));
    // speed-up = sync's mean time to target (6 s) / each run's time
    CHECK(async.speedup.mean == doctest::Approx(6.0 / (2.0 + 60.0 / 35.0)));
    CHECK(sync.speedup.min == doctest::Approx(0.9));
    CHECK(sync.speedup.max == doctest::Approx(1.125));
    CHECK(sync.bytes.mean == 800.0);
    CHECK(sync.utilisation.mean == doctest::Approx(0.5));
    CHECK_THROWS_AS(summarise_study(s, 50.0, "nope"), hetsim::ConfigError);
}
