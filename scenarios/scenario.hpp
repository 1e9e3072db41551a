#pragma once
// A loaded scenario: its name and source, the model it trains, and the fully resolved world.

#include "scenarios/step_time.hpp"
#include "scenarios/training_spec.hpp"
#include "sim/world.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace hetsim::scenarios {

/// A scenario file after parsing, overriding, validation and resolution.
struct Scenario {
    /// Key `name`; defaults to the file stem ("straggler-8" for "scenarios/straggler-8.toml").
    std::string name;
    /// Key `description`; defaults to "".
    std::string description;
    /// The file path as given to load_scenario, or the source name given to parse_scenario.
    std::string source;
    /// The resolved world: per-worker multipliers are already drawn with the final seed.
    /// world.model_bytes is `model.bytes` when given, else 0 until the engine builds the
    /// model and sets it to parameters x model.bytes_per_parameter.
    sim::WorldSpec world;
    /// Whether `model.bytes` was given (it then wins over the derived size).
    bool model_bytes_explicit = false;
    /// One per worker when some base step time comes from `device_flops` or "measure": the
    /// engine resolves those (world.workers[w].step_time is 0 until then). Empty when every
    /// step time is a duration.
    std::vector<StepTimeSource> step_time_sources;
    /// With `[workers.trace] devices`: the client_id of the device each worker got (one per
    /// worker, recorded in run.json); empty otherwise.
    std::vector<std::string> trace_devices;
    /// The model, data, optimizers, aggregation and evaluation (model.kind "none": timing-only).
    TrainingSpec training;
};

/// How to load a scenario beyond what the file says (the CLI's --set and --seed).
struct LoadOptions {
    /// "key.path=value" overrides, applied in order to the parsed file before validation. The
    /// value is read as a TOML value, or as a bare string when it is not valid TOML.
    std::vector<std::string> overrides;
    /// When set, the seed of the run: wins over the file's `seed` and over `--set seed=`.
    std::optional<std::uint64_t> seed;
};

}  // namespace hetsim::scenarios
