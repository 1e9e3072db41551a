// Tests for sim/event_queue.hpp and sim/simulator.hpp: ordering, cancellation, the clock, and a
// property check of the simulator against a simple reference model over many seeds.

#include "sim/error.hpp"
#include "sim/event_queue.hpp"
#include "sim/simulator.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <random>
#include <set>
#include <string>
#include <tuple>
#include <vector>

using hetsim::sim::EventId;
using hetsim::sim::EventQueue;
using hetsim::sim::kNever;
using hetsim::sim::Simulator;
using hetsim::sim::Time;

namespace {
// The largest priority event_queue.hpp allows ("< 2^24").
constexpr std::uint32_t kMaxPriority = (1u << 24) - 1;
}  // namespace

TEST_CASE("events at the same instant fire in the order they were scheduled") {
    SUBCASE("through the simulator") {
        Simulator sim;
        std::vector<int> fired;
        // Interleave two instants so that equal times are not also adjacent pushes.
        for (int i = 0; i < 100; ++i) {
            sim.schedule_at(Time{i % 2 == 0 ? 5 : 7}, [&fired, i] { fired.push_back(i); });
        }
        sim.run();
        std::vector<int> expected;
        for (int i = 0; i < 100; i += 2) expected.push_back(i);
        for (int i = 1; i < 100; i += 2) expected.push_back(i);
        CHECK(fired == expected);
        CHECK(sim.now() == Time{7});
    }
    SUBCASE("through the queue itself") {
        EventQueue queue;
        std::vector<int> fired;
        for (int i = 0; i < 1000; ++i) queue.push(Time{42}, [&fired, i] { fired.push_back(i); });
        while (!queue.empty()) {
            auto [time, callback] = queue.pop();
            CHECK(time == Time{42});
            callback();
        }
        REQUIRE(fired.size() == 1000);
        for (int i = 0; i < 1000; ++i) CHECK(fired[static_cast<std::size_t>(i)] == i);
    }
}

TEST_CASE("a lower priority fires first among events at the same instant") {
    Simulator sim;
    std::vector<std::string> fired;
    const auto log = [&fired](std::string name) {
        return [&fired, name = std::move(name)] { fired.push_back(name); };
    };
    sim.schedule_at(Time{10}, log("p3"), 3);
    sim.schedule_at(Time{10}, log("p1-first"), 1);
    sim.schedule_at(Time{10}, log("p-max"), kMaxPriority);
    sim.schedule_at(Time{10}, log("p0"), 0);
    sim.schedule_at(Time{10}, log("p1-second"), 1);
    // Priority never beats time: the earlier event fires first whatever its priority.
    sim.schedule_at(Time{9}, log("t9-p100"), 100);
    sim.schedule_at(Time{11}, log("t11-p0"), 0);
    sim.run();
    CHECK(fired == std::vector<std::string>{"t9-p100", "p0", "p1-first", "p1-second", "p3", "p-max",
                                            "t11-p0"});
    SUBCASE("a priority that does not fit in 24 bits is an internal error") {
        const auto noop = [] {};
        CHECK_THROWS_AS(sim.schedule_at(Time{20}, noop, kMaxPriority + 1), hetsim::InvariantError);
        CHECK(sim.pending() == 0);
    }
}

