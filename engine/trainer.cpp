#include "engine/trainer.hpp"

#include "engine/evaluation_queue.hpp"
#include "engine/evaluator.hpp"
#include "engine/optim/inner_optimizer.hpp"
#include "engine/optim/lr_schedule.hpp"
#include "engine/optim/outer_optimizer.hpp"
#include "engine/optim/qsr.hpp"
#include "engine/optim/staleness.hpp"
#include "engine/optim/tensor_list.hpp"
#include "engine/replica_stack.hpp"
#include "engine/round_pool.hpp"
#include "engine/shard_sampler.hpp"
#include "models/dataset.hpp"
#include "sim/error.hpp"

#include <torch/torch.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <map>
#include <optional>
#include <thread>

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
    // Everything a round reads, fixed when it starts, and what it produces. A pool thread owns
    // it while the round's task runs; the main thread reads the outputs only after waiting.
    struct RoundWork {
        int worker = 0;
        std::int64_t round = 0;
        std::shared_ptr<const Params> pulled;  // the model version the round started from
        DataRange range;
        std::int64_t first_step = 0;  // the worker's step count when the round started
        std::shared_ptr<const InnerOptimizer> optimizer_before;  // the worker's (not changed)
        std::shared_ptr<InnerOptimizer> optimizer_after;  // output: the state after the round
        Params delta;                                      // output: the pseudo-gradient
        bool done = false;  // batched replicas: computed (with the outputs set)
    };

    struct Worker {
        // The state after the last round whose result was needed. Shared with a running task
        // that copies it; replaced (never modified) when rounds run on a pool.
        std::shared_ptr<InnerOptimizer> optimizer;
        std::shared_ptr<const Params> pulled;  // the model version the round started from
        DataRange range;
        std::int64_t round = -1;
        std::int64_t first_step = 0;   // the worker's step count when the round started
        std::int64_t steps_taken = 0;  // inner steps of this worker's computed rounds
        std::shared_ptr<RoundWork> work;  // pool or batched replicas: the round in flight
        RoundPool::Ticket ticket;
        bool computed = false;  // the current round's result is in `results`
    };

    Impl(const scenarios::Scenario& s, models::Model& m, const models::Dataset& d,
         const RoundPool::ReplicaFactory& make_replica)
        : spec(s.training),
          kind(s.world.algorithm.kind),
          model(m),
          data(d),
          evaluator(m, d, s.training.eval.batch_size),
          evaluations(evaluator),
          global(std::make_shared<const Params>(tl::clone(m.parameters()))),
          outer(make_outer_optimizer(s.training.outer)),
          ddp_optimizer(make_inner_optimizer(s.training.inner)),
          sampler(s.training.data.assignment, shard_sizes(d), static_cast<int>(s.world.workers.size()),
                  s.world.seed, s.training.data.fixed_shards),
          workers(s.world.workers.size()) {
        for (auto& w : workers) w.optimizer = make_inner_optimizer(spec.inner);
        const int threads = round_threads_for(spec, static_cast<int>(workers.size()));
        if (threads > 1)
            pool = std::make_unique<RoundPool>(
                threads, make_replica ? make_replica : RoundPool::ReplicaFactory([&s, &d] {
                    return models::make_model(s.training.model, d.shape(), 0);
                }));
        // Evaluations overlap training the same way as rounds: on the pool's replicas, which
        // costs no extra model copy and keeps one Torch thread per core.
        evaluations.use_pool(pool.get());
        // Every curve starts from the initial model at time 0.
        evaluate_at(sim::Time{0});
        if (spec.eval.every_ns) next_eval = sim::Time{*spec.eval.every_ns};
    }
    ~Impl() { pool.reset(); }  // no task may outlive the state it reads

    static std::vector<std::int64_t> shard_sizes(const models::Dataset& d) {
        std::vector<std::int64_t> sizes;
        for (int i = 0; i < d.num_shards(); ++i) sizes.push_back(d.shard_examples(i));
        return sizes;
    }

    double lr_for(const DataRange& range, std::int64_t first_step, int step_in_round) const {
        const auto& schedule = spec.inner.schedule;
        const std::int64_t index = schedule.indexed_by == "shard"
                                       ? range.position / std::max(1, range.batch) + step_in_round
                                       : first_step + step_in_round;
        return lr_at(schedule, spec.inner.lr, index);
    }

    RoundWork work_for(int id) const;
    Params run_round(const RoundWork& r, models::Model& m, InnerOptimizer* optimizer) const;
    models::Batch batch_at(const DataRange& range, int step) const;
    Params gradient(const RoundWork& r, models::Model& m, int step) const;
    std::vector<RoundWork*> batch_with(int id);
    void run_batch(const std::vector<RoundWork*>& works) const;
    Params batched_gradients(const std::vector<RoundWork*>& works, ReplicaStack& stack,
                             int step) const;
    void compute(int id);
    void evaluate_at(sim::Time time);
    void evaluate_grid_before(sim::Time t, bool inclusive);

    const scenarios::TrainingSpec& spec;
    sim::ScheduleKind kind;
    models::Model& model;
    const models::Dataset& data;
    Evaluator evaluator;
    EvaluationQueue evaluations;  // the metrics rows, evaluated at once or on the pool
    std::shared_ptr<const Params> global;
    std::unique_ptr<OuterOptimizer> outer;
    std::unique_ptr<InnerOptimizer> ddp_optimizer;  // ddp: one step per round on the global model
    ShardSampler sampler;
    std::vector<Worker> workers;
    std::unique_ptr<RoundPool> pool;  // null: rounds are computed inline, when needed
    // Pseudo-gradients of rounds whose result was needed, by (worker, round), until applied or
    // lost. Keyed by round, not one per worker: a FedBuff worker starts its next round while
    // its last update waits in the server's buffer.
    std::map<std::pair<int, std::int64_t>, Params> results;
    // Batched replicas (spec.replica_batch > 1): workers whose started round is not computed
    // yet, in the order the rounds started.
    std::vector<int> pending;
    ReplicaBatchStats batch_stats;

    std::optional<sim::Time> next_eval;  // next point of the virtual-time grid
    std::int64_t version = 0;
    std::int64_t applied_steps = 0;
    std::int64_t applied_examples = 0;
};

