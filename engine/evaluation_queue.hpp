#pragma once
// The global model's evaluations in grid order (issue 7: "evaluation can overlap training the
// same way" as concurrent rounds). An evaluation's input is fixed when it is asked for: a
// snapshot of the global parameters, shared copy-on-write (the trainer modifies the global
// model in place only while nothing else holds it, so a pending evaluation's snapshot is never
// written to). Without a RoundPool it runs at once, on the calling thread; with one, it is
// queued as a task on a round thread's replica and collected later, in the order asked, so
// that the rows, and metrics.csv, are the same bytes either way.

#include "analysis/metrics.hpp"
#include "engine/evaluator.hpp"
#include "engine/round_pool.hpp"

#include <ATen/core/Tensor.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <vector>

namespace hetsim::engine {

class EvaluationQueue {
public:
    /// `evaluator` must outlive the queue; host seconds count from now.
    explicit EvaluationQueue(Evaluator& evaluator);

    /// From now on, queue evaluations on `pool` (null: evaluate at once). The pool must be
    /// destroyed before the queue (no task may outlive the state it reads).
    void use_pool(RoundPool* pool) { pool_ = pool; }

    /// Evaluates `params`, the global model at server version `version`, for `row` (whose
    /// evaluation fields and host time are filled in). Consecutive rows of the same version
    /// share one evaluation. With a pool, at most one pending evaluation per pool thread is
    /// kept (each may hold a snapshot): beyond that, the oldest is waited for.
    void add(const analysis::MetricsRow& row, std::shared_ptr<const std::vector<at::Tensor>> params,
             std::int64_t version);

    /// Moves the finished evaluations at the front to rows(), in order; with `wait`, waits for
    /// all. Rethrows an evaluation's error, message unchanged (as when evaluated inline).
    void collect(bool wait);

    /// The rows evaluated so far, in the order added (pending ones not yet included).
    const std::vector<analysis::MetricsRow>& rows() const { return rows_; }

    /// Whether the last row added (pending or not) stands for `time` and `version`.
    bool last_is(sim::Time time, std::int64_t version) const;

private:
    struct Task;
    struct Pending {
        analysis::MetricsRow row;
        std::shared_ptr<Task> task;
        double added_seconds = 0;  // host seconds when the row was asked for
    };

    double host_seconds() const;
    void fill(Pending& p);

    Evaluator& evaluator_;
    RoundPool* pool_ = nullptr;
    std::chrono::steady_clock::time_point started_;
    std::deque<Pending> pending_;
    std::shared_ptr<Task> last_task_;  // the newest queued evaluation, shared by equal versions
    std::int64_t last_version_ = -1;
    bool any_ = false;                 // a row was added
    sim::Time last_time_{0};
    std::vector<analysis::MetricsRow> rows_;
};

}  // namespace hetsim::engine