TEST_CASE("a cancelled event never fires") {
    Simulator sim;
    std::vector<int> fired;
    const EventId a = sim.schedule_at(Time{1}, [&] { fired.push_back(1); });
    const EventId b = sim.schedule_at(Time{2}, [&] { fired.push_back(2); });
    const EventId c = sim.schedule_at(Time{3}, [&] { fired.push_back(3); });
    CHECK(sim.pending() == 3);

    SUBCASE("cancel returns true once, then false") {
        CHECK(sim.cancel(b));
        CHECK(sim.pending() == 2);
        CHECK_FALSE(sim.cancel(b));
        CHECK(sim.pending() == 2);
        sim.run();
        CHECK(fired == std::vector<int>{1, 3});
        CHECK(sim.events_fired() == 2);
        CHECK_FALSE(sim.cancel(b));
    }
    SUBCASE("cancelling the next event skips it") {
        CHECK(sim.cancel(a));
        CHECK(sim.step());
        CHECK(fired == std::vector<int>{2});
        CHECK(sim.now() == Time{2});
    }
    SUBCASE("cancel returns false after the event fired") {
        sim.run();
        CHECK_FALSE(sim.cancel(a));
        CHECK_FALSE(sim.cancel(c));
        CHECK(fired == std::vector<int>{1, 2, 3});
    }
    SUBCASE("cancelling every event leaves nothing to run") {
        CHECK(sim.cancel(c));
        CHECK(sim.cancel(a));
        CHECK(sim.cancel(b));
        CHECK(sim.pending() == 0);
        CHECK_FALSE(sim.step());
        CHECK(fired.empty());
        CHECK(sim.events_fired() == 0);
        CHECK(sim.now() == Time{0});
    }
    SUBCASE("an event can cancel a later one from its callback") {
        sim.schedule_at(Time{0}, [&] { CHECK(sim.cancel(c)); });
        sim.run();
        CHECK(fired == std::vector<int>{1, 2});
    }
    SUBCASE("an event cannot cancel itself once it is firing") {
        EventId self;
        self = sim.schedule_at(Time{0}, [&] { CHECK_FALSE(sim.cancel(self)); });
        sim.run();
        CHECK(fired == std::vector<int>{1, 2, 3});
    }
    SUBCASE("ids that were never issued are not cancellable") {
        CHECK_FALSE(sim.cancel(EventId{}));
        CHECK_FALSE(sim.cancel(EventId{1000, 0}));
        CHECK(sim.pending() == 3);
    }
}

TEST_CASE("a stale EventId does not cancel the event that reuses its slot") {
    SUBCASE("slot freed by firing") {
        Simulator sim;
        const EventId old_id = sim.schedule_at(Time{1}, [] {});
        sim.run();
        int fired = 0;
        const EventId new_id = sim.schedule_at(Time{2}, [&fired] { ++fired; });
        REQUIRE(new_id.slot == old_id.slot);  // otherwise this test proves nothing
        CHECK(new_id.generation != old_id.generation);
        CHECK_FALSE(sim.cancel(old_id));
        sim.run();
        CHECK(fired == 1);
    }
    SUBCASE("slot freed by cancelling") {
        EventQueue queue;
        const EventId old_id = queue.push(Time{1}, [] {});
        CHECK(queue.cancel(old_id));
        CHECK(queue.empty());  // drops the cancelled entry and frees its slot
        int fired = 0;
        const EventId new_id = queue.push(Time{5}, [&fired] { ++fired; });
        REQUIRE(new_id.slot == old_id.slot);
        CHECK_FALSE(queue.cancel(old_id));
        CHECK(queue.size() == 1);
        queue.pop().second();
        CHECK(fired == 1);
    }
}

TEST_CASE("the queue reports its next time and size, skipping cancelled entries") {
    EventQueue queue;
    CHECK(queue.empty());
    CHECK(queue.size() == 0);
    CHECK(queue.next_time() == kNever);
    CHECK_THROWS_AS(queue.pop(), hetsim::InvariantError);

    const EventId a = queue.push(Time{3}, [] {});
    queue.push(Time{8}, [] {});
    CHECK(queue.next_time() == Time{3});
    CHECK(queue.size() == 2);
    CHECK(queue.cancel(a));
    CHECK(queue.size() == 1);
    CHECK(queue.next_time() == Time{8});
    CHECK(queue.pop().first == Time{8});
    CHECK(queue.empty());
    CHECK(queue.next_time() == kNever);
}

TEST_CASE("scheduling in the past is an internal error") {
    Simulator sim;
    sim.schedule_at(Time{10}, [] {});
    sim.run();
    REQUIRE(sim.now() == Time{10});
    CHECK_THROWS_AS(sim.schedule_at(Time{9}, [] {}), hetsim::InvariantError);
    CHECK_THROWS_AS(sim.schedule_at(Time{0}, [] {}), hetsim::InvariantError);
    CHECK_THROWS_AS(sim.schedule_after(Time{-1}, [] {}), hetsim::InvariantError);
    CHECK_THROWS_AS(sim.schedule_after(kNever, [] {}), hetsim::InvariantError);  // overflows
    CHECK(sim.pending() == 0);  // nothing was queued by the failed calls
    CHECK_NOTHROW(sim.schedule_at(Time{10}, [] {}));
    CHECK_NOTHROW(sim.schedule_after(Time{0}, [] {}));
    CHECK(sim.pending() == 2);
}