int round_threads_for(const scenarios::TrainingSpec& training, int workers) {
    if (training.replica_batch > 1) return 1;
    const int threads = training.threads;
    const int cores = std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
    return std::max(1, std::min(threads > 0 ? threads : cores, workers));
}

Trainer::Trainer(const scenarios::Scenario& scenario, models::Model& model,
                 const models::Dataset& data, RoundPool::ReplicaFactory make_replica)
    : impl_(std::make_unique<Impl>(scenario, model, data, make_replica)) {}

Trainer::~Trainer() = default;

const std::vector<MetricsRow>& Trainer::metrics() const { return impl_->evaluations.rows(); }

const std::vector<at::Tensor>& Trainer::global_parameters() const { return *impl_->global; }

int Trainer::round_threads() const { return impl_->pool ? impl_->pool->threads() : 1; }

ReplicaBatchStats Trainer::replica_batches() const { return impl_->batch_stats; }

int Trainer::plan_inner_steps(int worker, int planned) {
    if (!impl_->spec.qsr.enabled) return planned;
    // QSR (Gu et al. 2024): H = max(H_base, floor((alpha / lr)^2)) with the lr of the round's
    // first step. steps_taken is known here: the worker's previous round was needed (committed)
    // or lost (never counted) before this one starts.
    Impl::Worker& w = impl_->workers[static_cast<std::size_t>(worker)];
    HETSIM_ASSERT(!w.ticket && !w.work, "worker {} plans a round while its round {} is in flight",
                  worker, w.round);
    w.first_step = w.steps_taken;
    return static_cast<int>(
        qsr_sync_period(planned, impl_->spec.qsr.alpha, impl_->lr_for(w.range, w.first_step, 0)));
}

