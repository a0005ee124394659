// ringhttp: the request router (Go's ServeMux).
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include <ringhttp/handler.hpp>

namespace ringhttp {

namespace mux_detail {
struct snapshot;
struct registry;
struct access;
}

/// route is what serve_mux::handler returns: the handler that would serve a
/// request and the pattern that matched (empty for 404, 405 and redirects).
struct route {
    handler_ptr handler{};
    std::string pattern{};
};

/// serve_mux is an HTTP request multiplexer with Go's ServeMux pattern rules:
/// "[METHOD ][HOST]/[PATH]" patterns with {name}, {name...} and {$}
/// wildcards; the most specific pattern wins; a path that matches only
/// with another method gets 405; "/tree" redirects to "/tree/" when only the
/// subtree is registered; unclean paths redirect to their clean form.
///
/// Lookups take no lock: the routes are an immutable snapshot that a
/// registration replaces with one atomic store (read-copy-update, see
/// docs/MUX.md), so handle() may be called at any time, also while serving,
/// from any thread, and also from inside a handler. Handlers registered are
/// shared and called concurrently. Patterns are never removed: each
/// pattern's text and handler live as long as the mux.
class serve_mux final : public ringhttp::handler {
public:
    /// serve_mux constructs an empty mux: every request gets 404.
    serve_mux();
    /// ~serve_mux frees the routes. No request may be routing through the
    /// mux (or running one of its handlers) any more.
    ~serve_mux() override;
    serve_mux(const serve_mux&) = delete;
    serve_mux& operator=(const serve_mux&) = delete;

    /// handle registers h for pattern. Throws std::invalid_argument when the
    /// pattern is malformed, h is null, or the pattern conflicts with one
    /// already registered (the message names both, as Go's panic does, but
    /// without source locations); the mux is then unchanged. Thread-safe;
    /// never waits for readers. The pattern is copied.
    void handle(std::string_view pattern, handler_ptr h);

    /// handle_func registers a callable for pattern (Go's HandleFunc).
    template <handler_callable F>
    void handle_func(std::string_view pattern, F f) {
        handle(pattern, make_handler(std::move(f)));
    }

    /// handler returns the handler that serve_http would use for r and the
    /// pattern that matched (Go's mux.Handler). Never returns a null handler:
    /// misses get a 404, 405 or redirect handler. For a trailing-slash
    /// redirect the pattern is the path redirected to, as in Go. Does not
    /// change r. Allocates (the route owns copies).
    route handler(const request& r) const;

    /// serve_http routes r as Go's ServeMux.ServeHTTP: an asterisk target
    /// gets 400; otherwise it sets r.pattern() (a view of the pattern's text,
    /// valid as long as the mux) and the path values (copied into r), then
    /// calls the matching handler, or answers 301, 404 or 405 itself. The
    /// lookup takes no lock and, for the common routes, allocates nothing.
    void serve_http(response_writer& w, request& r) const override;

private:
    friend struct mux_detail::access;  // tests and benchmarks (mux/lookup.hpp)

    // The published routes: replaced whole by handle(), read under RCU
    // (engine/rcu.hpp), never null.
    std::atomic<const mux_detail::snapshot*> current_;
    std::mutex write_mu_;  // serializes writers; readers never take it
    // Every registered pattern, owned here for the mux's lifetime so that
    // request::pattern() and the handlers outlive any snapshot. Guarded by
    // write_mu_.
    std::unique_ptr<mux_detail::registry> registry_;
};

/// default_serve_mux is the process-wide mux used by the free handle() and
/// handle_func() and by a server whose options name no handler. It is
/// never destroyed.
serve_mux& default_serve_mux();

/// handle registers h on default_serve_mux().
void handle(std::string_view pattern, handler_ptr h);

/// handle_func registers a callable on default_serve_mux().
template <handler_callable F>
void handle_func(std::string_view pattern, F f) {
    default_serve_mux().handle_func(pattern, std::move(f));
}

}  // namespace ringhttp