TEST_CASE("run_until fires events up to and including the given time") {
    Simulator sim;
    std::vector<std::int64_t> fired;
    const auto record = [&] { fired.push_back(sim.now().count()); };
    for (const int t : {5, 10, 10, 15}) sim.schedule_at(Time{t}, record);

    sim.run_until(Time{10});
    CHECK(fired == std::vector<std::int64_t>{5, 10, 10});
    CHECK(sim.now() == Time{10});
    CHECK(sim.pending() == 1);

    SUBCASE("the clock moves to the given time even when nothing fires") {
        sim.run_until(Time{12});
        CHECK(fired.size() == 3);
        CHECK(sim.now() == Time{12});
        SUBCASE("an earlier target leaves the clock where it is") {
            sim.run_until(Time{11});
            CHECK(sim.now() == Time{12});
        }
    }
    SUBCASE("events scheduled by callbacks within the window fire in the same call") {
        sim.schedule_at(Time{11}, [&] {
            record();
            sim.schedule_after(Time{2}, record);   // 13: inside the window
            sim.schedule_after(Time{10}, record);  // 21: outside
        });
        sim.run_until(Time{15});
        CHECK(fired == std::vector<std::int64_t>{5, 10, 10, 11, 13, 15});
        CHECK(sim.pending() == 1);
        CHECK(sim.now() == Time{15});
    }
    SUBCASE("an empty queue still advances the clock") {
        sim.run();
        sim.run_until(Time{1000});
        CHECK(sim.now() == Time{1000});
        CHECK(sim.events_fired() == 4);
    }
}

TEST_CASE("stop halts run and run_until after the current event") {
    Simulator sim;
    std::vector<int> fired;
    sim.schedule_at(Time{1}, [&] { fired.push_back(1); });
    sim.schedule_at(Time{2}, [&] {
        fired.push_back(2);
        sim.stop();
    });
    sim.schedule_at(Time{2}, [&] { fired.push_back(22); });
    sim.schedule_at(Time{3}, [&] { fired.push_back(3); });

    SUBCASE("run") { sim.run(); }
    SUBCASE("run_until leaves the clock at the stopping event") { sim.run_until(Time{100}); }
    CHECK(fired == std::vector<int>{1, 2});
    CHECK(sim.stopped());
    CHECK(sim.now() == Time{2});
    CHECK(sim.pending() == 2);
    CHECK(sim.events_fired() == 2);
    CHECK_FALSE(sim.step());  // documented: step() is off once stopped
}

TEST_CASE("an event scheduled for the current instant fires after those already pending then") {
    Simulator sim;
    std::vector<std::string> fired;
    sim.schedule_at(Time{5}, [&] {
        fired.push_back("a");
        sim.schedule_after(Time{0}, [&] {
            fired.push_back("d");
            sim.schedule_at(sim.now(), [&] { fired.push_back("e"); });
        });
    });
    sim.schedule_at(Time{5}, [&] { fired.push_back("b"); });
    sim.schedule_at(Time{5}, [&] { fired.push_back("c"); });
    sim.schedule_at(Time{6}, [&] { fired.push_back("f"); });
    sim.run();
    CHECK(fired == std::vector<std::string>{"a", "b", "c", "d", "e", "f"});
    CHECK(sim.events_fired() == 6);
}

TEST_CASE("events_fired counts fired events only") {
    Simulator sim;
    CHECK(sim.events_fired() == 0);
    std::vector<EventId> ids;
    for (int i = 0; i < 10; ++i) ids.push_back(sim.schedule_after(Time{i}, [] {}));
    sim.cancel(ids[3]);
    sim.cancel(ids[7]);
    CHECK(sim.step());
    CHECK(sim.events_fired() == 1);
    sim.run();
    CHECK(sim.events_fired() == 8);
    CHECK_FALSE(sim.step());
    CHECK(sim.events_fired() == 8);
}

namespace {

// A reference model of the pending set: the simulator must always fire its smallest key.
struct ModelEvent {
    std::int64_t time;
    std::uint32_t priority;
    std::uint64_t seq;  // scheduling order; the queue's own counter advances in lockstep
    int index;          // position in Harness::events
    auto operator<=>(const ModelEvent&) const = default;
};

struct Harness {
    struct Record {
        EventId id;
        ModelEvent key;
        int fire_count = 0;
        bool cancelled = false;
    };
    Simulator sim;
    std::mt19937_64 gen;
    std::set<ModelEvent> pending;
    std::vector<Record> events;
    std::uint64_t next_seq = 0;
    std::int64_t last_time = 0;
    int mismatches = 0;  // counted rather than CHECKed per event to keep the log readable

