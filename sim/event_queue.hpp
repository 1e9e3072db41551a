#pragma once
// A pending-event set ordered by (time, priority, sequence number): same-instant events of the
// same priority fire in the order they were scheduled. A 4-ary min-heap of small entries (the
// callbacks live in a slot table), which halves the depth of a binary heap and keeps the
// children of a node in one cache line. Cancellation is O(1): the entry is skipped when it
// reaches the top.

#include "sim/time.hpp"

#include <cstdint>
#include <functional>
#include <vector>

namespace hetsim::sim {

/// Identifies a scheduled event; stays valid (and harmless to cancel) after it fired.
struct EventId {
    std::uint32_t slot = UINT32_MAX;
    std::uint32_t generation = 0;
    bool valid() const { return slot != UINT32_MAX; }
};

/// The callback of an event. Captures of up to 16 trivially copyable bytes (e.g. `this` and
/// an index) are stored without allocation.
using EventCallback = std::function<void()>;

class EventQueue {
public:
    /// Adds an event at `time`; lower `priority` (< 2^24) fires first among events at the same time.
    EventId push(Time time, EventCallback callback, std::uint32_t priority = 0);
    /// Cancels a pending event; returns false if it already fired or was cancelled.
    bool cancel(EventId id);
    /// True when no live event is pending.
    bool empty();
    /// The time of the next live event; kNever when empty.
    Time next_time();
    /// Removes the next live event, returning its time and callback. Requires !empty().
    std::pair<Time, EventCallback> pop();
    /// Number of live pending events.
    std::size_t size() const { return live_; }
    /// Pre-allocates room for `n` pending events.
    void reserve(std::size_t n);

private:
    struct Entry {
        Time time;
        std::uint64_t order;  // priority in the high 24 bits, then the sequence number
        std::uint32_t slot;
    };
    struct Slot {
        EventCallback callback;
        std::uint32_t generation = 0;
        bool pending = false;
    };
    static bool later(const Entry& a, const Entry& b) {
        return a.time != b.time ? a.time > b.time : a.order > b.order;
    }
    void drop_cancelled_top();
    void sift_up(std::size_t i);
    void sift_down_from_root(Entry moving);
    void remove_top();
    void fill_hole();

    std::vector<Entry> heap_;
    std::vector<Slot> slots_;
    std::vector<std::uint32_t> free_slots_;
    std::uint64_t next_seq_ = 0;
    std::size_t live_ = 0;
    // pop() leaves the fired entry at the root and sets hole_; the next push() drops its entry
    // there and sifts it down once, instead of a sift-down for the pop and a sift-up for the
    // push. A simulation almost always schedules an event from the one that just fired.
    bool hole_ = false;
};

}  // namespace hetsim::sim
