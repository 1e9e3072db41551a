#include "engine/trainer.hpp"

#include "engine/evaluator.hpp"
#include "engine/optim/inner_optimizer.hpp"
#include "engine/optim/lr_schedule.hpp"
#include "engine/optim/outer_optimizer.hpp"
#include "engine/optim/qsr.hpp"
#include "engine/optim/staleness.hpp"
#include "engine/optim/tensor_list.hpp"
#include "engine/shard_sampler.hpp"
#include "models/dataset.hpp"
#include "sim/error.hpp"

#include <torch/torch.h>

#include <chrono>
#include <cmath>
#include <optional>

namespace hetsim::engine {

using Params = std::vector<at::Tensor>;
namespace tl = tensor_list;

namespace {

// The weight w of an update in a server step g = (1/n) sum_i w_i delta_i, n = updates in the
// step: sync rounds average (w = 1); async weighs by staleness (constant, polynomial or hinge,
// 0 above drop_above); FedBuff uses 1/sqrt(1+s) (Nguyen et al. 2022).
double update_weight(const scenarios::AggregationSpec& spec, sim::ScheduleKind kind,
                     std::int64_t staleness) {
    switch (kind) {
    case sim::ScheduleKind::sync:
    case sim::ScheduleKind::ddp: return 1.0;
    case sim::ScheduleKind::fedbuff:
        return is_dropped(spec, staleness) ? 0.0 : fedbuff_weight(staleness);
    case sim::ScheduleKind::async:
        return is_dropped(spec, staleness) ? 0.0 : staleness_weight(spec, staleness);
    }
    return 1.0;
}

}  // namespace

struct Trainer::Impl {
    struct Worker {
        std::unique_ptr<InnerOptimizer> optimizer;
        std::shared_ptr<const Params> pulled;  // the model version the round started from
        DataRange range;
        std::int64_t round = -1;
        std::int64_t first_step = 0;   // the worker's step count when the round started
        std::int64_t steps_taken = 0;  // inner steps this worker has computed
        Params delta;                  // pseudo-gradient of the computed round
        bool computed = false;
    };

    Impl(const scenarios::Scenario& s, models::Model& m, const models::Dataset& d)
        : spec(s.training),
          kind(s.world.algorithm.kind),
          model(m),
          data(d),
          evaluator(m, d, s.training.eval.batch_size),
          module_params(m.parameters()),
          global(std::make_shared<const Params>(tl::clone(module_params))),
          outer(make_outer_optimizer(s.training.outer)),
          ddp_optimizer(make_inner_optimizer(s.training.inner)),
          sampler(s.training.data.assignment, shard_sizes(d), static_cast<int>(s.world.workers.size()),
                  s.world.seed),
          workers(s.world.workers.size()),
          started(std::chrono::steady_clock::now()) {
        for (auto& w : workers) w.optimizer = make_inner_optimizer(spec.inner);
        // Every curve starts from the initial model at time 0.
        evaluate_at(sim::Time{0});
        if (spec.eval.every_ns) next_eval = sim::Time{*spec.eval.every_ns};
    }

    static std::vector<std::int64_t> shard_sizes(const models::Dataset& d) {
        std::vector<std::int64_t> sizes;
        for (int i = 0; i < d.num_shards(); ++i) sizes.push_back(d.shard_examples(i));
        return sizes;
    }

    double lr_for(const Worker& w, int step_in_round) const {
        const auto& schedule = spec.inner.schedule;
        const std::int64_t index =
            schedule.indexed_by == "shard"
                ? w.range.position / std::max(1, w.range.batch) + step_in_round
                : w.first_step + step_in_round;
        return lr_at(schedule, spec.inner.lr, index);
    }

    void compute(int id);
    Params gradient(int id, int step);
    void evaluate_at(sim::Time time);
    void evaluate_grid_before(sim::Time t, bool inclusive);

    const scenarios::TrainingSpec& spec;
    sim::ScheduleKind kind;
    models::Model& model;
    const models::Dataset& data;
    Evaluator evaluator;
    Params module_params;
    std::shared_ptr<const Params> global;
    std::unique_ptr<OuterOptimizer> outer;
    std::unique_ptr<InnerOptimizer> ddp_optimizer;  // ddp: one step per round on the global model
    ShardSampler sampler;
    std::vector<Worker> workers;
    std::chrono::steady_clock::time_point started;

