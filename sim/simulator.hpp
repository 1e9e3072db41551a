#pragma once
// The discrete-event simulator: a virtual clock plus an event queue. The clock never goes
// backwards: scheduling in the past is an internal error.

#include "sim/event_queue.hpp"
#include "sim/time.hpp"

#include <cstdint>

namespace hetsim::sim {

class Simulator {
public:
    /// The current virtual time.
    Time now() const { return now_; }
    /// Schedules `callback` at absolute time `at` (>= now()).
    EventId schedule_at(Time at, EventCallback callback, std::uint32_t priority = 0);
    /// Schedules `callback` after `delay` (>= 0) from now().
    EventId schedule_after(Time delay, EventCallback callback, std::uint32_t priority = 0);
    /// Cancels a pending event; false if it already fired or was cancelled.
    bool cancel(EventId id) { return queue_.cancel(id); }
    /// Fires the next event; false when none is pending (or stop() was called).
    bool step();
    /// Fires events until none is pending or stop() is called.
    void run();
    /// Fires every event with time <= `until`, then sets the clock to `until` (if it is later
    /// than the last event fired and the run was not stopped).
    void run_until(Time until);
    /// Makes run()/run_until() return after the current event.
    void stop() { stopped_ = true; }
    bool stopped() const { return stopped_; }
    /// Number of events fired so far.
    std::uint64_t events_fired() const { return fired_; }
    /// Number of live pending events.
    std::size_t pending() const { return queue_.size(); }
    /// Pre-allocates room for `n` pending events.
    void reserve(std::size_t n) { queue_.reserve(n); }

private:
    EventQueue queue_;
    Time now_{0};
    std::uint64_t fired_ = 0;
    bool stopped_ = false;
};

}  // namespace hetsim::sim
