// ringhttp: a long-lived stackful coroutine for running handlers (Boost.Context).
#pragma once

#include <cstddef>
#include <functional>
#include <utility>

#include <boost/context/fiber.hpp>
#include <boost/context/stack_context.hpp>

#if defined(__SANITIZE_ADDRESS__)
#define RINGHTTP_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define RINGHTTP_ASAN 1
#endif
#endif

#if defined(__SANITIZE_THREAD__)
#define RINGHTTP_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define RINGHTTP_TSAN 1
#endif
#endif

#if defined(RINGHTTP_ASAN)
#include <sanitizer/asan_interface.h>
#include <sanitizer/common_interface_defs.h>
#endif
#if defined(RINGHTTP_TSAN)
#include <sanitizer/tsan_interface.h>
#endif

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
    /// Inline, as yield: every call level between the two switches costs a
    /// mispredicted return on the way back (the return predictor still holds
    /// the other stack's calls); out of line, a resume and yield round trip
    /// took 34 ns, inline 15.
    void resume() {
#if defined(RINGHTTP_ASAN)
        void* fake = nullptr;
        __sanitizer_start_switch_fiber(&fake, static_cast<char*>(stack_.sp) - stack_.size, stack_.size);
#endif
#if defined(RINGHTTP_TSAN)
        void* const me = __tsan_get_current_fiber();
        tsan_caller_ = me;
        __tsan_switch_to_fiber(tsan_self_, 0);
#endif
        self_ = std::move(self_).resume();
#if defined(RINGHTTP_ASAN)
        __sanitizer_finish_switch_fiber(fake, nullptr, nullptr);
#endif
#if defined(RINGHTTP_TSAN)
        // The body returned for good (it never does but by unwinding): announced
        // on arrival, as in ~fiber.
        if (!self_) __tsan_switch_to_fiber(me, 0);
#endif
    }
    /// yield suspends the fiber and returns to whoever resumed it. Call from the
    /// fiber only.
    void yield() {
        leaving(false);
#if defined(RINGHTTP_TSAN)
        __tsan_switch_to_fiber(tsan_caller_, 0);
#endif
        caller_ = std::move(caller_).resume();
        entered();
    }

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

    // The AddressSanitizer protocol: announce a switch with the target
    // stack's bounds, confirm it on arrival (learning where we came from).
    void entered() noexcept {
#if defined(RINGHTTP_ASAN)
        __sanitizer_finish_switch_fiber(fake_stack_, &caller_bottom_, &caller_size_);
#endif
    }
    void leaving([[maybe_unused]] bool for_good) noexcept {
#if defined(RINGHTTP_ASAN)
        __sanitizer_start_switch_fiber(for_good ? nullptr : &fake_stack_, caller_bottom_, caller_size_);
#endif
    }
};

/// rethrow_if_forced_unwind rethrows the current exception if it is the
/// stack-unwinding signal of a fiber being destroyed. Call it first in any
/// catch (...) that runs on a fiber.
void rethrow_if_forced_unwind();

}  // namespace ringhttp::engine
