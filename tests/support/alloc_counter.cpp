// The counting allocator of alloc_counter.hpp.
#include "tests/support/alloc_counter.hpp"

#include <cstddef>
#include <cstdlib>
#include <new>

namespace ringhttp::test::alloc {

std::atomic<bool> counting{false};
std::atomic<long> allocations{0};
thread_local bool on_ring_thread = false;

namespace {

void note() noexcept {
    if (on_ring_thread && counting.load(std::memory_order_relaxed)) allocations.fetch_add(1, std::memory_order_relaxed);
}

}  // namespace
}  // namespace ringhttp::test::alloc

using ringhttp::test::alloc::note;

extern "C" {
void* __real_malloc(std::size_t);
void* __real_calloc(std::size_t, std::size_t);
void* __real_realloc(void*, std::size_t);

void* __wrap_malloc(std::size_t n) {
    note();
    return __real_malloc(n);
}
void* __wrap_calloc(std::size_t n, std::size_t m) {
    note();
    return __real_calloc(n, m);
}
void* __wrap_realloc(void* p, std::size_t n) {
    note();
    return __real_realloc(p, n);
}
}

// The replacement operator new takes memory from malloc, so free is right.
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
void* operator new(std::size_t n) {
    note();
    if (void* p = std::malloc(n == 0 ? 1 : n)) return p;
    throw std::bad_alloc();
}
void* operator new[](std::size_t n) { return operator new(n); }
void* operator new(std::size_t n, const std::nothrow_t&) noexcept {
    note();
    return std::malloc(n == 0 ? 1 : n);
}
void* operator new[](std::size_t n, const std::nothrow_t& t) noexcept { return operator new(n, t); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }
