#include "analysis/plot.hpp"
#include "analysis/plot_data.hpp"
#include "analysis_test_util.hpp"

#include <doctest/doctest.h>
#include <fmt/format.h>

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <sstream>

namespace fs = std::filesystem;
using namespace hetsim::analysis;

namespace {

// Sets an environment variable for one scope.
class EnvOverride {
public:
    EnvOverride(const char* name, const char* value) : name_(name) {
        if (const char* old = std::getenv(name)) old_ = old, had_ = true;
        ::setenv(name, value, 1);
    }
    ~EnvOverride() {
        if (had_) ::setenv(name_, old_.c_str(), 1);
        else ::unsetenv(name_);
    }

private:
    const char* name_;
    std::string old_;
    bool had_ = false;
};

}  // namespace

TEST_CASE("mean curves average seeds on the union of their x values") {
    const Study s = read_study({test::fixture_study()});
    const std::vector<CurvePoint> c = mean_curve(runs_of(s, "sync"), Metric::perplexity, Axis::time);
    REQUIRE(c.size() == 4);
    CHECK(c[1].x == 4.0);
    CHECK(c[1].mean == 65.0);
    CHECK(c[1].min == 60.0);
    CHECK(c[1].max == 70.0);
    // One seed: its evaluations as they are.
    const auto a = mean_curve(runs_of(s, "async"), Metric::perplexity, Axis::updates);
    REQUIRE(a.size() == 5);
    CHECK(a[2].x == 3.0);
    CHECK(a[2].mean == 45.0);
    const auto hist = staleness_histogram(runs_of(s, "async"));
    REQUIRE(hist.size() == 3);
    CHECK(hist[2].first == 2);
    CHECK(hist[2].second == doctest::Approx(2.0 / 6.0));
    // Targets reached by every label: from the worst start (100) to the worst best (sync: 30).
    const std::vector<double> t = auto_targets(s, Metric::perplexity);
    REQUIRE(t.size() == 6);
    CHECK(t.back() == 30.0);
    CHECK(t.front() == doctest::Approx(100.0 * std::pow(0.3, 1.0 / 6.0)));
}

