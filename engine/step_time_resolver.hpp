#pragma once
// Turns the step-time sources the loader could not resolve (device_flops x mfu, "measure")
// into durations, once the model and its data exist, before virtual time 0.

#include "scenarios/scenario.hpp"

#include <nlohmann/json.hpp>

namespace hetsim::models {
class Model;
class Dataset;
}  // namespace hetsim::models

namespace hetsim::engine {

/// Warm-up and timed steps of `step_time = "measure"` (the median of the timed ones).
inline constexpr int kMeasureWarmupSteps = 3;
inline constexpr int kMeasureTimedSteps = 9;

/// Sets world.workers[w].step_time for every worker whose source is device_flops or
/// "measure" (the measurement runs once, with the model's parameters restored afterwards).
/// Returns what was resolved, for run.json: {"kind": "duration"} when nothing was, else the
/// distinct sources with their inputs and resolved step times.
nlohmann::json resolve_step_times(scenarios::Scenario& scenario, models::Model& model,
                                  const models::Dataset& data);

}  // namespace hetsim::engine