    std::optional<sim::Time> next_eval;  // next point of the virtual-time grid
    std::int64_t version = 0;
    std::int64_t applied_steps = 0;
    std::int64_t applied_examples = 0;
    std::vector<MetricsRow> rows;
};

Trainer::Trainer(const scenarios::Scenario& scenario, models::Model& model,
                 const models::Dataset& data)
    : impl_(std::make_unique<Impl>(scenario, model, data)) {}

Trainer::~Trainer() = default;

const std::vector<MetricsRow>& Trainer::metrics() const { return impl_->rows; }

const std::vector<at::Tensor>& Trainer::global_parameters() const { return *impl_->global; }

int Trainer::plan_inner_steps(int worker, int planned) {
    if (!impl_->spec.qsr.enabled) return planned;
    // QSR (Gu et al. 2024): H = max(H_base, floor((alpha / lr)^2)) with the lr of the round's
    // first step.
    Impl::Worker& w = impl_->workers[static_cast<std::size_t>(worker)];
    w.first_step = w.steps_taken;
    return static_cast<int>(qsr_sync_period(planned, impl_->spec.qsr.alpha, impl_->lr_for(w, 0)));
}

void Trainer::round_started(const sim::RoundInfo& round) {
    Impl::Worker& w = impl_->workers[static_cast<std::size_t>(round.worker)];
    HETSIM_ASSERT(round.version == impl_->version, "worker {} pulled version {} at version {}",
                  round.worker, round.version, impl_->version);
    w.pulled = impl_->global;
    w.round = round.round;
    w.first_step = w.steps_taken;
    w.range = impl_->sampler.reserve(round.worker, round.inner_steps, impl_->spec.data.batch_size);
    w.computed = false;
    w.delta.clear();
}

void Trainer::result_needed(const sim::RoundInfo& round) {
    HETSIM_ASSERT(impl_->workers[static_cast<std::size_t>(round.worker)].round == round.round,
                  "worker {} round {} was never started", round.worker, round.round);
    impl_->compute(round.worker);
}

void Trainer::round_lost(const sim::RoundInfo& round) {
    Impl::Worker& w = impl_->workers[static_cast<std::size_t>(round.worker)];
    w.pulled.reset();
    w.delta.clear();
    w.computed = false;
}

Params Trainer::Impl::gradient(int id, int step) {
    const Worker& w = workers[static_cast<std::size_t>(id)];
    const DataRange& r = w.range;
    try {
        const models::Batch batch =
            data.train_batch(r.shard, r.position + static_cast<std::int64_t>(step) * r.batch,
                             r.batch);
        const at::Tensor loss = model.loss(batch);
        HETSIM_CHECK(std::isfinite(loss.item<double>()), "the loss is {}", loss.item<double>());
        return torch::autograd::grad({loss}, module_params);
    } catch (const std::exception& e) {
        // Torch errors get the worker, round and step added here, at the algorithm boundary.
        throw Error(
            fmt::format("worker {}, round {}, inner step {}: {}", id, w.round, step, e.what()));
    }
}

void Trainer::Impl::compute(int id) {
    Worker& w = workers[static_cast<std::size_t>(id)];
    if (w.computed) return;
    {
        torch::NoGradGuard no_grad;
        for (std::size_t i = 0; i < module_params.size(); ++i) module_params[i].copy_((*w.pulled)[i]);
    }
    if (kind == sim::ScheduleKind::ddp) {
        // Data parallel: the round's result is its gradient; the server averages them and takes
        // one optimizer step (apply_ddp).
        w.delta = gradient(id, 0);
        w.steps_taken = w.first_step + 1;
        w.computed = true;
        return;
    }
    w.optimizer->begin_round();
    for (int step = 0; step < w.range.steps; ++step) {
        const Params grads = gradient(id, step);
        // Clipping (global norm, top-fraction coordinates) happens inside the optimizer.
        w.optimizer->step(module_params, grads, lr_for(w, step));
    }
    w.steps_taken = w.first_step + w.range.steps;
    torch::NoGradGuard no_grad;
    w.delta = tl::sub(*w.pulled, module_params);  // pseudo-gradient: pulled - after
    w.computed = true;
}

void Trainer::apply(std::span<sim::UpdateRecord> updates) {
    Impl& s = *impl_;
    const sim::Time t = updates.front().time;
    s.evaluate_grid_before(t, false);
    torch::NoGradGuard no_grad;
    Params g;
    bool any = false;
    for (sim::UpdateRecord& u : updates) {
        Impl::Worker& w = s.workers[static_cast<std::size_t>(u.worker)];
        s.compute(u.worker);  // normally done at result_needed already
        u.weight = update_weight(s.spec.aggregation, s.kind, u.staleness);
        u.norm = tl::global_norm(w.delta);
        if (u.weight != 0.0) {
            if (!any) g = tl::zeros_like(w.delta);
            tl::axpy_(g, u.weight / static_cast<double>(updates.size()), w.delta);
            any = true;
        }
        s.applied_steps += u.inner_steps;
        s.applied_examples += static_cast<std::int64_t>(u.inner_steps) * s.spec.data.batch_size;
        w.delta.clear();
        w.pulled.reset();
    }
    // A server step whose every update was dropped leaves the model (and the outer optimizer's
    // momentum) untouched; the schedule still counts the version.
    if (any) {
        Params next = tl::clone(*s.global);
        if (s.kind == sim::ScheduleKind::ddp)
            s.ddp_optimizer->step(next, g, lr_at(s.spec.inner.schedule, s.spec.inner.lr, s.version));
        else
            s.outer->step(next, g);
        s.global = std::make_shared<const Params>(std::move(next));
    }
    ++s.version;
    s.evaluate_grid_before(t, true);
    const auto& every = s.spec.eval.every_updates;
    if (every && s.version % *every == 0 && (s.rows.empty() || s.rows.back().time != t ||
                                             s.rows.back().server_updates != s.version))
        s.evaluate_at(t);
}

void Trainer::finish(sim::Time end) {
    Impl& s = *impl_;
    s.evaluate_grid_before(end, true);
    if (s.rows.empty() || s.rows.back().time != end || s.rows.back().server_updates != s.version)
        s.evaluate_at(end);
}

void Trainer::Impl::evaluate_grid_before(sim::Time t, bool inclusive) {
    while (next_eval && (*next_eval < t || (inclusive && *next_eval == t))) {
        evaluate_at(*next_eval);
        next_eval = *next_eval + sim::Time{*spec.eval.every_ns};
    }
}

void Trainer::Impl::evaluate_at(sim::Time time) {
    const EvalResult e = evaluator.evaluate(*global, version);
    MetricsRow row;
    row.time = time;
    row.server_updates = version;
    row.inner_steps = applied_steps;
    row.examples = applied_examples;
    row.tokens = applied_examples * data.tokens_per_example();
    row.loss = e.loss;
    row.perplexity = e.perplexity;
    row.bits_per_byte = e.bits_per_byte;
    row.accuracy = e.accuracy;
    row.host_seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    rows.push_back(row);
}

}  // namespace hetsim::engine
