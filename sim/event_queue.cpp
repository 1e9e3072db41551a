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
    const Entry entry{time, (std::uint64_t{priority} << kSeqBits) | next_seq_++, slot};
    if (hole_) {
        hole_ = false;
        sift_down_from_root(entry);
    } else {
        heap_.push_back(entry);
        sift_up(heap_.size() - 1);
    }
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

void EventQueue::sift_up(std::size_t i) {
    const Entry moving = heap_[i];
    while (i > 0) {
        const std::size_t parent = (i - 1) / 4;
        if (!later(heap_[parent], moving)) break;
        heap_[i] = heap_[parent];
        i = parent;
    }
    heap_[i] = moving;
}

void EventQueue::remove_top() {
    const Entry moving = heap_.back();
    heap_.pop_back();
    if (!heap_.empty()) sift_down_from_root(moving);
}

void EventQueue::fill_hole() {
    if (!hole_) return;
    hole_ = false;
    remove_top();
}

void EventQueue::sift_down_from_root(Entry moving) {
    const std::size_t n = heap_.size();
    std::size_t i = 0;
    for (;;) {
        const std::size_t first = 4 * i + 1;
        if (first >= n) break;
        std::size_t best = first;
        const std::size_t last = std::min(first + 4, n);
        for (std::size_t c = first + 1; c < last; ++c)
            if (later(heap_[best], heap_[c])) best = c;
        if (!later(moving, heap_[best])) break;
        heap_[i] = heap_[best];
        i = best;
    }
    heap_[i] = moving;
}

void EventQueue::drop_cancelled_top() {
    fill_hole();
    while (!heap_.empty() && !slots_[heap_.front().slot].pending) {
        const std::uint32_t slot = heap_.front().slot;
        remove_top();
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
    hole_ = true;  // removed lazily: by the next push, or by fill_hole
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
    fill_hole();
    heap_.reserve(n);
    slots_.reserve(n);
    free_slots_.reserve(n);
}

}  // namespace hetsim::sim
