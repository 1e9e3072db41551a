#pragma once
// The `hetsim` subcommands as library functions, so tests can call them without a process.

#include "scenarios/scenario.hpp"

#include <cstdint>
#include <filesystem>
#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

namespace hetsim::engine {

/// What `hetsim run` and `hetsim validate` take from the command line.
struct RunOptions {
    std::filesystem::path scenario;
    /// Output folder; default "out/<scenario name>".
    std::optional<std::filesystem::path> out;
    std::vector<std::string> overrides;  ///< --set key=value, in order
    std::optional<std::uint64_t> seed;   ///< --seed
    bool trace = false;                  ///< also write trace.csv
    bool overwrite = false;              ///< replace a finished run already in `out`
    /// Add the host_s column to metrics.csv (off by default: without it metrics.csv is
    /// byte-identical between runs of the same scenario and seed).
    bool host_time = false;
    /// run_command only: write report.html, report.md and figures/ into the run folder at the
    /// end (`hetsim run` sets it unless --no-report; study runs leave it to the study).
    bool report = false;
    /// Where to draw the live progress line (engine/progress.hpp); null: none. The CLI passes
    /// stderr when it is a terminal and $CI is not set.
    std::ostream* progress = nullptr;
    /// Put before the progress line: a study's "run 3/8 |" (engine/progress.hpp).
    std::string progress_prefix;
    /// --log-format json: where the JSON-lines records go (stdout in the CLI): "progress" about
    /// once per host second and "summary" at the end (docs/outputs.md); null: none. Wins over
    /// `progress`.
    std::ostream* events = nullptr;
};

/// Loads and validates the scenario, runs it, writes updates.csv, workers.csv, run.json (and
/// trace.csv) into the output folder and prints the summary to `log`. Nothing is written when
/// the scenario is invalid or the folder already holds a run (unless `overwrite`).
void run_command(const RunOptions& options, std::ostream& log);

/// Runs an already loaded scenario as run_command does (options.scenario and the load options
/// are not used): the study runner's way to run one expanded run.
void run_scenario(scenarios::Scenario scenario, const RunOptions& options, std::ostream& log);

/// Loads and validates the scenario and prints a short description of the resolved world.
void validate_command(const RunOptions& options, std::ostream& log);

/// Prints a Markdown table comparing finished runs (their run.json files).
void compare_command(const std::vector<std::filesystem::path>& runs, std::ostream& out);

}  // namespace hetsim::engine