    explicit Harness(std::uint64_t seed) : gen(seed) {}

    std::uint64_t draw(std::uint64_t n) { return gen() % n; }

    // Delays cluster on a few values so that ties in time (and priority) are frequent.
    Time random_delay() {
        switch (draw(4)) {
        case 0: return Time{0};
        case 1: return Time{static_cast<std::int64_t>(draw(4))};
        case 2: return Time{static_cast<std::int64_t>(draw(100))};
        default: return Time{static_cast<std::int64_t>(draw(1'000'000))};
        }
    }

    void schedule() {
        const Time delay = random_delay();
        const auto priority = static_cast<std::uint32_t>(draw(3));
        const int index = static_cast<int>(events.size());
        const ModelEvent key{(sim.now() + delay).count(), priority, next_seq++, index};
        events.push_back(Record{EventId{}, key});
        // A fired event sometimes schedules or cancels others, as timing models do.
        events.back().id = sim.schedule_after(
            delay, [this, index] { on_fire(index); }, priority);
        pending.insert(key);
    }

    // Mostly recent events (often still pending), sometimes any event (often fired already,
    // so its slot may have been reused: the stale id must not cancel the new occupant).
    void cancel_random() {
        if (events.empty()) return;
        const std::size_t n = events.size();
        const std::size_t pick =
            draw(2) == 0 ? draw(n) : n - 1 - draw(std::min<std::size_t>(n, 16));
        Record& r = events[pick];
        const bool expected = r.fire_count == 0 && !r.cancelled;
        if (sim.cancel(r.id) != expected) ++mismatches;
        if (expected) {
            r.cancelled = true;
            pending.erase(r.key);
        }
    }

    void on_fire(int index) {
        Record& r = events[static_cast<std::size_t>(index)];
        ++r.fire_count;
        if (sim.now().count() < last_time) ++mismatches;  // the clock went backwards
        last_time = sim.now().count();
        if (sim.now().count() != r.key.time) ++mismatches;
        if (pending.empty() || *pending.begin() != r.key) ++mismatches;  // not the smallest key
        pending.erase(r.key);
        const auto action = draw(10);
        if (action < 3) schedule();
        if (action == 3) cancel_random();
    }

    void random_operation() {
        const auto op = draw(20);
        if (op < 9) {
            schedule();
        } else if (op < 12) {
            cancel_random();
        } else if (op < 19) {
            sim.step();
        } else {
            const Time before = sim.now();
            const Time until = before + random_delay();
            sim.run_until(until);
            if (sim.now() != std::max(before, until)) ++mismatches;
            if (!pending.empty() && pending.begin()->time <= until.count()) ++mismatches;
            last_time = sim.now().count();
        }
    }
};

}  // namespace

TEST_CASE("the clock never goes backwards and every live event fires exactly once") {
    for (std::uint64_t seed = 1; seed <= 25; ++seed) {
        CAPTURE(seed);
        Harness h(seed);
        for (int i = 0; i < 20'000; ++i) {
            h.random_operation();
            if (h.sim.pending() != h.pending.size()) ++h.mismatches;
        }
        h.sim.run();
        CHECK(h.mismatches == 0);
        CHECK(h.pending.empty());
        CHECK(h.sim.pending() == 0);
        std::uint64_t fired = 0;
        int wrong_counts = 0;
        for (const auto& r : h.events) {
            fired += static_cast<std::uint64_t>(r.fire_count);
            if (r.fire_count != (r.cancelled ? 0 : 1)) ++wrong_counts;
        }
        CHECK(wrong_counts == 0);
        CHECK(h.sim.events_fired() == fired);
        // The run must have exercised what it claims to check.
        CHECK(h.events.size() > 10'000);
        CHECK(std::count_if(h.events.begin(), h.events.end(),
                            [](const auto& r) { return r.cancelled; }) > 500);
    }
}

// Regression: run_until(kNever) used to loop forever once the queue was empty, because
// next_time() is kNever for an empty queue.
TEST_CASE("run_until(kNever) returns once the queue is empty") {
    Simulator sim;
    int fired = 0;
    sim.schedule_at(Time{5}, [&fired] { ++fired; });
    sim.run_until(kNever);
    CHECK(fired == 1);
    CHECK(sim.now() == kNever);
}
