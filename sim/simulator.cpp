#include "sim/simulator.hpp"

#include "sim/error.hpp"

namespace hetsim::sim {

EventId Simulator::schedule_at(Time at, EventCallback callback, std::uint32_t priority) {
    HETSIM_ASSERT(at >= now_, "event scheduled in the past: at {} < now {}", at.count(),
                  now_.count());
    return queue_.push(at, std::move(callback), priority);
}

EventId Simulator::schedule_after(Time delay, EventCallback callback, std::uint32_t priority) {
    HETSIM_ASSERT(delay >= Time{0}, "negative delay {}", delay.count());
    HETSIM_ASSERT(delay <= kNever - now_, "delay overflows virtual time");
    return queue_.push(now_ + delay, std::move(callback), priority);
}

bool Simulator::step() {
    if (stopped_ || queue_.empty()) return false;
    auto [time, callback] = queue_.pop();
    HETSIM_ASSERT(time >= now_, "clock would go backwards");
    now_ = time;
    ++fired_;
    callback();
    return true;
}

void Simulator::run() {
    while (step()) {
    }
}

void Simulator::run_until(Time until) {
    while (!stopped_ && !queue_.empty() && queue_.next_time() <= until) step();
    if (!stopped_ && until > now_) now_ = until;
}

}  // namespace hetsim::sim