TEST_CASE("Gantt rows are clipped to the window") {
    const Study s = read_study({test::fixture_study()});
    const std::vector<TimelineRow> rows = gantt_rows(*runs_of(s, "sync")[0], std::pair{3.5, 7.0});
    // worker 0: communicate [3.5,4) compute [4,7); worker 1: communicate [3.5,4) compute [4,6) down [6,7)
    REQUIRE(rows.size() == 5);
    CHECK(rows[0].start == hetsim::sim::Time{3'500'000'000});
    CHECK(rows[4].state == hetsim::sim::WorkerState::down);
    CHECK(rows[4].end == hetsim::sim::Time{7'000'000'000});
}

TEST_CASE("every figure is drawn as PNG of its size and SVG with one path group per series") {
    if (!find_gnuplot()) {
        MESSAGE("gnuplot is not installed: figures not drawn (tools/setup installs gnuplot-nox)");
        return;
    }
    test::ScratchDir dir("plots");
    ReportOptions options;
    options.targets = {50};
    options.window = std::pair{0.0, 8.0};
    std::ostringstream log;
    const FigureSet set = write_figures(read_study({test::fixture_study()}), dir.path(), options, log);
    CHECK_MESSAGE(set.gnuplot_ok, set.message);
    std::vector<std::string> names;
    for (const Figure& f : set.figures) names.push_back(f.name);
    CHECK(names == std::vector<std::string>{"perplexity_time", "perplexity_updates",
                                            "perplexity_steps", "speedup", "staleness_histogram",
                                            "staleness_time", "gantt", "utilisation"});
    for (const Figure& f : set.figures) {
        CAPTURE(f.name);
        CHECK(f.drawn);
        const auto [w, h] = test::png_size(dir.path() / (f.name + ".png"));
        CHECK(w == static_cast<std::uint32_t>(f.width));
        CHECK(h == static_cast<std::uint32_t>(f.height));
        // One titled path group per series; untitled groups are the seeds' min..max bands
        // (sync has two seeds, async one).
        std::vector<std::string> titled;
        int bands = 0;
        for (const std::string& t : test::svg_series(dir.path() / (f.name + ".svg")))
            t.rfind("gnuplot_plot_", 0) == 0 ? ++bands : (titled.push_back(t), 0);
        CHECK(titled == f.series);
        CHECK(bands == (f.name.rfind("perplexity_", 0) == 0 ? 1 : 0));
        CHECK(fs::exists(f.script));
        for (const fs::path& d : f.data) CHECK(fs::file_size(d) > 0);
    }
    CHECK(set.figures[0].series == std::vector<std::string>{"async", "sync"});
    CHECK(set.figures[3].series == std::vector<std::string>{"async"});  // speed-up over sync
    // Gantt: two panels (async, sync), four states each.
    CHECK(set.figures[6].series.size() == 8);
    CHECK(log.str().find("perplexity_time.png") != std::string::npos);
}

TEST_CASE("without gnuplot the data files and scripts are still written, with a clear message") {
    test::ScratchDir dir("plots-no-gnuplot");
    const EnvOverride no_gnuplot("HETSIM_GNUPLOT", "/nonexistent/gnuplot");
    std::ostringstream log;
    const FigureSet set = write_figures(read_study({test::fixture_study()}), dir.path(), {}, log);
    CHECK_FALSE(set.gnuplot_ok);
    CHECK(set.message.find("gnuplot-nox") != std::string::npos);
    CHECK(log.str().find("gnuplot-nox") != std::string::npos);
    for (const Figure& f : set.figures) {
        CAPTURE(f.name);
        CHECK_FALSE(f.drawn);
        CHECK(fs::exists(f.script));
        CHECK_FALSE(fs::exists(dir.path() / (f.name + ".png")));
        for (const fs::path& d : f.data) CHECK(fs::exists(d));
    }
    CHECK(fs::exists(dir.path() / "gantt_0.dat"));
    CHECK(fs::exists(dir.path() / "utilisation.dat"));
}

TEST_CASE("a study sweeping keys over variants gets one panel per sweep point, a colour per variant") {
    // The fixture's sync and async, as if swept over h = 1 and h = 2 (study.json's view).
    const Study fixture = read_study({test::fixture_study()});
    Study s = fixture;
    s.labels.clear();
    s.runs.clear();
    for (const int h : {1, 2})
        for (const std::string& variant : fixture.labels) {
            const std::string label = fmt::format("{}__h-{}", variant, h);
            s.labels.push_back(label);
            s.variant_of[label] = variant;
            s.sweep_of[label] = fmt::format("{{\"h\":{}}}", h);
            for (const RunData* r : runs_of(fixture, variant)) {
                s.runs.push_back(*r);
                s.runs.back().label = label;
            }
        }
    test::ScratchDir dir("panels");
    ReportOptions options;
    options.x = "time";
    std::ostringstream log;
    const FigureSet set = write_figures(s, dir.path(), options, log);
    const Figure& f = set.figures.at(0);
    REQUIRE(f.name == "perplexity_time");
    CHECK(f.series == std::vector<std::string>{"async", "sync", "async", "sync"});
    const std::string gp = test::read_file(f.script);
    CHECK(gp.find("set multiplot layout 1,2 title") != std::string::npos);
    // Both panels on one y range: the fixture's perplexities from 20 to 100, plus 5% each side.
    CHECK(gp.find("  set yrange [16:104]\n") != std::string::npos);
    CHECK(gp.find("set title \"h = 1\" noenhanced") < gp.find("set title \"h = 2\" noenhanced"));
    // async is the first colour in both panels, sync the second.
    CHECK(gp.find("index 0 using 1:2 with lines lw 2 lc rgb \"#1f77b4\" title \"async\"") !=
          std::string::npos);
    CHECK(gp.find("index 2 using 1:2 with lines lw 2 lc rgb \"#1f77b4\" title \"async\"") !=
          std::string::npos);
    CHECK(gp.find("index 3 using 1:2 with lines lw 2 lc rgb \"#d62728\" title \"sync\"") !=
          std::string::npos);
    // Drawn: the PNG is two panels wide, the SVG has each panel's series.
    REQUIRE(f.drawn);
    const auto [w, h] = test::png_size(dir.path() / (f.name + ".png"));
    CHECK(w == 1200);
    CHECK(h == 420);
    std::vector<std::string> titled;
    for (const std::string& t : test::svg_series(dir.path() / (f.name + ".svg")))
        if (t.rfind("gnuplot_plot_", 0) != 0) titled.push_back(t);
    CHECK(titled == f.series);
}

TEST_CASE("a diverged series is marked in the key and does not set the perplexity axis") {
    test::ScratchDir dir("diverged");
    test::copy_fixture(dir.path());
    ReportOptions options;
    options.figures = false;  // scripts and data only: no gnuplot needed
    options.x = "time";
    std::ostringstream log;
    // Untouched fixture: nothing diverged, the y axis is gnuplot's own.
    write_figures(read_study({dir.path()}), dir.path() / "figures", options, log);
    std::string gp = test::read_file(dir.path() / "figures" / "perplexity_time.gp");
    CHECK(gp.find("(diverged)") == std::string::npos);
    CHECK(gp.find("set yrange") == std::string::npos);

    // async's last evaluation overflows: 1e103 (and its final value exceeds its first).
    const fs::path csv = dir.path() / "async" / "1" / "metrics.csv";
    std::string text = test::read_file(csv);
    const std::string last = "2.99573227,20,";
    REQUIRE(text.find(last) != std::string::npos);
    text.replace(text.find(last), last.size(), "237.16,1e103,");
    std::ofstream(csv, std::ios::binary) << text;
    write_figures(read_study({dir.path()}), dir.path() / "figures", options, log);
    gp = test::read_file(dir.path() / "figures" / "perplexity_time.gp");
    CHECK(gp.find("title \"async (diverged)\"") != std::string::npos);
    CHECK(gp.find("title \"sync\"") != std::string::npos);
    // The range stops 5% above the highest value of the series that did not diverge: sync's
    // first evaluation, 100.
    CHECK(gp.find("  ymax = 105\n  set yrange [*:ymax]\n") != std::string::npos);
    // The diverged series is held at the top where it leaves the range; the others are not.
    CHECK(gp.find("index 0 using 1:($2 > ymax ? ymax : $2) with lines lw 2 dt 2") !=
          std::string::npos);
    CHECK(gp.find("index 1 using 1:2 with lines") != std::string::npos);
    CHECK(test::read_file(dir.path() / "figures" / "perplexity_time.dat")
              .find("# label: async (diverged)\n") != std::string::npos);
}
