// A counting allocator for the allocation tests: operator new (every C++
// allocation) and, through the linker's --wrap, malloc/calloc/realloc called
// from ringhttp's own objects. Only allocations made on a thread that set
// on_ring_thread, while counting is on, are counted.
//
// A test program links tests/support/alloc_counter.cpp and passes
// -Wl,--wrap=malloc -Wl,--wrap=calloc -Wl,--wrap=realloc (see
// tests/wire/meson.build).
#pragma once

#include <atomic>

namespace ringhttp::test::alloc {

extern std::atomic<bool> counting;
extern std::atomic<long> allocations;
extern thread_local bool on_ring_thread;

/// The allocations counted while f runs.
template <class F>
long count_during(F&& f) {
    allocations = 0;
    counting = true;
    f();
    counting = false;
    return allocations.load();
}

}  // namespace ringhttp::test::alloc
