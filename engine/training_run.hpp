#pragma once
// A scenario with a real model: builds its data and model, sizes the transfers from the
// model, and runs the schedule with the trainer in the loop.

#include "analysis/metrics.hpp"
#include "scenarios/scenario.hpp"
#include "sim/run_records.hpp"

#include <nlohmann/json.hpp>

#include <vector>

namespace hetsim::engine {

struct TrainingRun {
    sim::RunResult result;
    std::vector<analysis::MetricsRow> metrics;
    /// Model and data facts for run.json: description, parameters, bytes, FLOPs, fingerprint.
    nlohmann::json info;
};

/// Tells glibc's allocator to keep freed memory for reuse (process-wide, idempotent): blocks up
/// to 32 MiB come from the heap instead of fresh mmap()s, and up to 256 MiB of free heap stays
/// mapped. A training step frees and allocates parameter-sized buffers (gradients, deltas,
/// copies) all the time; returning them to the kernel made it fault every page back in (5,900
/// faults per 4000 MLP steps, ~10% of the time). Never changes results. run_training calls it.
void keep_freed_memory();

/// Runs `scenario` (model.kind != "none"). When `model.bytes` was not given, sets
/// scenario.world.model_bytes to parameters x model.bytes_per_parameter first.
/// `live_metrics`, when given, points at the trainer's evaluations while the run lasts (the
/// progress line shows the latest one) and is reset to null before returning.
TrainingRun run_training(scenarios::Scenario& scenario, const sim::RecordOptions& record,
                         const std::vector<analysis::MetricsRow>** live_metrics = nullptr);

}  // namespace hetsim::engine
