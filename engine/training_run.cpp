#include "engine/training_run.hpp"

#include "engine/trainer.hpp"
#include "models/dataset.hpp"
#include "models/model.hpp"
#include "sim/schedule.hpp"

#include <torch/torch.h>

namespace hetsim::engine {

TrainingRun run_training(scenarios::Scenario& scenario, const sim::RecordOptions& record) {
    scenarios::TrainingSpec& training = scenario.training;
    at::set_num_threads(training.threads);
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
    const std::int64_t parameters = model->parameter_count();
    if (!scenario.model_bytes_explicit)
        scenario.world.model_bytes = parameters * training.model.bytes_per_parameter;

    Trainer trainer(scenario, *model, *data);
    TrainingRun run;
    run.result = sim::run_schedule(scenario.world, &trainer, record);
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
    };
    return run;
}

}  // namespace hetsim::engine
