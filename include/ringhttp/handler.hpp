// ringhttp: the handler interface (Go's Handler and HandlerFunc).
#pragma once

#include <concepts>
#include <functional>
#include <memory>
#include <utility>

#include <ringhttp/request.hpp>
#include <ringhttp/response_writer.hpp>

namespace ringhttp {

/// handler responds to an HTTP request, Go's Handler. serve_http is called
/// concurrently from every ring thread, so it is const and must be
/// thread-safe. It borrows w and r until it returns. It may block on the
/// request body or on writes: that suspends this request only. An exception
/// that escapes it is logged to server_options::error_log and closes the
/// connection; abort_handler closes it silently.
class handler {
public:
    virtual ~handler() = default;
    virtual void serve_http(response_writer& w, request& r) const = 0;
};

/// handler_ptr is how handlers are shared between a mux, a server and wrappers.
using handler_ptr = std::shared_ptr<const handler>;

/// handler_signature is satisfied by any callable usable as a handler.
template <class F>
concept handler_callable = std::invocable<const F&, response_writer&, request&>;

/// handler_func adapts any callable void(response_writer&, request&) into a
/// handler, Go's HandlerFunc. The callable is called concurrently: it must be
/// thread-safe.
class handler_func final : public handler {
public:
    template <handler_callable F>
    explicit handler_func(F f) : f_(std::move(f)) {}
    void serve_http(response_writer& w, request& r) const override { f_(w, r); }

private:
    std::function<void(response_writer&, request&)> f_;
};

namespace detail {
/// default_handler is default_serve_mux() as a handler: what a server with a
/// null handler serves. Defined with the mux, so the server reaches it
/// without including the router.
const handler& default_handler();
}  // namespace detail

/// make_handler wraps a callable into a shared handler_func.
template <handler_callable F>
handler_ptr make_handler(F f) {
    return std::make_shared<const handler_func>(std::move(f));
}

}  // namespace ringhttp
