#pragma once
// How much memory a training run needs before it starts, so that a world too large for this
// machine is refused with the estimate instead of being killed half-way, and how it splits
// between the server and each worker (reported in run.json and by `hetsim explain`). It counts
// the parameter-shaped tensors the Trainer keeps between events; not counted: activations,
// data, and the few temporary copies a step or a server update makes while it runs (gradients,
// optimizer temporaries, the aggregate and the next global model). Torch-free.

#include "scenarios/training_spec.hpp"
#include "sim/world.hpp"

#include <nlohmann/json_fwd.hpp>

#include <cstdint>
#include <string>

namespace hetsim::engine {

/// What shapes the copies besides the optimizers.
struct MemoryOptions {
    /// ddp: workers keep no optimizer state; the server steps one inner optimizer instead.
    sim::ScheduleKind schedule = sim::ScheduleKind::async;
    /// fedbuff: updates per server step (AlgorithmSpec::buffer).
    int buffer = 1;
    /// Threads computing rounds (round_threads_for): more than 1 adds one model replica per
    /// thread, and lets a round computed ahead of need keep its new optimizer state.
    int round_threads = 1;
    /// Batched replicas (run.replica_batch): more than 1 adds the stacked parameters of that
    /// many rounds, and lets a round computed ahead of need keep its new optimizer state.
    int replica_batch = 1;
};

/// Bytes one worker's state takes (upper bounds: see each field).
struct WorkerMemory {
    /// The global model version its round pulled (workers that pulled the same version, and
    /// the server while it has not moved on, share one copy).
    std::int64_t snapshot = 0;
    /// The round's result (pulled - after, or ddp's gradient), kept until the server applies it.
    std::int64_t pseudo_gradient = 0;
    /// The inner optimizer's state, kept across rounds (see inner_state_copies).
    std::int64_t optimizer_state = 0;
    /// Round threads > 1 or batched replicas: a round computed before its result is needed
    /// holds its new optimizer state beside the committed one (kept in case the round is lost).
    std::int64_t computed_ahead = 0;

    /// The sum of the fields, bytes.
    std::int64_t total() const;
};

/// Bytes the server side takes.
struct ServerMemory {
    /// The run's model: it computes rounds and evaluations with one round thread (with more,
    /// the replicas do, and it stays allocated).
    std::int64_t model = 0;
    /// The global parameters (the current version).
    std::int64_t global = 0;
    /// The outer optimizer's state (see outer_state_copies); ddp: the one inner optimizer's.
    std::int64_t optimizer_state = 0;
    /// fedbuff: pseudo-gradients waiting in the buffer while their workers compute the next
    /// round (buffer - 1 beyond the one per worker).
    std::int64_t buffered_updates = 0;
    /// Round threads > 1: evaluations waiting on the pool each keep the snapshot they evaluate
    /// (EvaluationQueue keeps at most one per thread).
    std::int64_t evaluations = 0;

    /// The sum of the fields, bytes.
    std::int64_t total() const;
};

/// Parameter-shaped tensors a training run keeps, by where they live.
struct MemoryEstimate {
    std::int64_t parameters = 0;  ///< scalar parameters of the model
    int bytes_per_element = 4;    ///< 4 for float32, 2 for bfloat16
    int global_copies = 0;        ///< copies on the server side (ServerMemory), in copies
    int per_worker_copies = 0;    ///< copies per worker (WorkerMemory), in copies
    int replicas = 0;             ///< model replicas of the round threads (0 with one thread)
                                  ///< or stacked replicas of a replica batch
    bool stacked = false;         ///< replicas are run.replica_batch's stack
    std::int64_t workers = 0;
    std::string inner_kind;  ///< the inner optimizer (for messages)
    std::string outer_kind;  ///< the outer optimizer, or the inner one for ddp (for messages)
    ServerMemory server;     ///< bytes
    WorkerMemory worker;     ///< bytes, per worker

    /// Bytes of one copy of the parameters: parameters x bytes_per_element.
    std::int64_t copy_bytes() const;
    /// Bytes of the round threads' replicas: replicas x copy_bytes().
    std::int64_t replica_bytes() const;
    /// server + workers x worker + replicas, bytes.
    std::int64_t total_bytes() const;
    /// total_bytes() as a double (for comparing with a machine's memory).
    double bytes() const;
};

/// State tensors (copies of the parameters) an outer optimizer keeps: sgd 1 with momentum
/// (note the default momentum 0.9), else 0; nesterov 1; adam 2; delayed-nesterov 2 (m and D).
int outer_state_copies(const scenarios::OuterOptimizerSpec& outer);

/// State tensors an inner optimizer keeps between rounds: sgd 1 with momentum, else 0; adamw 2
/// (both moments); rmsprop 1, 2 with momentum; delta-sgd 2 (previous parameters and gradient).
int inner_state_copies(const scenarios::InnerOptimizerSpec& inner);

/// The copies a run with these optimizers keeps: server = the model, the global copy, the
/// outer optimizer's state (+ fedbuff's buffer - 1); per worker = the snapshot, the
/// pseudo-gradient, the inner optimizer's state; with more than one round thread, each worker's
/// state again (computed ahead), one replica and one evaluation snapshot per thread.
MemoryEstimate estimate_memory(const scenarios::TrainingSpec& training, std::int64_t parameters,
                               std::int64_t workers, const MemoryOptions& options = {});

/// The estimate as run.json's `training.memory` object (bytes; docs/outputs.md).
nlohmann::json memory_json(const MemoryEstimate& estimate);

/// The estimate for `hetsim explain`: a few indented lines, exact bytes then readable units,
/// ending with `available` bytes of this machine (when > 0).
std::string memory_text(const MemoryEstimate& estimate, double available);

/// This machine's physical memory in bytes (sysconf), or 0 when unknown.
double physical_memory_bytes();

/// Throws hetsim::ConfigError naming the estimate (total, per worker, server) when it exceeds
/// `available` bytes (> 0).
void check_memory(const MemoryEstimate& estimate, double available);

}  // namespace hetsim::engine
