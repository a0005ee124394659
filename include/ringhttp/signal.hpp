// ringhttp: stopping a server gracefully on SIGINT and SIGTERM.
#pragma once

#include <chrono>
#include <memory>

#include <ringhttp/server.hpp>

namespace ringhttp {

/// stop_on_signal does what Go's signal.NotifyContext and Server.Shutdown do
/// together: on SIGINT or SIGTERM it shuts srv down gracefully (listeners
/// closed, requests in flight finish, idle connections close), and if that
/// takes longer than `grace` it closes the rest. It blocks the two signals in
/// the calling thread, so the ring threads started after it inherit the mask,
/// and waits for them on a thread of its own. Construct it after srv and
/// before srv.serve() (or listen_and_serve); it must not outlive srv: its
/// destructor waits for a shutdown under way to return.
///
///     ringhttp::server srv(options);
///     ringhttp::stop_on_signal stopper(srv);
///     srv.listen_and_serve();
class stop_on_signal {
public:
    explicit stop_on_signal(server& srv, std::chrono::nanoseconds grace = std::chrono::seconds(10));
    stop_on_signal(const stop_on_signal&) = delete;
    stop_on_signal& operator=(const stop_on_signal&) = delete;
    ~stop_on_signal();

    /// signaled reports whether a signal came (and the stop began).
    bool signaled() const noexcept;

private:
    struct state;
    std::unique_ptr<state> state_;
};

}  // namespace ringhttp
