#pragma once
// The trainer: plugs into a schedule's hooks and does the LibTorch work. A round of worker w is
// a pure function of (the parameters it pulled, w's optimizer state, the data range reserved
// when it started): its inputs are fixed at round_started and it is computed when its result is
// needed. The server applies (weighted, aggregated) pseudo-gradients with the outer optimizer
// in exactly the order the schedule dictates, and the global model is evaluated on a grid of
// virtual time and/or server updates.

#include "analysis/metrics.hpp"
#include "models/model.hpp"
#include "scenarios/scenario.hpp"
#include "sim/run_records.hpp"

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

namespace hetsim::models {
class Dataset;
}

namespace hetsim::engine {

using analysis::MetricsRow;

class Trainer final : public sim::TrainerHooks {
public:
    /// `model` and `data` must outlive the trainer. Initialises the global model from the
    /// model's own (seeded) initial parameters.
    Trainer(const scenarios::Scenario& scenario, models::Model& model, const models::Dataset& data);
    ~Trainer() override;

    int plan_inner_steps(int worker, int planned) override;
    void round_started(const sim::RoundInfo& round) override;
    void result_needed(const sim::RoundInfo& round) override;
    void round_lost(const sim::RoundInfo& round) override;
    void apply(std::span<sim::UpdateRecord> updates) override;

    /// Evaluates every grid point up to `end` not yet evaluated, and the final model at `end`.
    void finish(sim::Time end);

    const std::vector<MetricsRow>& metrics() const;
    /// The current global parameters (the server's model).
    const std::vector<at::Tensor>& global_parameters() const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace hetsim::engine
