#pragma once
// Reading finished runs back: a run folder's run.json, metrics.csv, updates.csv, workers.csv
// and timeline.csv (columns in docs/outputs.md), and studies made of several runs (a folder
// with study.json, one with <label>/<seed>/run.json or <label>/run.json below it, or a list of
// run folders). Analysis reads files only, never engine state.

#include "sim/run_records.hpp"
#include "sim/time.hpp"

#include <nlohmann/json_fwd.hpp>

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace hetsim::analysis {

/// One row of metrics.csv: an evaluation of the global model.
struct EvalPoint {
    double time_s = 0;  ///< virtual seconds
    std::int64_t server_updates = 0;
    std::int64_t inner_steps = 0;
    double loss = 0;
    double perplexity = 0;  ///< 0 unless language modelling
    double bits_per_byte = 0;
    double accuracy = 0;  ///< fraction in [0, 1]
};

/// One row of updates.csv.
struct UpdateRow {
    sim::Time time{0};
    int worker = 0;
    std::int64_t round = 0;
    std::int64_t version_pulled = 0;
    std::int64_t version_applied = 0;
    std::int64_t staleness = 0;
    std::int64_t inner_steps = 0;
    std::int64_t bytes = 0;
    double weight = 1;
};

/// One row of workers.csv.
struct WorkerRow {
    int worker = 0;
    std::int64_t local_steps = 0;
    sim::Time compute{0};
    sim::Time communication{0};
    sim::Time idle{0};
    sim::Time down{0};
    sim::Time lost_compute{0};
    double utilisation = 0;  ///< as written (6 decimals); recompute from compute for exact use
    std::int64_t updates = 0;
    std::int64_t inner_steps = 0;
    std::int64_t rounds_lost = 0;
    std::int64_t failures = 0;
};

/// One row of timeline.csv.
struct TimelineRow {
    int worker = 0;
    sim::Time start{0};
    sim::Time end{0};
    sim::WorkerState state = sim::WorkerState::idle;
};

/// A worker as the scenario describes it (from run.json), for the report's worker table.
struct WorkerInfo {
    int worker = 0;
    std::string step_time;  ///< effective step time, e.g. "250ms"
    double multiplier = 1;
    std::string latency;
    std::string up_bandwidth;
    std::string down_bandwidth;
    std::string failures;  ///< "-" or "MTBF 2h"
};

/// Everything read from one run folder.
struct RunData {
    std::filesystem::path dir;
    std::string label;  ///< the variant this run belongs to (study label or folder name)
    std::uint64_t seed = 0;
    std::string name;         ///< scenario name
    std::string description;  ///< scenario description
    std::string schedule;     ///< e.g. "async + dylu, outer delayed-nesterov"
    std::string model;        ///< model kind ("none": timing-only)
    std::string hetsim_version;
    std::string stop_reason;
    double virtual_time_s = 0;
    std::int64_t server_updates = 0;
    std::int64_t inner_steps = 0;
    /// Scenario facts for the report, in display order ("workers", "8"), ...
    std::vector<std::pair<std::string, std::string>> facts;
    std::vector<WorkerInfo> worker_info;
    std::vector<EvalPoint> evals;  ///< empty for timing-only runs (no metrics.csv)
    std::vector<UpdateRow> updates;
    std::vector<WorkerRow> workers;
    std::vector<TimelineRow> timeline;  ///< empty when the run has no timeline.csv
    bool has_timeline = false;
};

/// A run's schedule in a few words, from run.json's "scenario": "async + dylu, outer
/// delayed-nesterov", "ddp, adamw" (data-parallel: the inner optimizer on averaged gradients),
/// "sync" (timing-only).
std::string describe_schedule(const nlohmann::json& scenario);

/// Reads a run folder. run.json, updates.csv and workers.csv must exist; metrics.csv and
/// timeline.csv are optional. `label` empty: the folder's name. Throws DataError naming the
/// file (and line, for CSV files) on a missing or malformed file.
RunData read_run_data(const std::filesystem::path& dir, std::string label = {});

/// Checks that each worker's timeline intervals tile [0, end of run) without gaps or overlaps
/// and that their lengths per state equal workers.csv. Throws DataError naming the worker.
void check_timeline(const RunData& run);

/// Several runs grouped by label (variant); seeds are repeats of one label.
struct Study {
    std::filesystem::path dir;        ///< the study folder (or the first run folder)
    std::vector<std::string> labels;  ///< in first-seen order
    std::vector<RunData> runs;        ///< sorted by label order, then seed
    std::optional<double> target;     ///< from study.json
    std::string baseline;             ///< from study.json (a variant's label); may be empty
    bool single_run = false;          ///< one run folder was given
    std::string name;                 ///< study.json's study name; empty: none
    /// From study.json, per label: its variant and its sweep point (JSON text), so that each
    /// label is compared with the baseline variant at the same sweep point. Empty otherwise.
    std::map<std::string, std::string> variant_of, sweep_of;
    /// From study.json: every label it lists (finished or not), in its order, with how many
    /// runs (seeds) it planned. Empty otherwise.
    std::vector<std::pair<std::string, int>> planned;
};

/// Reads what `hetsim plot` / `hetsim report` are pointed at: one folder that is a run
/// (run.json) or a study (study.json, or <label>/<seed>/run.json, or <label>/run.json below
/// it), or several run folders (one study whose labels are the folder names).
Study read_study(const std::vector<std::filesystem::path>& dirs);

/// The runs of `study` with this label.
std::vector<const RunData*> runs_of(const Study& study, const std::string& label);

}  // namespace hetsim::analysis
