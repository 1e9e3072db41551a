#include "engine/evaluation_queue.hpp"

#include <algorithm>

namespace hetsim::engine {

// Written by the pool thread that runs it; read by the main thread only after the pool says it
// finished (the pool's mutex orders the two).
struct EvaluationQueue::Task {
    std::shared_ptr<const std::vector<at::Tensor>> params;  // released once evaluated
    RoundPool::Ticket ticket;
    EvalResult result;
    double finished_seconds = 0;
};

EvaluationQueue::EvaluationQueue(Evaluator& evaluator)
    : evaluator_(evaluator), started_(std::chrono::steady_clock::now()) {}

double EvaluationQueue::host_seconds() const {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
}

bool EvaluationQueue::last_is(sim::Time time, std::int64_t version) const {
    return any_ && last_time_ == time && last_version_ == version;
}

void EvaluationQueue::add(const analysis::MetricsRow& row,
                          std::shared_ptr<const std::vector<at::Tensor>> params,
                          std::int64_t version) {
    any_ = true;
    last_time_ = row.time;
    const bool same_version = version == last_version_;
    last_version_ = version;
    if (!pool_) {
        // Inline, as before the queue existed: the evaluator's own cache skips a version
        // evaluated already.
        Pending p{row, std::make_shared<Task>(), 0};
        p.task->result = evaluator_.evaluate(*params, version);
        p.task->finished_seconds = host_seconds();
        fill(p);
        return;
    }
    if (!same_version || !last_task_) {
        last_task_ = std::make_shared<Task>();
        last_task_->params = std::move(params);
        last_task_->ticket = pool_->submit([this, task = last_task_](models::Model& replica) {
            task->result = evaluator_.evaluate_on(replica, *task->params);
            task->params.reset();
            task->finished_seconds = host_seconds();
        });
    }
    pending_.push_back({row, last_task_, host_seconds()});
    collect(false);
    // Bounded: each pending evaluation may keep a snapshot of the global model alive.
    while (pending_.size() > static_cast<std::size_t>(pool_->threads())) {
        pool_->wait(pending_.front().task->ticket);
        collect(false);
    }
}

void EvaluationQueue::collect(bool wait) {
    while (!pending_.empty()) {
        Pending& p = pending_.front();
        if (!wait && !pool_->finished(p.task->ticket)) return;
        pool_->wait(p.task->ticket);  // rethrows the evaluation's error
        fill(p);
        pending_.pop_front();
    }
}

void EvaluationQueue::fill(Pending& p) {
    analysis::MetricsRow row = p.row;
    const EvalResult& e = p.task->result;
    row.loss = e.loss;
    row.perplexity = e.perplexity;
    row.bits_per_byte = e.bits_per_byte;
    row.accuracy = e.accuracy;
    // The host time the row's numbers were known: a row sharing an evaluation asked for later
    // is not known before it was asked for.
    row.host_seconds = std::max(p.task->finished_seconds, p.added_seconds);
    rows_.push_back(row);
}

}  // namespace hetsim::engine
