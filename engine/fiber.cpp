#include "engine/fiber.hpp"

#include <exception>
#include <memory>
#include <utility>

#include <boost/context/protected_fixedsize_stack.hpp>

namespace ringhttp::engine {

fiber::fiber(std::size_t stack_size, std::function<void(fiber&)> body) : body_(std::move(body)) {
    self_ = boost::context::fiber(std::allocator_arg, boost::context::protected_fixedsize_stack(stack_size),
                                  [this](boost::context::fiber&& caller) {
                                      caller_ = std::move(caller);
                                      // Park at once: a fiber destroyed before its
                                      // first resume() then unwinds from here
                                      // without ever running its body.
                                      caller_ = std::move(caller_).resume();
                                      body_(*this);
                                      return std::move(caller_);
                                  });
    self_ = std::move(self_).resume();
}

fiber::~fiber() = default;  // a suspended self_ is unwound by its destructor

void fiber::resume() { self_ = std::move(self_).resume(); }

void fiber::yield() { caller_ = std::move(caller_).resume(); }

void rethrow_if_forced_unwind() {
    try {
        throw;
    } catch (const boost::context::detail::forced_unwind&) {
        throw;
    } catch (...) {
    }
}

}  // namespace ringhttp::engine
