#include "engine/training_run.hpp"

#include "engine/memory_estimate.hpp"
#include "engine/pretrain.hpp"
#include "engine/step_time_resolver.hpp"
#include "engine/trainer.hpp"
#include "models/dataset.hpp"
#include "models/model.hpp"
#include "sim/schedule.hpp"

#include <torch/torch.h>

#include <malloc.h>

#include <iostream>

namespace hetsim::engine {

void keep_freed_memory() {
    static const bool done = [] {
        mallopt(M_MMAP_THRESHOLD, 32 << 20);
        mallopt(M_TRIM_THRESHOLD, 256 << 20);
        return true;
    }();
    (void)done;
}

TrainingRun run_training(scenarios::Scenario& scenario, const sim::RecordOptions& record,
                         const std::vector<analysis::MetricsRow>** live_metrics) {
    keep_freed_memory();
    scenarios::TrainingSpec& training = scenario.training;
    // One intra-op thread: rounds run concurrently instead (run.threads, Trainer), and a
    // round's bytes must not depend on how many threads split its operations.
    at::set_num_threads(1);
    const auto workers = static_cast<int>(scenario.world.workers.size());
    const std::unique_ptr<models::Dataset> data =
        models::make_dataset(training.data, workers, scenario.world.seed,
                             models::default_data_dir(), training.model.context);
    const models::DataShape shape = data->shape();
    training.model.vocab = static_cast<int>(shape.vocab);
    // Parameter initialisation has its own stream, apart from the data and timing streams.
    const std::uint64_t init_seed =
        sim::mix64(scenario.world.seed ^ static_cast<std::uint64_t>(sim::Purpose::init));
    const std::unique_ptr<models::Model> model =
        models::make_model(training.model, shape, init_seed);
    // Every variant and seed of a study starts from the same pretrained model (when asked).
    const std::optional<PretrainOutcome> pretrained =
        pretrain(training, *model, models::default_data_dir(), std::clog);
    const std::int64_t parameters = model->parameter_count();
    if (!scenario.model_bytes_explicit)
        scenario.world.model_bytes = parameters * training.model.bytes_per_parameter;
    // Refuse a world whose per-worker copies cannot fit before allocating them (host memory;
    // a CUDA device's memory is not checked).
    const bool on_cpu = training.model.device == "cpu" || !torch::cuda::is_available();
    const MemoryEstimate memory = estimate_memory(
        training, parameters, workers,
        {scenario.world.algorithm.kind, scenario.world.algorithm.buffer,
         round_threads_for(training, workers), training.replica_batch});
    check_memory(memory, on_cpu ? physical_memory_bytes() : 0.0);
    const nlohmann::json step_time = resolve_step_times(scenario, *model, *data);

    Trainer trainer(scenario, *model, *data);
    TrainingRun run;
    // The progress callback reads the rows between server steps, on this thread.
    if (live_metrics) *live_metrics = &trainer.metrics();
    try {
        run.result = sim::run_schedule(scenario.world, &trainer, record);
    } catch (...) {
        if (live_metrics) *live_metrics = nullptr;
        throw;
    }
    if (live_metrics) *live_metrics = nullptr;
    trainer.finish(run.result.end_time);
    run.metrics = trainer.metrics();
    run.info = {
        {"model", model->describe()},
        {"parameters", parameters},
        {"model_bytes", scenario.world.model_bytes},
        {"flops_per_example", model->flops_per_example()},
        {"tokens_per_example", data->tokens_per_example()},
        {"data_fingerprint", data->fingerprint()},
        {"shards", data->num_shards()},
        {"torch_threads", at::get_num_threads()},
        {"round_threads", trainer.round_threads()},
        {"replica_batches",
         {{"size", training.replica_batch},
          {"batches", trainer.replica_batches().batches},
          {"rounds", trainer.replica_batches().rounds}}},
        {"memory", memory_json(memory)},
        {"step_time", step_time},
    };
    if (pretrained) run.info["pretrain"] = pretrained->to_json();
    return run;
}

}  // namespace hetsim::engine