void Trainer::round_started(const sim::RoundInfo& round) {
    Impl& s = *impl_;
    Impl::Worker& w = s.workers[static_cast<std::size_t>(round.worker)];
    HETSIM_ASSERT(round.version == s.version, "worker {} pulled version {} at version {}",
                  round.worker, round.version, s.version);
    HETSIM_ASSERT(!w.ticket && !w.work, "worker {} starts round {} while round {} is in flight",
                  round.worker, round.round, w.round);
    w.pulled = s.global;
    w.round = round.round;
    w.first_step = w.steps_taken;
    w.range = s.sampler.reserve(round.worker, round.inner_steps, s.spec.data.batch_size);
    w.computed = false;
    if (s.spec.replica_batch > 1) {
        // Its inputs are fixed now: computed with other ready rounds when one of them is needed.
        w.work = std::make_shared<Impl::RoundWork>(s.work_for(round.worker));
        s.pending.push_back(round.worker);
        return;
    }
    if (!s.pool) return;
    // Its inputs are fixed now: queue it. The task writes only into its own RoundWork.
    w.work = std::make_shared<Impl::RoundWork>(s.work_for(round.worker));
    w.ticket = s.pool->submit([&s, work = w.work](models::Model& replica) {
        std::shared_ptr<InnerOptimizer> optimizer;
        if (work->optimizer_before) optimizer = work->optimizer_before->clone();
        work->delta = s.run_round(*work, replica, optimizer.get());
        work->optimizer_after = std::move(optimizer);
    });
}

void Trainer::result_needed(const sim::RoundInfo& round) {
    HETSIM_ASSERT(impl_->workers[static_cast<std::size_t>(round.worker)].round == round.round,
                  "worker {} round {} was never started", round.worker, round.round);
    impl_->compute(round.worker);
}

void Trainer::round_lost(const sim::RoundInfo& round) {
    Impl& s = *impl_;
    s.results.erase({round.worker, round.round});
    Impl::Worker& w = s.workers[static_cast<std::size_t>(round.worker)];
    if (w.round != round.round) return;
    // Not needed yet: as if never computed (a task already running finishes into its own
    // RoundWork, which nobody reads). Needed already: its optimizer state and step count were
    // committed, as when rounds are computed inline.
    if (w.ticket) s.pool->cancel(w.ticket);
    std::erase(s.pending, round.worker);
    w.ticket.reset();
    w.work.reset();
    w.pulled.reset();
    w.computed = false;
}

Trainer::Impl::RoundWork Trainer::Impl::work_for(int id) const {
    const Worker& w = workers[static_cast<std::size_t>(id)];
    RoundWork r;
    r.worker = id;
    r.round = w.round;
    r.pulled = w.pulled;
    r.range = w.range;
    r.first_step = w.first_step;
    if (kind != sim::ScheduleKind::ddp) r.optimizer_before = w.optimizer;
    return r;
}

// The batch of inner step `step` of a round that reserved `range`.
models::Batch Trainer::Impl::batch_at(const DataRange& range, int step) const {
    return data.train_batch(range.shard,
                            range.position + static_cast<std::int64_t>(step) * range.batch,
                            range.batch);
}

Params Trainer::Impl::gradient(const RoundWork& r, models::Model& m, int step) const {
    try {
        models::LossAndGradients out = m.loss_and_gradients(batch_at(r.range, step));
        const double loss = out.loss.item<double>();
        HETSIM_CHECK(std::isfinite(loss), "the loss is {}", loss);
        return std::move(out.gradients);
    } catch (const std::exception& e) {
        // Torch errors get the worker, round and step added here, at the algorithm boundary.
        throw Error(fmt::format("worker {}, round {}, inner step {}: {}", r.worker, r.round, step,
                                e.what()));
    }
}

// Reads only what is fixed for the whole run (spec, data) and the round's own inputs, and
// writes only `m` and `optimizer`: safe on any thread.
Params Trainer::Impl::run_round(const RoundWork& r, models::Model& m,
                                InnerOptimizer* optimizer) const {
    Params params = m.parameters();
    tl::copy_(params, *r.pulled);  // one copy when both are packed (one buffer each)
    // Data parallel: the round's result is its gradient; the server averages them and takes
    // one optimizer step (apply).
    if (kind == sim::ScheduleKind::ddp) return gradient(r, m, 0);
    optimizer->begin_round();
    for (int step = 0; step < r.range.steps; ++step) {
        const Params grads = gradient(r, m, step);
        // Clipping (global norm, top-fraction coordinates) happens inside the optimizer.
        optimizer->step(params, grads, lr_for(r.range, r.first_step, step));
    }
    torch::NoGradGuard no_grad;
    return tl::sub(*r.pulled, params);  // pseudo-gradient: pulled - after
}

