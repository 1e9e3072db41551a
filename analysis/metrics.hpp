#pragma once
// Evaluations of the global model over a run: the rows of metrics.csv.

#include "sim/time.hpp"

#include <cstdint>
#include <iosfwd>
#include <vector>

namespace hetsim::analysis {

/// One evaluation of the global model.
struct MetricsRow {
    sim::Time time{0};             ///< virtual time the evaluation stands for
    std::int64_t server_updates = 0;
    std::int64_t inner_steps = 0;  ///< inner steps in applied updates
    std::int64_t examples = 0;     ///< examples in applied updates
    std::int64_t tokens = 0;       ///< tokens in applied updates (lm), else = examples
    double loss = 0;               ///< mean validation loss
    double perplexity = 0;         ///< lm: exp(loss); 0 otherwise
    double bits_per_byte = 0;      ///< lm: loss / ln 2 / bytes per token; 0 otherwise
    double accuracy = 0;           ///< classification; lm: next-token accuracy
    double host_seconds = 0;       ///< host time since training started
};

/// metrics.csv: one row per evaluation, in virtual-time order. host_s (host seconds since
/// training started) is the only column that would differ between two runs of the same
/// scenario and seed, so it is written only when `with_host_time` is set.
void write_metrics_csv(std::ostream& out, const std::vector<MetricsRow>& rows,
                       bool with_host_time = false);

}  // namespace hetsim::analysis
