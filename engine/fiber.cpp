#include "engine/fiber.hpp"

#include <exception>
#include <memory>
#include <utility>

#include <boost/context/protected_fixedsize_stack.hpp>

#if defined(__SANITIZE_ADDRESS__)
#define RINGHTTP_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define RINGHTTP_ASAN 1
#endif
#endif

#if defined(RINGHTTP_ASAN)
#include <sanitizer/common_interface_defs.h>
#endif

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
    void deallocate(boost::context::stack_context& sc) noexcept { inner.deallocate(sc); }
};

}  // namespace

// The AddressSanitizer protocol: announce a switch with the target stack's
// bounds, confirm it on arrival (learning where we came from).
void fiber::entered() noexcept {
#if defined(RINGHTTP_ASAN)
    __sanitizer_finish_switch_fiber(fake_stack_, &caller_bottom_, &caller_size_);
#endif
}

void fiber::leaving(bool for_good) noexcept {
#if defined(RINGHTTP_ASAN)
    __sanitizer_start_switch_fiber(for_good ? nullptr : &fake_stack_, caller_bottom_, caller_size_);
#else
    (void)for_good;
#endif
}

fiber::fiber(std::size_t stack_size, std::function<void(fiber&)> body) : body_(std::move(body)) {
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
    if (!self_) return;
#if defined(RINGHTTP_ASAN)
    void* fake = nullptr;
    __sanitizer_start_switch_fiber(&fake, static_cast<char*>(stack_.sp) - stack_.size, stack_.size);
    self_ = boost::context::fiber();  // unwinds the fiber's stack, then comes back
    __sanitizer_finish_switch_fiber(fake, nullptr, nullptr);
#endif
}

void fiber::resume() {
#if defined(RINGHTTP_ASAN)
    void* fake = nullptr;
    __sanitizer_start_switch_fiber(&fake, static_cast<char*>(stack_.sp) - stack_.size, stack_.size);
#endif
    self_ = std::move(self_).resume();
#if defined(RINGHTTP_ASAN)
    __sanitizer_finish_switch_fiber(fake, nullptr, nullptr);
#endif
}

void fiber::yield() {
    leaving(false);
    caller_ = std::move(caller_).resume();
    entered();
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
