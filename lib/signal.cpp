// stop_on_signal: a thread that waits for SIGINT or SIGTERM with sigwait and
// stops the server, gracefully first.
#include <ringhttp/signal.hpp>

#include <pthread.h>

#include <atomic>
#include <csignal>
#include <thread>

#include <ringhttp/errc.hpp>

namespace ringhttp {

struct stop_on_signal::state {
    sigset_t set{};
    std::atomic<bool> done{false};  // the destructor runs: a signal now only ends the thread
    std::atomic<bool> signaled{false};
    std::thread thread;
};

stop_on_signal::stop_on_signal(server& srv, std::chrono::nanoseconds grace) : state_(std::make_unique<state>()) {
    state* s = state_.get();
    sigemptyset(&s->set);
    sigaddset(&s->set, SIGINT);
    sigaddset(&s->set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &s->set, nullptr);
    s->thread = std::thread([s, &srv, grace] {
        int sig = 0;
        sigwait(&s->set, &sig);
        if (s->done) return;
        s->signaled = true;
        if (srv.shutdown(grace) == errc::timeout) srv.close();
    });
}

stop_on_signal::~stop_on_signal() {
    state_->done = true;
    pthread_kill(state_->thread.native_handle(), SIGTERM);  // ends sigwait if no signal came
    state_->thread.join();
}

bool stop_on_signal::signaled() const noexcept { return state_->signaled; }

}  // namespace ringhttp
