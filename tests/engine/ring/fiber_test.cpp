// Fibers (engine/ring/fiber.*): a body runs on its own stack between
// resume() and yield(); values pass through captured state; destroying a
// suspended fiber unwinds its stack and frees it.
#include "engine/ring/fiber.hpp"

#include <catch2/catch_test_macros.hpp>
#include <catch2/generators/catch_generators.hpp>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

using ringhttp::engine::fiber;

namespace {

constexpr std::size_t stack_size = 256 * 1024;

// Counts live instances: a destructor that did not run leaves it above 0.
struct guard {
    static inline int live = 0;
    guard() { ++live; }
    ~guard() { --live; }
    guard(const guard&) = delete;
    guard& operator=(const guard&) = delete;
};

// The process's virtual size in KiB, from /proc/self/status.
long vm_size_kib() {
    std::ifstream in("/proc/self/status");
    std::string line;
    while (std::getline(in, line))
        if (line.rfind("VmSize:", 0) == 0) return std::stol(line.substr(7));
    return -1;
}

}  // namespace

TEST_CASE("fiber: the body does not run until the first resume", "[ring][fiber]") {
    bool ran = false;
    fiber f(stack_size, [&](fiber&) { ran = true; });
    CHECK_FALSE(ran);
    f.resume();
    CHECK(ran);
}

TEST_CASE("fiber: resume runs to the next yield, and yield comes back to resume", "[ring][fiber]") {
    std::vector<std::string> trace;
    fiber f(stack_size, [&](fiber& self) {
        trace.push_back("body 1");
        self.yield();
        trace.push_back("body 2");
        self.yield();
        trace.push_back("body 3");
    });
    trace.push_back("ring 1");
    f.resume();
    trace.push_back("ring 2");
    f.resume();
    trace.push_back("ring 3");
    f.resume();
    trace.push_back("ring 4");
    CHECK(trace == std::vector<std::string>{"ring 1", "body 1", "ring 2", "body 2", "ring 3", "body 3", "ring 4"});
}

TEST_CASE("fiber: values pass both ways through captured state", "[ring][fiber]") {
    // A request/response loop, as an exchange runs: the ring puts a value in,
    // resumes, and reads the fiber's answer.
    int in = 0;
    long out = 0;
    fiber f(stack_size, [&](fiber& self) {
        for (;;) {
            out = static_cast<long>(in) * in;
            self.yield();
        }
    });
    for (int i = 1; i <= 1000; ++i) {
        in = i;
        f.resume();
        REQUIRE(out == static_cast<long>(i) * i);
    }
}

TEST_CASE("fiber: locals on the fiber's stack survive a yield", "[ring][fiber]") {
    int* seen = nullptr;
    int result = 0;
    fiber f(stack_size, [&](fiber& self) {
        int local[16] = {};
        local[3] = 3;
        seen = local;
        self.yield();
        // The ring wrote through the pointer while the fiber was suspended.
        result = local[3] + local[4];
    });
    f.resume();
    REQUIRE(seen != nullptr);
    int here = 0;
    // The fiber's frame lives on its own stack, not on the caller's.
    const auto distance = reinterpret_cast<std::intptr_t>(seen) - reinterpret_cast<std::intptr_t>(&here);
    CHECK((distance > static_cast<std::intptr_t>(stack_size) || distance < -static_cast<std::intptr_t>(stack_size)));
    CHECK(seen[3] == 3);
    seen[4] = 39;
    f.resume();
    CHECK(result == 42);
}

TEST_CASE("fiber: many fibers interleave, each with its own state", "[ring][fiber]") {
    const int n = GENERATE(2, 100, 1000);
    CAPTURE(n);
    std::vector<int> steps(static_cast<std::size_t>(n), 0);
    std::vector<std::unique_ptr<fiber>> fibers;
    for (int i = 0; i < n; ++i)
        fibers.push_back(std::make_unique<fiber>(stack_size, [&steps, i](fiber& self) {
            // A counter on the fiber's own stack, checked against the shared one.
            for (int mine = 1;; ++mine) {
                steps[static_cast<std::size_t>(i)] = mine * 1000 + i;
                self.yield();
            }
        }));
    for (int round = 1; round <= 5; ++round) {
        for (auto& f : fibers) f->resume();
        for (int i = 0; i < n; ++i) REQUIRE(steps[static_cast<std::size_t>(i)] == round * 1000 + i);
    }
}

