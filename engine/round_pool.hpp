#pragma once
// A pool of threads that compute worker rounds concurrently (issue 7, "concurrent rounds").
// Each thread owns a model replica and runs Torch with one intra-op thread: on a CPU, several
// small models' steps on separate cores beat one model's step spread over them (TOOLCHAIN.md).
// A task is submitted when its round's inputs are fixed (round_started) and waited for when
// the schedule needs its result; a task waited for before a thread picked it up moves to the
// front of the queue, so the main thread never waits behind rounds needed later.

#include "models/model.hpp"

#include <condition_variable>
#include <deque>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace hetsim::engine {

class RoundPool {
public:
    /// Work on a replica: it may overwrite the replica's parameters; it must not touch state
    /// that the main thread reads before waiting for it.
    using Task = std::function<void(models::Model& replica)>;
    /// Builds one model replica (called `threads` times on the constructing thread).
    using ReplicaFactory = std::function<std::unique_ptr<models::Model>()>;

    struct Job;
    /// A submitted task; shared by the pool (until it ran or was cancelled) and the caller.
    using Ticket = std::shared_ptr<Job>;

    /// Starts `threads` (>= 1) threads, each with its own replica from `make_replica`.
    RoundPool(int threads, const ReplicaFactory& make_replica);
    /// Drops the tasks not started yet and joins the threads (running tasks finish first).
    ~RoundPool();
    RoundPool(const RoundPool&) = delete;
    RoundPool& operator=(const RoundPool&) = delete;

    /// Queues `task` behind the tasks submitted before it.
    Ticket submit(Task task);
    /// Blocks until the task has run; rethrows what it threw. A task not started yet moves to
    /// the front of the queue.
    void wait(const Ticket& ticket);
    /// Whether the task has run (or was cancelled): wait() would not block.
    bool finished(const Ticket& ticket);
    /// Removes the task if no thread started it yet; a running task finishes unobserved.
    void cancel(const Ticket& ticket);

    int threads() const { return static_cast<int>(threads_.size()); }

private:
    void run(int index);

    std::vector<std::unique_ptr<models::Model>> replicas_;  // one per thread
    std::mutex mutex_;
    std::condition_variable work_;  // a task was queued, or the pool stops
    std::condition_variable done_;  // a task finished
    std::deque<Ticket> queue_;
    bool stopping_ = false;
    std::vector<std::thread> threads_;  // last: started after everything they use exists
};

/// The state of one submitted task (guarded by the pool's mutex).
struct RoundPool::Job {
    Task task;
    bool started = false;
    bool finished = false;
    std::exception_ptr error;
};

}  // namespace hetsim::engine
