#include "engine/round_pool.hpp"

#include "sim/error.hpp"

#include <ATen/Parallel.h>

#include <algorithm>

namespace hetsim::engine {

RoundPool::RoundPool(int threads, const ReplicaFactory& make_replica) {
    HETSIM_ASSERT(threads >= 1, "a round pool of {} threads", threads);
    for (int i = 0; i < threads; ++i) replicas_.push_back(make_replica());
    threads_.reserve(static_cast<std::size_t>(threads));
    try {
        for (int i = 0; i < threads; ++i) threads_.emplace_back([this, i] { run(i); });
    } catch (...) {
        // The destructor does not run for a half-built pool: join what was started.
        {
            const std::lock_guard lock(mutex_);
            stopping_ = true;
        }
        work_.notify_all();
        for (std::thread& t : threads_) t.join();
        throw;
    }
}

RoundPool::~RoundPool() {
    {
        const std::lock_guard lock(mutex_);
        stopping_ = true;
        queue_.clear();
    }
    work_.notify_all();
    for (std::thread& t : threads_) t.join();
}

RoundPool::Ticket RoundPool::submit(Task task) {
    auto job = std::make_shared<Job>();
    job->task = std::move(task);
    {
        const std::lock_guard lock(mutex_);
        queue_.push_back(job);
    }
    work_.notify_one();
    return job;
}

void RoundPool::wait(const Ticket& ticket) {
    std::unique_lock lock(mutex_);
    if (!ticket->started && !ticket->finished) {
        // Needed now: ahead of the rounds queued before it, which are needed later.
        const auto it = std::find(queue_.begin(), queue_.end(), ticket);
        HETSIM_ASSERT(it != queue_.end(), "a round waited for is neither queued nor started");
        queue_.erase(it);
        queue_.push_front(ticket);
        work_.notify_one();
    }
    done_.wait(lock, [&] { return ticket->finished; });
    if (ticket->error) std::rethrow_exception(ticket->error);
}

bool RoundPool::finished(const Ticket& ticket) {
    const std::lock_guard lock(mutex_);
    return ticket->finished;
}

void RoundPool::cancel(const Ticket& ticket) {
    Task dropped;  // destroyed outside the lock: it may hold the last reference to large tensors
    const std::lock_guard lock(mutex_);
    if (ticket->started || ticket->finished) return;
    const auto it = std::find(queue_.begin(), queue_.end(), ticket);
    if (it != queue_.end()) queue_.erase(it);
    ticket->finished = true;
    dropped.swap(ticket->task);
}

void RoundPool::run(int index) {
    // One intra-op thread per round. OpenMP's thread count is a per-thread setting (and
    // OpenBLAS's OpenMP build follows it), so it is set here, on the pool's own thread; a
    // round's bytes must not depend on how many threads split its operations.
    at::set_num_threads(1);
    models::Model& replica = *replicas_[static_cast<std::size_t>(index)];
    std::unique_lock lock(mutex_);
    for (;;) {
        work_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
        if (stopping_) return;
        Ticket job = std::move(queue_.front());
        queue_.pop_front();
        job->started = true;
        Task task;
        task.swap(job->task);
        lock.unlock();
        std::exception_ptr error;
        try {
            task(replica);
        } catch (...) {
            error = std::current_exception();
        }
        task = nullptr;  // release the round's inputs before taking the lock
        lock.lock();
        job->error = error;
        job->finished = true;
        done_.notify_all();
    }
}

}  // namespace hetsim::engine
