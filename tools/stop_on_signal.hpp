// Shared by the server tools: stop a ringhttp::server gracefully on SIGINT
// or SIGTERM.
#pragma once

#include <chrono>
#include <csignal>
#include <thread>

#include <ringhttp/errc.hpp>
#include <ringhttp/server.hpp>

namespace ringhttp::tools {

/// stop_on_signal blocks SIGINT and SIGTERM in the calling thread (so the
/// ring threads started after it inherit the mask) and starts a thread that
/// waits for either, then shuts srv down gracefully: requests in flight get
/// up to `grace` to finish, then the rest is closed. Call it before serve().
inline void stop_on_signal(server& srv, std::chrono::nanoseconds grace = std::chrono::seconds(10)) {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, nullptr);
    std::thread([&srv, set, grace] {
        int sig = 0;
        sigwait(&set, &sig);
        if (srv.shutdown(grace) == errc::timeout) srv.close();
    }).detach();
}

}  // namespace ringhttp::tools
