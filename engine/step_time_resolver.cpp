#include "engine/step_time_resolver.hpp"

#include "engine/optim/inner_optimizer.hpp"
#include "models/dataset.hpp"
#include "models/model.hpp"
#include "sim/error.hpp"

#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <optional>

namespace hetsim::engine {
namespace {

using scenarios::StepTimeKind;
using scenarios::StepTimeSource;

// Times real inner steps (forward, backward, the inner optimizer) at the scenario's batch size
// on shard 0, and returns the median of the timed steps. The parameters are restored after, so
// the run starts from the same model whether or not it measured.
sim::Time measure_step_time(const scenarios::TrainingSpec& training, models::Model& model,
                            const models::Dataset& data) {
    std::vector<at::Tensor> params = model.parameters();
    std::vector<at::Tensor> saved;
    {
        torch::NoGradGuard no_grad;
        for (const auto& p : params) saved.push_back(p.clone());
    }
    const std::unique_ptr<InnerOptimizer> optimizer = make_inner_optimizer(training.inner);
    const int batch = training.data.batch_size;
    const std::int64_t examples = data.shard_examples(0);
    std::vector<sim::Time> timed;
    for (int step = 0; step < kMeasureWarmupSteps + kMeasureTimedSteps; ++step) {
        const auto start = std::chrono::steady_clock::now();
        const std::int64_t position = (static_cast<std::int64_t>(step) * batch) % examples;
        const models::Batch b = data.train_batch(0, position, batch);
        const at::Tensor loss = model.loss(b);
        const std::vector<at::Tensor> grads = torch::autograd::grad({loss}, params);
        optimizer->step(params, grads, training.inner.lr);
        // Reading a value waits for the device, so asynchronous (CUDA) work is counted.
        (void)params.front().sum().item<double>();
        const auto elapsed = std::chrono::steady_clock::now() - start;
        if (step >= kMeasureWarmupSteps)
            timed.push_back(std::chrono::duration_cast<sim::Time>(elapsed));
    }
    {
        torch::NoGradGuard no_grad;
        for (std::size_t i = 0; i < params.size(); ++i) params[i].copy_(saved[i]);
    }
    std::nth_element(timed.begin(), timed.begin() + kMeasureTimedSteps / 2, timed.end());
    return std::max(timed[kMeasureTimedSteps / 2], sim::Time{1});
}

nlohmann::json source_json(const StepTimeSource& s, sim::Time resolved, double step_flops) {
    nlohmann::json j = {{"kind", scenarios::to_string(s.kind)}, {"speed", s.speed}};
    if (s.kind == StepTimeKind::flops) {
        j["device_flops"] = scenarios::format_flop_rate(s.device_flops);
        j["mfu"] = s.mfu;
        j["flops_per_step"] = step_flops;
    } else {
        j["warmup_steps"] = kMeasureWarmupSteps;
        j["timed_steps"] = kMeasureTimedSteps;
    }
    j["step_time"] = sim::format_duration(resolved);
    return j;
}

}  // namespace

nlohmann::json resolve_step_times(scenarios::Scenario& scenario, models::Model& model,
                                  const models::Dataset& data) {
    const std::vector<StepTimeSource>& sources = scenario.step_time_sources;
    if (sources.empty()) return {{"kind", "duration"}};
    const double step_flops = scenarios::flops_per_step(model.flops_per_example(),
                                                        scenario.training.data.batch_size);
    std::optional<sim::Time> measured;
    std::vector<StepTimeSource> seen;
    nlohmann::json resolved = nlohmann::json::array();
    for (std::size_t w = 0; w < sources.size(); ++w) {
        const StepTimeSource& s = sources[w];
        if (s.kind == StepTimeKind::duration) continue;
        sim::Time t{0};
        if (s.kind == StepTimeKind::flops) {
            t = scenarios::flops_step_time(step_flops, s);
        } else {
            if (!measured) measured = measure_step_time(scenario.training, model, data);
            t = scenarios::scale_by_speed(*measured, s.speed);
        }
        scenario.world.workers[w].step_time = t;
        if (std::find(seen.begin(), seen.end(), s) == seen.end()) {
            seen.push_back(s);
            resolved.push_back(source_json(s, t, step_flops));
        }
    }
    return {{"kind", "resolved"}, {"sources", resolved}};
}

}  // namespace hetsim::engine