TEST_CASE("fiber: a body may use nearly all of its stack", "[ring][fiber]") {
    const std::size_t size = GENERATE(std::size_t{64 * 1024}, stack_size);
    CAPTURE(size);
    // All but 16 KiB of the stack, touched page by page, with no fault.
    const std::size_t use = size - 16 * 1024;
    std::size_t sum = 0;
    fiber f(size, [&](fiber& self) {
        char* big = static_cast<char*>(__builtin_alloca(use));
        std::memset(big, 1, use);
        for (std::size_t i = 0; i < use; i += 4096) sum += static_cast<unsigned char>(big[i]);
        self.yield();
        sum += static_cast<unsigned char>(big[use - 1]);
    });
    f.resume();
    CHECK(sum == (use + 4095) / 4096);
    f.resume();
    CHECK(sum == (use + 4095) / 4096 + 1);
}

TEST_CASE("fiber: a fiber whose body returned is destroyed without an unwind", "[ring][fiber]") {
    guard::live = 0;
    bool after = false;
    {
        fiber f(stack_size, [&](fiber&) {
            guard g;
            CHECK(guard::live == 1);
            after = true;
        });
        f.resume();
    }
    CHECK(after);
    CHECK(guard::live == 0);
}

TEST_CASE("fiber: destroying a suspended fiber unwinds its stack", "[ring][fiber]") {
    guard::live = 0;
    bool past_yield = false;
    {
        fiber f(stack_size, [&](fiber& self) {
            guard outer;
            auto owned = std::make_unique<guard>();  // heap memory owned by the stack
            {
                guard inner;
                self.yield();
                past_yield = true;  // never reached: the fiber is destroyed here
            }
        });
        f.resume();
        CHECK(guard::live == 3);
    }
    CHECK_FALSE(past_yield);
    CHECK(guard::live == 0);  // every destructor ran (LeakSanitizer checks the heap)
}

TEST_CASE("fiber: destroying a fiber never resumed does not run its body", "[ring][fiber]") {
    bool ran = false;
    { fiber f(stack_size, [&](fiber&) { ran = true; }); }
    CHECK_FALSE(ran);
}

TEST_CASE("fiber: a catch-all on the fiber passes the unwind on with rethrow_if_forced_unwind", "[ring][fiber]") {
    guard::live = 0;
    int caught = 0;
    bool handled_error = false;
    bool swallowed = false;
    {
        fiber f(stack_size, [&](fiber& self) {
            guard g;
            // A handler's own exception is caught and handled as usual...
            try {
                throw std::runtime_error("handler failed");
            } catch (...) {
                ringhttp::engine::rethrow_if_forced_unwind();
                handled_error = true;
            }
            // ...while the unwind of a fiber being destroyed goes through.
            try {
                self.yield();
            } catch (...) {
                ++caught;
                ringhttp::engine::rethrow_if_forced_unwind();
                swallowed = true;  // reached only if the unwind were swallowed
            }
        });
        f.resume();
        CHECK(handled_error);
        CHECK(guard::live == 1);
    }
    CHECK(caught == 1);
    CHECK_FALSE(swallowed);
    CHECK(guard::live == 0);
}

TEST_CASE("fiber: stacks are given back when fibers are destroyed", "[ring][fiber]") {
    // 200 suspended fibers map 200 stacks (plus guard pages); destroying them
    // unmaps all of it. Measured on the process's virtual size, which every
    // mmap and munmap changes, touched or not.
    constexpr int n = 200;
    const long before = vm_size_kib();
    REQUIRE(before > 0);
    {
        std::vector<std::unique_ptr<fiber>> fibers;
        for (int i = 0; i < n; ++i) {
            fibers.push_back(std::make_unique<fiber>(stack_size, [](fiber& self) {
                for (;;) self.yield();
            }));
            fibers.back()->resume();
        }
        const long during = vm_size_kib();
        CHECK(during - before >= n * static_cast<long>(stack_size / 1024));
    }
    const long after = vm_size_kib();
    // Allow a little for the allocator's own bookkeeping; far less than one
    // tenth of the stacks.
    CHECK(after - before < n * static_cast<long>(stack_size / 1024) / 10);
}
