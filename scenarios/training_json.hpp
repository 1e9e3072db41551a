#pragma once
// JSON of the training settings, for run.json.

#include "scenarios/training_spec.hpp"

#include <nlohmann/json.hpp>

namespace hetsim::scenarios {

/// Every training setting, resolved (defaults filled in).
nlohmann::json to_json(const TrainingSpec& training);

}  // namespace hetsim::scenarios
