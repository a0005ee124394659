// ringhttp: a long-lived stackful coroutine for running handlers (Boost.Context).
#pragma once

#include <cstddef>
#include <functional>

#include <boost/context/fiber.hpp>
#include <boost/context/stack_context.hpp>

namespace ringhttp::engine {

/// fiber runs a body on its own stack, goroutine-like: the ring thread
/// resume()s it, and it yield()s back when it must wait (for body bytes, for
/// the send window) or has finished a request. A switch costs a few
/// nanoseconds and allocates nothing. The body usually loops forever, serving
/// one request per resume; destroying a suspended fiber unwinds its stack
/// (Boost's forced_unwind), so code running on it must not swallow that
/// exception (see rethrow_if_forced_unwind). The stack is mmap'd with a guard
/// page; only the pages touched are resident. Under AddressSanitizer and
/// ThreadSanitizer every switch is announced to them, so they follow the
/// stacks. One thread only.
class fiber {
public:
    fiber(std::size_t stack_size, std::function<void(fiber&)> body);
    fiber(const fiber&) = delete;
    fiber& operator=(const fiber&) = delete;
    ~fiber();

    /// resume runs the fiber until it yields. Call from the ring thread only.
    void resume();
    /// yield suspends the fiber and returns to whoever resumed it. Call from the
    /// fiber only.
    void yield();

private:
    boost::context::fiber self_;    // the suspended fiber, while the ring runs
    boost::context::fiber caller_;  // the suspended ring, while the fiber runs
    std::function<void(fiber&)> body_;
    boost::context::stack_context stack_{};  // the fiber's stack, for the sanitizer
    const void* caller_bottom_ = nullptr;    // the ring's stack, learnt on each switch in
    std::size_t caller_size_ = 0;
    void* fake_stack_ = nullptr;             // the fiber's ASan fake stack while it is switched out
    void* tsan_self_ = nullptr;              // ThreadSanitizer's fiber for this one (TSan builds only)
    void* tsan_caller_ = nullptr;            // ThreadSanitizer's fiber that resumed this one

    void entered() noexcept;
    void leaving(bool for_good) noexcept;
};

/// rethrow_if_forced_unwind rethrows the current exception if it is the
/// stack-unwinding signal of a fiber being destroyed. Call it first in any
/// catch (...) that runs on a fiber.
void rethrow_if_forced_unwind();

}  // namespace ringhttp::engine
