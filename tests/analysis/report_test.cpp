#include "analysis/report.hpp"
#include "analysis_test_util.hpp"

#include <doctest/doctest.h>

#include <sstream>

namespace fs = std::filesystem;
using namespace hetsim::analysis;

TEST_CASE("report.html is one file with every label, the summary numbers and inline figures") {
    test::ScratchDir dir("report");
    test::copy_fixture(dir.path());
    ReportOptions options;
    options.targets = {50};
    std::ostringstream log;
    const ReportOutput out = write_report(dir.path(), options, log);
    CHECK(out.html == dir.path() / "report.html");
    const std::string html = test::read_file(out.html);
    const std::string md = test::read_file(out.markdown);
    CHECK(html.find("<td>async</td>") != std::string::npos);
    CHECK(html.find("<td>sync</td>") != std::string::npos);
    for (const std::string& text : {html, md}) {
        // time to perplexity 50: sync 6.0 s mean over 5.3 and 6.7; async 3.7 s, 1.62x faster
        CHECK(text.find("6.0 [5.3..6.7]") != std::string::npos);
        CHECK(text.find("3.7") != std::string::npos);
        CHECK(text.find("1.62x") != std::string::npos);
        CHECK(text.find("30.000 [25.000..35.000]") != std::string::npos);  // final perplexity
        CHECK(text.find("92.5%") != std::string::npos);                     // async utilisation
    }
    CHECK(md.find("| async | 1 | async, outer nesterov |") != std::string::npos);
    CHECK(md.find("| sync | 2 | sync, outer nesterov |") != std::string::npos);
    // Text from run.json is escaped, nothing is fetched, no script.
    CHECK(html.find("hand-made &lt;fixture&gt; &amp; test") != std::string::npos);
    CHECK(html.find("<fixture>") == std::string::npos);
    CHECK(html.find("<script") == std::string::npos);
    CHECK(html.find("http://") == html.find("http://www.w3.org"));  // only SVG namespaces
    CHECK(html.find("https://") == std::string::npos);
    if (out.gnuplot_ok) {
        CHECK(out.figures.size() == 8);
        std::size_t svgs = 0;
        for (std::size_t at = html.find("<svg"); at != std::string::npos; at = html.find("<svg", at + 1))
            ++svgs;
        CHECK(svgs == 8);
        CHECK(html.find("id=\"f0-gnuplot_canvas\"") != std::string::npos);  // ids made unique
        CHECK(html.find("id=\"f7-gnuplot_canvas\"") != std::string::npos);
    }
    CHECK(summary_table_text(dir.path(), options) == md.substr(md.find("| label")));
}

TEST_CASE("a single run gets a report too, without a target") {
    test::ScratchDir dir("report-one");
    fs::copy(test::fixture_study() / "async" / "1", dir.path() / "run");
    ReportOptions options;
    options.figures = false;
    std::ostringstream log;
    const ReportOutput out = write_report(dir.path() / "run", options, log);
    const std::string md = test::read_file(out.markdown);
    CHECK(md.find("| run | 1 | async, outer nesterov | 10.0 | 6 | 20.000 | 1.00 | 1 | 2 | 2 | "
                  "0.000 | 92.5% |") != std::string::npos);
    CHECK(fs::exists(dir.path() / "run" / "figures" / "gantt.gp"));
}
