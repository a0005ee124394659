// The per-ring timer wheel: entries fire at their tick, never early, also a
// turn or more ahead; the next busy slot is found across the wrap.
#include <catch2/catch_test_macros.hpp>

#include <vector>

#include "engine/ring/timer_wheel.hpp"

using ringhttp::engine::timer_wheel;

namespace {
constexpr std::uint64_t ms = 1'000'000;

std::vector<std::uint32_t> advance_to(timer_wheel& w, timer_wheel::tick t) {
    std::vector<std::uint32_t> fired;
    w.advance(t, [&](const timer_wheel::entry& e) { fired.push_back(e.index); });
    return fired;
}
}  // namespace

TEST_CASE("timer wheel: a deadline fires at its tick and not before", "[timer]") {
    timer_wheel w(1000 * ms);
    const timer_wheel::tick now = w.at(1000 * ms);
    const timer_wheel::tick due = w.after(1000 * ms, 55 * ms);  // rounds up: 6 ticks of 10 ms
    CHECK(due == now + 6);
    w.schedule(due, 7, 1);
    CHECK(advance_to(w, due - 1).empty());
    CHECK(advance_to(w, due) == std::vector<std::uint32_t>{7});
    CHECK(w.size() == 0);
}

TEST_CASE("timer wheel: a deadline more than a turn away waits its turn", "[timer]") {
    timer_wheel w(0);
    const timer_wheel::tick due = 1 + 3 * timer_wheel::slot_count + 5;
    w.schedule(due, 1, 0);
    for (timer_wheel::tick t = 1; t < due; t += 97) CHECK(advance_to(w, t).empty());
    CHECK(advance_to(w, due) == std::vector<std::uint32_t>{1});
}

TEST_CASE("timer wheel: next_busy finds the nearest slot across the wrap", "[timer]") {
    timer_wheel w(0);
    CHECK(w.next_busy(1) == 0);
    advance_to(w, 1000);
    w.schedule(1000 + 30, 1, 0);  // slot 6 after the wrap at 1024
    CHECK(w.next_busy(1000) == 1030);
    w.schedule(1000 + 3, 2, 0);
    CHECK(w.next_busy(1000) == 1003);
    CHECK(advance_to(w, 1003) == std::vector<std::uint32_t>{2});
    CHECK(w.next_busy(1003) == 1030);
}

TEST_CASE("timer wheel: what fire schedules for the past runs on the next advance", "[timer]") {
    timer_wheel w(0);
    w.schedule(5, 1, 0);
    std::vector<std::uint32_t> fired;
    w.advance(10, [&](const timer_wheel::entry& e) {
        fired.push_back(e.index);
        if (e.index == 1) w.schedule(3, 2, 0);  // already past
    });
    CHECK(fired == std::vector<std::uint32_t>{1, 2});
}