// The round `id` needs and up to replica_batch - 1 other ready rounds with as many inner steps
// (replicas step together), earliest started first; they leave `pending`.
std::vector<Trainer::Impl::RoundWork*> Trainer::Impl::batch_with(int id) {
    RoundWork* needed = workers[static_cast<std::size_t>(id)].work.get();
    std::vector<RoundWork*> batch{needed};
    std::erase(pending, id);
    std::erase_if(pending, [&](int other) {
        RoundWork* work = workers[static_cast<std::size_t>(other)].work.get();
        if (static_cast<int>(batch.size()) == spec.replica_batch ||
            work->range.steps != needed->range.steps)
            return false;
        batch.push_back(work);
        return true;
    });
    ++batch_stats.batches;
    batch_stats.rounds += static_cast<std::int64_t>(batch.size());
    return batch;
}

// One inner step's gradients of every replica in the stack: the stacked batches, one
// replica_losses call, one backward pass. Each replica reads only its own round's data.
Params Trainer::Impl::batched_gradients(const std::vector<RoundWork*>& works, ReplicaStack& stack,
                                        int step) const {
    std::vector<at::Tensor> inputs, targets;
    for (const RoundWork* r : works) {
        models::Batch b = batch_at(r->range, step);
        inputs.push_back(std::move(b.inputs));
        targets.push_back(std::move(b.targets));
    }
    auto where = [&] {
        std::string ids;
        for (const RoundWork* r : works)
            ids += fmt::format("{}{} (round {})", ids.empty() ? "" : ", ", r->worker, r->round);
        return fmt::format("workers {} in one replica batch, inner step {}", ids, step);
    };
    try {
        const at::Tensor losses = model.replica_losses(stack.stacked(), {at::stack(inputs),
                                                                         at::stack(targets)});
        const at::Tensor host = losses.detach().to(at::kCPU, at::kDouble);
        for (std::size_t k = 0; k < works.size(); ++k) {
            const double loss = host[static_cast<std::int64_t>(k)].item<double>();
            HETSIM_CHECK(std::isfinite(loss), "worker {}, round {}: the loss is {}",
                         works[k]->worker, works[k]->round, loss);
        }
        return torch::autograd::grad({losses.sum()}, stack.stacked());
    } catch (const std::exception& e) {
        throw Error(fmt::format("{}: {}", where(), e.what()));
    }
}

// Batched replicas: the rounds of `works` computed together, each replica stepping its own
// copy of its worker's optimizer on its own slice of the stack. The outputs land in each
// RoundWork as a pool task's do; nothing else is written.
void Trainer::Impl::run_batch(const std::vector<RoundWork*>& works) const {
    std::vector<const Params*> pulled;
    for (const RoundWork* r : works) pulled.push_back(r->pulled.get());
    ReplicaStack stack(pulled);
    const int count = stack.size();
    if (kind == sim::ScheduleKind::ddp) {  // one gradient per round, at the pulled model
        const Params grads = batched_gradients(works, stack, 0);
        for (int k = 0; k < count; ++k)
            works[static_cast<std::size_t>(k)]->delta = tl::clone(ReplicaStack::slice(grads, k));
    } else {
        std::vector<std::shared_ptr<InnerOptimizer>> optimizers;
        for (const RoundWork* r : works) {
            optimizers.push_back(r->optimizer_before->clone());
            optimizers.back()->begin_round();
        }
        for (int step = 0; step < works.front()->range.steps; ++step) {
            const Params grads = batched_gradients(works, stack, step);
            for (int k = 0; k < count; ++k) {
                const RoundWork& r = *works[static_cast<std::size_t>(k)];
                optimizers[static_cast<std::size_t>(k)]->step(
                    stack.replica(k), ReplicaStack::slice(grads, k),
                    lr_for(r.range, r.first_step, step));
            }
        }
        const torch::NoGradGuard no_grad;
        for (int k = 0; k < count; ++k) {
            RoundWork& r = *works[static_cast<std::size_t>(k)];
            r.delta = tl::sub(*r.pulled, stack.replica(k));  // pseudo-gradient: pulled - after
            r.optimizer_after = std::move(optimizers[static_cast<std::size_t>(k)]);
        }
    }
    for (RoundWork* r : works) r->done = true;
}

