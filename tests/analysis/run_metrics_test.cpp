#include "analysis/report_table.hpp"
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

TEST_CASE("with a sweep, each label is compared with the baseline variant at its sweep point") {
    const Study fixture = read_study({test::fixture_study()});
    // Study.json's view of a sweep over h: sync and async at h = 1 and h = 2, where "sync" at
    // h = 2 has the async runs' numbers, and an h = 3 point that did not finish.
    Study s;
    s.dir = fixture.dir;
    s.baseline = "sync";
    s.name = "sweep";
    const auto add = [&](const std::string& from, const std::string& variant, int h) {
        const std::string label = variant + "__h-" + std::to_string(h);
        for (const RunData* r : runs_of(fixture, from)) {
            s.runs.push_back(*r);
            s.runs.back().label = label;
        }
        s.labels.push_back(label);
        s.variant_of[label] = variant;
        s.sweep_of[label] = "{\"h\":" + std::to_string(h) + "}";
        s.planned.emplace_back(label, 2);
    };
    add("sync", "sync", 1);
    add("async", "async", 1);
    add("async", "sync", 2);
    add("async", "async", 2);
    s.variant_of["async__h-3"] = "async";
    s.sweep_of["async__h-3"] = "{\"h\":3}";
    s.planned.emplace_back("async__h-3", 2);

    CHECK(choose_baseline(s, "") == "sync");
    CHECK(baseline_label(s, "async__h-1", "sync") == "sync__h-1");
    CHECK(baseline_label(s, "async__h-2", "sync") == "sync__h-2");
    CHECK(baseline_label(s, "sync__h-2", "sync") == "sync__h-2");
    CHECK(baseline_label(s, "async__h-3", "sync").empty());  // no sync run at h = 3
    CHECK(baseline_label(s, "async__h-2", "async__h-1") == "async__h-1");  // a label: fixed

    const std::vector<LabelSummary> sum = summarise_study(s, 50.0);
    REQUIRE(sum.size() == 5);
    const std::vector<LabelSummary> plain = summarise_study(fixture, 50.0);
    // h = 1 is the fixture's study; at h = 2 async is compared with itself (speed-up 1 on
    // average), not with sync at h = 1.
    CHECK(sum[1].speedup.mean == doctest::Approx(plain[0].speedup.mean));
    CHECK(sum[3].baseline == "sync__h-2");
    CHECK(sum[3].speedup.mean == doctest::Approx(1.0));
    CHECK(sum[3].speedup.min == doctest::Approx(plain[0].speedup.min / plain[0].speedup.mean));
    CHECK(sum[4].label == "async__h-3");
    CHECK(sum[4].runs == 0);
    CHECK(sum[4].planned == 2);
    CHECK(sum[4].speedup.n == 0);

    // Without a target: inner steps per virtual second over the baseline's mean.
    const std::vector<LabelSummary> rate = summarise_study(s, std::nullopt);
    const auto sps = [&](const std::string& label) {
        std::vector<double> v;
        for (const RunData* r : runs_of(s, label))
            v.push_back(static_cast<double>(r->inner_steps) / r->virtual_time_s);
        return v;
    };
    const std::vector<double> base = sps("sync__h-1"), mine = sps("async__h-1");
    REQUIRE(base.size() == 2);
    REQUIRE(mine.size() == 1);
    CHECK(rate[1].speedup.mean == doctest::Approx(mine[0] / ((base[0] + base[1]) / 2)));
    CHECK(rate[1].speedup.mean == doctest::Approx(1.5));  // 12 / 10 s over 8 / 10 s
    CHECK(rate[0].speedup.mean == doctest::Approx(1.0));

    // The table: "0/2" runs for the unfinished label, its cells empty.
    const SummaryTable t = make_summary_table(sum, 50.0, "sync");
    CHECK(t.header[6] == "time to perplexity 50.000 (s)");
    CHECK(t.header[7] == "speed-up vs sync");
    CHECK(t.rows[4][1] == "0/2");
    CHECK(t.rows[4][7] == "-");
    CHECK(t.rows[3][7] == format_spread(sum[3].speedup, "{:.2f}x"));
}
