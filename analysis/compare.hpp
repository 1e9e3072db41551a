#pragma once
// A side-by-side table of finished runs, read back from their run.json files: the results
// table of the demo, in Markdown so it can go straight into a report.

#include <filesystem>
#include <string>
#include <vector>

namespace hetsim::analysis {

/// One finished run as its run.json describes it.
struct RunRecord {
    std::string label;        ///< the run folder's name
    std::string schedule;     ///< sync | async | fedbuff | ddp, with DyLU / QSR / outer optimizer
    double virtual_time_s = 0;
    std::int64_t server_updates = 0;
    std::int64_t inner_steps = 0;
    double staleness_mean = 0;
    double utilisation_mean = 0;
    bool trained = false;     ///< a model was trained (else timing-only)
    double loss = 0;
    double perplexity = 0;    ///< 0 unless language modelling
    double accuracy = 0;
};

/// Reads DIR/run.json. Throws hetsim::DataError naming the file when it is missing or corrupt.
RunRecord read_run(const std::filesystem::path& dir);

/// A Markdown table of the runs, one row each, in the given order.
std::string format_run_table(const std::vector<RunRecord>& runs);

}  // namespace hetsim::analysis