void Trainer::Impl::compute(int id) {
    Worker& w = workers[static_cast<std::size_t>(id)];
    if (w.computed) return;
    Params& delta = results[{id, w.round}];
    if (w.ticket) {
        try {
            pool->wait(w.ticket);  // rethrows the round's error, message unchanged
        } catch (...) {
            // Inline, an evaluation asked for before this round was needed would have failed
            // first: its error wins.
            evaluations.collect(true);
            throw;
        }
        w.ticket.reset();
    } else if (w.work && !w.work->done) {
        run_batch(batch_with(id));
    }
    if (w.work) {
        if (w.work->optimizer_after) w.optimizer = std::move(w.work->optimizer_after);
        delta = std::move(w.work->delta);
        w.work.reset();
    } else {
        delta = run_round(work_for(id), model, w.optimizer.get());
    }
    w.steps_taken = w.first_step + (kind == sim::ScheduleKind::ddp ? 1 : w.range.steps);
    w.computed = true;
    w.pulled.reset();
}

void Trainer::apply(std::span<sim::UpdateRecord> updates) {
    Impl& s = *impl_;
    const sim::Time t = updates.front().time;
    s.evaluate_grid_before(t, false);
    torch::NoGradGuard no_grad;
    Params g;
    bool any = false;
    for (sim::UpdateRecord& u : updates) {
        const auto found = s.results.find({u.worker, u.round});
        HETSIM_ASSERT(found != s.results.end(), "worker {} round {} applied before its result "
                      "was needed", u.worker, u.round);
        const Params delta = std::move(found->second);
        s.results.erase(found);
        u.weight = update_weight(s.spec.aggregation, s.kind, u.staleness);
        u.norm = tl::global_norm(delta);
        if (u.weight != 0.0) {
            const double scale = u.weight / static_cast<double>(updates.size());
            if (updates.size() == 1 && scale == 1.0) {
                g = delta;  // one update at full weight (async): 0 + 1 x delta is delta
            } else {
                if (!any) g = tl::zeros_like(delta);
                tl::axpy_(g, scale, delta);
            }
            any = true;
        }
        s.applied_steps += u.inner_steps;
        s.applied_examples += static_cast<std::int64_t>(u.inner_steps) * s.spec.data.batch_size;
    }
    // A server step whose every update was dropped leaves the model (and the outer optimizer's
    // momentum) untouched; the schedule still counts the version.
    if (any) {
        // Copy on write: a worker computing from the current version, or a queued evaluation
        // (EvaluationQueue), keeps it unchanged. When nobody else holds it (use_count 1) it is
        // updated in place. The acquire fence pairs with the release of the last other
        // holder's reference (a pool thread's, too), so its reads of the tensors happen before
        // these writes.
        const bool unshared = s.global.use_count() == 1;
        if (unshared) std::atomic_thread_fence(std::memory_order_acquire);
        Params next = unshared ? *s.global : tl::clone(*s.global);
        if (s.kind == sim::ScheduleKind::ddp)
            s.ddp_optimizer->step(next, g, lr_at(s.spec.inner.schedule, s.spec.inner.lr, s.version));
        else
            s.outer->step(next, g);
        s.global = std::make_shared<const Params>(std::move(next));
    }
    ++s.version;
    s.evaluate_grid_before(t, true);
    const auto& every = s.spec.eval.every_updates;
    if (every && s.version % *every == 0 && !s.evaluations.last_is(t, s.version))
        s.evaluate_at(t);
}

void Trainer::finish(sim::Time end) {
    Impl& s = *impl_;
    s.evaluate_grid_before(end, true);
    if (!s.evaluations.last_is(end, s.version)) s.evaluate_at(end);
    s.evaluations.collect(true);
}

void Trainer::Impl::evaluate_grid_before(sim::Time t, bool inclusive) {
    while (next_eval && (*next_eval < t || (inclusive && *next_eval == t))) {
        evaluate_at(*next_eval);
        next_eval = *next_eval + sim::Time{*spec.eval.every_ns};
    }
}

void Trainer::Impl::evaluate_at(sim::Time time) {
    MetricsRow row;
    row.time = time;
    row.server_updates = version;
    row.inner_steps = applied_steps;
    row.examples = applied_examples;
    row.tokens = applied_examples * data.tokens_per_example();
    // Shares the snapshot: while the queue holds it, apply() copies instead of updating in place.
    evaluations.add(row, global, version);
}

}  // namespace hetsim::engine
