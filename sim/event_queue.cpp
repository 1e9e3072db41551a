#include "sim/event_queue.hpp"

#include "sim/error.hpp"

#include <algorithm>

namespace hetsim::sim {

namespace {
// 24 bits of priority (enough for one priority per worker up to 16M workers), 40 bits of
// sequence number (1.1e12 events).
constexpr int kSeqBits = 40;
constexpr std::uint64_t kSeqMask = (std::uint64_t{1} << kSeqBits) - 1;
}  // namespace

EventId EventQueue::push(Time time, EventCallback callback, std::uint32_t priority) {
    HETSIM_ASSERT(priority < (1u << 24), "event priority {} out of range", priority);
    HETSIM_ASSERT(next_seq_ <= kSeqMask, "event sequence numbers exhausted");
    std::uint32_t slot;
    if (!free_slots_.empty()) {
        slot = free_slots_.back();
        free_slots_.pop_back();
    } else {
        slot = static_cast<std::uint32_t>(slots_.size());
        slots_.emplace_back();
    }
    Slot& s = slots_[slot];
    s.callback = std::move(callback);
    s.pending = true;
    heap_.push_back(Entry{time, (std::uint64_t{priority} << kSeqBits) | next_seq_++, slot});
    std::push_heap(heap_.begin(), heap_.end(), later);
    ++live_;
    return EventId{slot, s.generation};
}

bool EventQueue::cancel(EventId id) {
    if (!id.valid() || id.slot >= slots_.size()) return false;
    Slot& s = slots_[id.slot];
    if (!s.pending || s.generation != id.generation) return false;
    // The heap entry stays and is skipped when it surfaces; the slot is recycled then.
    s.pending = false;
    s.callback = nullptr;
    --live_;
    return true;
}

void EventQueue::drop_cancelled_top() {
    while (!heap_.empty() && !slots_[heap_.front().slot].pending) {
        const std::uint32_t slot = heap_.front().slot;
        std::pop_heap(heap_.begin(), heap_.end(), later);
        heap_.pop_back();
        ++slots_[slot].generation;
        free_slots_.push_back(slot);
    }
}

bool EventQueue::empty() {
    drop_cancelled_top();
    return heap_.empty();
}

Time EventQueue::next_time() {
    drop_cancelled_top();
    return heap_.empty() ? kNever : heap_.front().time;
}

std::pair<Time, EventCallback> EventQueue::pop() {
    drop_cancelled_top();
    HETSIM_ASSERT(!heap_.empty(), "pop from an empty event queue");
    const Entry top = heap_.front();
    std::pop_heap(heap_.begin(), heap_.end(), later);
    heap_.pop_back();
    Slot& s = slots_[top.slot];
    std::pair<Time, EventCallback> out{top.time, std::move(s.callback)};
    s.callback = nullptr;
    s.pending = false;
    ++s.generation;
    free_slots_.push_back(top.slot);
    --live_;
    return out;
}

void EventQueue::reserve(std::size_t n) {
    heap_.reserve(n);
    slots_.reserve(n);
    free_slots_.reserve(n);
}

}  // namespace hetsim::sim
