#pragma once
// The trainer: plugs into a schedule's hooks and does the LibTorch work. A round of worker w is
// a pure function of (the parameters it pulled, w's optimizer state, the data range reserved
// when it started): its inputs are fixed at round_started. With one round thread it is computed
// when its result is needed; with more, it is queued on a RoundPool at round_started and waited
// for when its result is needed, with the same bytes either way. The server applies (weighted,
// aggregated) pseudo-gradients with the outer optimizer in exactly the order the schedule
// dictates, and the global model is evaluated on a grid of virtual time and/or server updates
// (with a RoundPool, as tasks on it, collected in order: EvaluationQueue).

#include "analysis/metrics.hpp"
#include "engine/round_pool.hpp"
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

/// Batched replicas (run.replica_batch): how many batched computations ran and how many rounds
/// they held (rounds / batches is the mean batch size).
struct ReplicaBatchStats {
    std::int64_t batches = 0;
    std::int64_t rounds = 0;
};

class Trainer final : public sim::TrainerHooks {
public:
    /// `model` and `data` must outlive the trainer. Initialises the global model from the
    /// model's own (seeded) initial parameters. When rounds run on several threads
    /// (round_threads_for), each thread computes on its own replica from `make_replica`; by
    /// default models::make_model(scenario.training.model, data.shape(), ...), whose initial
    /// parameters do not matter (every round overwrites them with the ones it pulled).
    Trainer(const scenarios::Scenario& scenario, models::Model& model, const models::Dataset& data,
            RoundPool::ReplicaFactory make_replica = {});
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
    /// Threads computing rounds: 1 = rounds are computed inline when their result is needed.
    int round_threads() const;
    /// Batched replicas: the batches computed so far (zeros when run.replica_batch is 1).
    ReplicaBatchStats replica_batches() const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

/// The number of threads computing rounds for `training.threads` (0 = the machine's cores,
/// std::thread::hardware_concurrency) and `workers`: never more than the workers, at least 1;
/// 1 with batched replicas (training.replica_batch > 1 computes rounds on the calling thread).
int round_threads_for(const scenarios::TrainingSpec& training, int workers);

}  // namespace hetsim::engine
