// The RCU domain (engine/rcu.cpp): grace periods for ring threads that
// announce quiescent states and for other threads' read_guards.
#include <catch2/catch_test_macros.hpp>

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

#include "engine/base/rcu.hpp"

namespace rcu = ringhttp::rcu;

namespace {

std::atomic<int> freed{0};

void count_free(void* p) {
    delete static_cast<int*>(p);
    freed.fetch_add(1);
}

void wait_for(const std::atomic<int>& stage, int value) {
    while (stage.load() != value) std::this_thread::yield();
}

// Runs reclaim() until nothing is pending or a second has passed.
bool drains() {
    for (int i = 0; i < 20000; ++i) {
        if (rcu::reclaim() == 0) return true;
        std::this_thread::sleep_for(std::chrono::microseconds(50));
    }
    return false;
}

}  // namespace

TEST_CASE("rcu: with no reader in a section a retired object is freed at once", "[mux][rcu]") {
    rcu::synchronize();
    const int before = freed.load();
    rcu::retire(new int(1), count_free);
    rcu::reclaim();
    CHECK(freed.load() == before + 1);
    CHECK(rcu::pending() == 0);
}

TEST_CASE("rcu: a read_guard on another thread holds reclamation back until it ends", "[mux][rcu]") {
    rcu::synchronize();
    std::atomic<int> stage{0};
    std::thread reader([&] {
        rcu::read_guard guard;
        stage.store(1);
        wait_for(stage, 2);
    });
    wait_for(stage, 1);
    const int before = freed.load();
    rcu::retire(new int(2), count_free);  // returns although a reader is inside
    CHECK(rcu::reclaim() == 1);
    CHECK(freed.load() == before);
    stage.store(2);
    reader.join();
    CHECK(drains());
    CHECK(freed.load() == before + 1);
}

TEST_CASE("rcu: an object retired before a guard began is not held back by it", "[mux][rcu]") {
    rcu::synchronize();
    // Retired while nobody was inside: a guard that starts later cannot hold it.
    rcu::retire(new int(3), count_free);
    std::atomic<int> stage{0};
    std::thread reader([&] {
        rcu::read_guard guard;
        stage.store(1);
        wait_for(stage, 2);
    });
    wait_for(stage, 1);
    CHECK(rcu::reclaim() == 0);
    stage.store(2);
    reader.join();
}

TEST_CASE("rcu: a registered ring thread holds reclamation back until quiescent()", "[mux][rcu]") {
    rcu::synchronize();
    std::atomic<int> stage{0};
    std::thread ring([&] {
        rcu::register_thread();
        stage.store(1);
        wait_for(stage, 2);
        rcu::quiescent();
        stage.store(3);
        wait_for(stage, 4);
        rcu::unregister_thread();
    });
    wait_for(stage, 1);
    const int before = freed.load();
    rcu::retire(new int(4), count_free);
    CHECK(rcu::reclaim() == 1);
    CHECK(freed.load() == before);
    stage.store(2);
    wait_for(stage, 3);
    CHECK(drains());
    CHECK(freed.load() == before + 1);
    stage.store(4);
    ring.join();
}

TEST_CASE("rcu: an offline ring thread does not hold reclamation back", "[mux][rcu]") {
    rcu::synchronize();
    std::atomic<int> stage{0};
    std::thread ring([&] {
        rcu::register_thread();
        rcu::offline();  // as around a blocking io_uring_enter
        stage.store(1);
        wait_for(stage, 2);
        rcu::online();
        rcu::unregister_thread();
    });
    wait_for(stage, 1);
    rcu::retire(new int(5), count_free);
    CHECK(rcu::reclaim() == 0);
    stage.store(2);
    ring.join();
}

TEST_CASE("rcu: read_guards nest and a ring thread's guard takes no part", "[mux][rcu]") {
    rcu::synchronize();
    std::atomic<int> stage{0};
    std::thread ring([&] {
        rcu::register_thread();
        {
            rcu::read_guard outer;
            { rcu::read_guard inner; }
            // Still inside outer (and online): a retire now must wait for us.
            stage.store(1);
            wait_for(stage, 2);
        }
        rcu::quiescent();
        stage.store(3);
        wait_for(stage, 4);
        rcu::unregister_thread();
    });
    wait_for(stage, 1);
    rcu::retire(new int(6), count_free);
    CHECK(rcu::reclaim() == 1);
    stage.store(2);
    wait_for(stage, 3);
    CHECK(drains());
    stage.store(4);
    ring.join();
}

TEST_CASE("rcu: records of exited threads are reused and never block reclamation", "[mux][rcu]") {
    rcu::synchronize();
    for (int round = 0; round < 50; ++round) {
        std::vector<std::thread> ts;
        for (int i = 0; i < 4; ++i)
            ts.emplace_back([i] {
                if (i % 2 == 0) {
                    rcu::register_thread();  // exits registered: released automatically
                    rcu::quiescent();
                } else {
                    rcu::read_guard guard;
                }
            });
        for (auto& t : ts) t.join();
        rcu::retire(new int(round), count_free);
        REQUIRE(drains());
    }
}

TEST_CASE("rcu: synchronize waits for a ring thread's next quiescent state", "[mux][rcu]") {
    rcu::synchronize();
    std::atomic<bool> stop{false};
    std::thread ring([&] {
        rcu::register_thread();
        while (!stop.load()) {
            rcu::quiescent();
            std::this_thread::sleep_for(std::chrono::microseconds(100));
        }
        rcu::unregister_thread();
    });
    const int before = freed.load();
    for (int i = 0; i < 10; ++i) rcu::retire(new int(i), count_free);
    rcu::synchronize();
    CHECK(freed.load() == before + 10);
    stop.store(true);
    ring.join();
}
