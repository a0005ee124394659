// Shared by the server tools: stop a ringhttp::server on SIGINT or SIGTERM.
#pragma once

#include <csignal>
#include <thread>

#include <ringhttp/server.hpp>

namespace ringhttp::tools {

/// stop_on_signal blocks SIGINT and SIGTERM in the calling thread (so the
/// ring threads started after it inherit the mask) and starts a thread that
/// waits for either and then stops srv. Call it before srv.serve().
inline void stop_on_signal(server& srv) {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, nullptr);
    std::thread([&srv, set] {
        int sig = 0;
        sigwait(&set, &sig);
        srv.close();
    }).detach();
}

}  // namespace ringhttp::tools
