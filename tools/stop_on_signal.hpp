// Shared by the server tools: stop a ringhttp::server gracefully on SIGINT
// or SIGTERM.
#pragma once

#include <pthread.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <thread>

#include <ringhttp/errc.hpp>
#include <ringhttp/server.hpp>

namespace ringhttp::tools {

/// stop_on_signal blocks SIGINT and SIGTERM in the calling thread (so the
/// ring threads started after it inherit the mask) and waits for either on a
/// thread of its own, then shuts srv down gracefully: requests in flight get
/// up to `grace` to finish, then the rest is closed. Construct it after srv
/// and before srv.serve(); it must not outlive srv (its destructor waits for
/// a shutdown under way to return).
class stop_on_signal {
public:
    explicit stop_on_signal(server& srv, std::chrono::nanoseconds grace = std::chrono::seconds(10)) {
        sigemptyset(&set_);
        sigaddset(&set_, SIGINT);
        sigaddset(&set_, SIGTERM);
        pthread_sigmask(SIG_BLOCK, &set_, nullptr);
        thread_ = std::thread([this, &srv, grace] {
            int sig = 0;
            sigwait(&set_, &sig);
            if (done_) return;
            if (srv.shutdown(grace) == errc::timeout) srv.close();
        });
    }
    stop_on_signal(const stop_on_signal&) = delete;
    stop_on_signal& operator=(const stop_on_signal&) = delete;
    ~stop_on_signal() {
        done_ = true;
        pthread_kill(thread_.native_handle(), SIGTERM);  // wakes sigwait if no signal came
        thread_.join();
    }

private:
    sigset_t set_;
    std::atomic<bool> done_{false};
    std::thread thread_;
};

}  // namespace ringhttp::tools
