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

/// Runs `scenario` (model.kind != "none"). When `model.bytes` was not given, sets
/// scenario.world.model_bytes to parameters x model.bytes_per_parameter first.
/// `live_metrics`, when given, points at the trainer's evaluations while the run lasts (the
/// progress line shows the latest one) and is reset to null before returning.
TrainingRun run_training(scenarios::Scenario& scenario, const sim::RecordOptions& record,
                         const std::vector<analysis::MetricsRow>** live_metrics = nullptr);

}  // namespace hetsim::engine
