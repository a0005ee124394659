#include "engine/ring/fiber.hpp"

#include <exception>
#include <memory>
#include <utility>

#include <boost/context/protected_fixedsize_stack.hpp>

namespace ringhttp::engine {

namespace {

// A guard-paged stack allocator that also tells us where the stack is.
struct recording_stack {
    boost::context::protected_fixedsize_stack inner;
    boost::context::stack_context* out;
    boost::context::stack_context allocate() {
        boost::context::stack_context sc = inner.allocate();
        *out = sc;
        return sc;
    }
    void deallocate(boost::context::stack_context& sc) noexcept {
#if defined(RINGHTTP_ASAN)
        // ASan keeps the poison of the frames that ran here (stack-use-after-
        // scope marks) past the munmap; a later mmap at the same address (a
        // new ring's CQ, another stack) would inherit it.
        ASAN_UNPOISON_MEMORY_REGION(static_cast<char*>(sc.sp) - sc.size, sc.size);
#endif
        inner.deallocate(sc);
    }
};

}  // namespace

// The ThreadSanitizer protocol: every fiber is a TSan "fiber" (its own
// thread, for the race detector) and each switch is announced with
// __tsan_switch_to_fiber. TSan keeps a shadow call stack per fiber, fed by
// the entry and exit hooks of every instrumented function, so the call must
// sit in the very function that makes the Boost switch: an instrumented
// frame that returned between the announcement and the switch would be
// popped from the wrong shadow stack, which drifts until TSan reads or
// writes outside it. resume() and yield() (fiber.hpp) announce their switch
// just before making it, in the same function whether inlined or not. The
// last switch out of a fiber (its unwinding in ~fiber) is announced on
// arrival instead: frames of the fiber still return on its stack after its
// last line of our code, and they belong on its own shadow stack, which is
// destroyed with it.

fiber::fiber(std::size_t stack_size, std::function<void(fiber&)> body) : body_(std::move(body)) {
#if defined(RINGHTTP_TSAN)
    tsan_self_ = __tsan_create_fiber(0);
#endif
    self_ = boost::context::fiber(std::allocator_arg, recording_stack{boost::context::protected_fixedsize_stack(stack_size), &stack_},
                                  [this](boost::context::fiber&& caller) {
                                      caller_ = std::move(caller);
                                      entered();
                                      try {
                                          // Park at once: a fiber destroyed before its
                                          // first resume() then unwinds from here
                                          // without ever running its body.
                                          yield();
                                          body_(*this);
                                      } catch (const boost::context::detail::forced_unwind&) {
                                          // The unwind was thrown where the fiber was
                                          // switched back in, before entered() ran.
                                          entered();
                                          leaving(true);
                                          throw;
                                      }
                                      leaving(true);
                                      return std::move(caller_);
                                  });
    resume();
}

fiber::~fiber() {
#if defined(RINGHTTP_TSAN)
    void* const tsan_self = tsan_self_;
    if (self_) {
        void* const me = __tsan_get_current_fiber();
        __tsan_switch_to_fiber(tsan_self, 0);
        self_ = boost::context::fiber();  // unwinds the fiber's stack, then comes back
        __tsan_switch_to_fiber(me, 0);    // announced on arrival: see above
    }
    __tsan_destroy_fiber(tsan_self);
#else
    if (!self_) return;
#if defined(RINGHTTP_ASAN)
    void* fake = nullptr;
    __sanitizer_start_switch_fiber(&fake, static_cast<char*>(stack_.sp) - stack_.size, stack_.size);
    self_ = boost::context::fiber();  // unwinds the fiber's stack, then comes back
    __sanitizer_finish_switch_fiber(fake, nullptr, nullptr);
#endif
#endif
}

void rethrow_if_forced_unwind() {
    try {
        throw;
    } catch (const boost::context::detail::forced_unwind&) {
        throw;
    } catch (...) {
    }
}

}  // namespace ringhttp::engine
