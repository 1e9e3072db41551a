#pragma once
// Shared by the benchmarks that time whole training runs (threads_bench.cpp, replicas_bench.cpp):
// a scenario whose data is built once and whose model is built fresh for every timed run, and
// the median of repetitions.

#include "models/dataset.hpp"
#include "models/model.hpp"
#include "scenarios/scenario_loader.hpp"

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

namespace hetsim::bench {

/// A training scenario parsed from `toml` with its data (for `workers` workers) built once.
struct TrainingScenario {
    TrainingScenario(const std::string& toml, int workers)
        : scenario(scenarios::parse_scenario(toml, "bench.toml")),
          data(models::make_dataset(scenario.training.data, workers, scenario.world.seed,
                                    models::default_data_dir(),
                                    scenario.training.model.context)) {
        scenario.training.model.vocab = static_cast<int>(data->shape().vocab);
    }

    /// A new model (seed 77, the same in every run), with the world's transfer size set from it.
    std::unique_ptr<models::Model> fresh_model() {
        auto model = models::make_model(scenario.training.model, data->shape(), 77);
        scenario.world.model_bytes =
            model->parameter_count() * scenario.training.model.bytes_per_parameter;
        return model;
    }

    scenarios::Scenario scenario;
    std::unique_ptr<models::Dataset> data;
};

inline double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    const std::size_t n = v.size();
    return n == 0 ? 0.0 : n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

}  // namespace hetsim::bench
