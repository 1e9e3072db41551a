#pragma once
// The run files: updates.csv, workers.csv, timeline.csv and trace.csv. Their columns are documented in
// docs/outputs.md; writers and (later) readers live together so the format has one home.

#include "sim/run_records.hpp"

#include <filesystem>
#include <iosfwd>
#include <string>

namespace hetsim::analysis {

/// updates.csv: one row per applied update, in apply order.
void write_updates_csv(std::ostream& out, const sim::RunResult& result);
/// workers.csv: one row per worker with how it spent the run.
void write_workers_csv(std::ostream& out, const sim::RunResult& result);
/// trace.csv: every traced event.
void write_trace_csv(std::ostream& out, const sim::RunResult& result);
/// timeline.csv: every worker's state intervals, by worker then start time.
void write_timeline_csv(std::ostream& out, const sim::RunResult& result);

/// Writes `text` to `path` atomically: a temporary file in the same folder, flushed and
/// renamed over `path` only when complete, so a reader never sees half a file. Throws
/// DataError naming the path.
void write_text_atomically(const std::filesystem::path& path, const std::string& text);

}  // namespace hetsim::analysis
