#pragma once
// Headline numbers of a run: what the CLI prints at the end and run.json records.

#include "sim/run_records.hpp"

#include <cstdint>
#include <string>

namespace hetsim::analysis {

struct RunSummary {
    double virtual_time_s = 0;
    std::int64_t server_updates = 0;   ///< server versions (outer steps)
    std::int64_t updates_applied = 0;  ///< worker updates applied (rows of updates.csv)
    std::int64_t inner_steps = 0;
    double staleness_mean = 0;
    std::int64_t staleness_max = 0;
    double utilisation_mean = 0;  ///< mean over workers of compute time / virtual time
    double utilisation_min = 0;
    int utilisation_min_worker = 0;
    double utilisation_max = 0;
    int utilisation_max_worker = 0;
    std::int64_t bytes = 0;  ///< bytes moved by all applied updates
    std::int64_t rounds_lost = 0;
    std::int64_t failures = 0;
    std::uint64_t events = 0;
    std::string stop_reason;
};

/// Computes the summary from a run's records.
RunSummary summarise(const sim::RunResult& result);

/// A human-readable block of "label  value" lines (ends with a newline).
std::string format_summary(const RunSummary& s);

}  // namespace hetsim::analysis
