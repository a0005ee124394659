// The stall detector's watching thread, and the SIGURG handler that takes a
// stalled ring thread's backtrace and its running request on that thread.
#include "engine/server/stall_detector.hpp"

#include <execinfo.h>
#include <pthread.h>
#include <signal.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>

#include "engine/server/exchange.hpp"
#include "engine/server/worker.hpp"

namespace ringhttp::engine {

namespace {

constexpr int capture_signal = SIGURG;
constexpr int max_frames = 48;

// What the signal handler fills on the stalled thread. One capture at a time
// process-wide (capture_mu); the handler only reads `capture` and writes
// into it, with async-signal-safe calls.
struct capture_slot {
    void* frames[max_frames];
    int frames_n = 0;
    char request[200];  // "pattern \"...\" (METHOD path)"
    std::size_t request_len = 0;
    std::atomic<bool> done{false};
};
std::atomic<capture_slot*> capture{nullptr};
std::mutex capture_mu;
std::atomic<int> handler_state{0};  // 0: not tried, 1: ours installed, 2: someone else's: no backtraces

void append(capture_slot& c, std::string_view s) {
    const std::size_t n = std::min(s.size(), sizeof c.request - c.request_len);
    std::memcpy(c.request + c.request_len, s.data(), n);
    c.request_len += n;
}

void on_capture_signal(int) {
    capture_slot* c = capture.load(std::memory_order_acquire);
    if (c == nullptr) return;  // a stray SIGURG
    const int saved = errno;
    c->frames_n = ::backtrace(c->frames, max_frames);
    c->request_len = 0;
    if (const exchange* ex = exchange::current(); ex != nullptr) {
        append(*c, "pattern \"");
        append(*c, ex->req.pattern());
        append(*c, "\" (");
        append(*c, ex->req.method());
        append(*c, " ");
        append(*c, ex->req.url().path);
        append(*c, ")");
    } else {
        append(*c, "no handler (the ring's own work)");
    }
    c->done.store(true, std::memory_order_release);
    errno = saved;
}

bool install_handler() {
    int state = handler_state.load();
    if (state != 0) return state == 1;
    struct sigaction old{};
    ::sigaction(capture_signal, nullptr, &old);
    const bool free_to_use = !(old.sa_flags & SA_SIGINFO) && (old.sa_handler == SIG_DFL || old.sa_handler == SIG_IGN);
    if (free_to_use) {
        void* warm[2];
        ::backtrace(warm, 2);  // the first call loads libgcc: never in the signal handler
        struct sigaction sa{};
        sa.sa_handler = on_capture_signal;
        sa.sa_flags = SA_RESTART;
        sigemptyset(&sa.sa_mask);
        ::sigaction(capture_signal, &sa, nullptr);
    }
    handler_state.store(free_to_use ? 1 : 2);
    return free_to_use;
}

}  // namespace

stall_detector::stall_detector(std::vector<worker*> rings, std::chrono::nanoseconds threshold,
                               const std::function<void(std::string_view)>* error_log)
    : rings_(std::move(rings)),
      reported_(rings_.size(), 0),
      threshold_ns_(static_cast<std::uint64_t>(threshold.count())),
      log_(error_log) {
    {
        std::lock_guard lock(capture_mu);
        install_handler();
    }
    thread_ = std::thread([this] { run(); });
}

stall_detector::~stall_detector() {
    {
        std::lock_guard lock(mu_);
        stop_ = true;
    }
    cv_.notify_all();
    thread_.join();
}

void stall_detector::run() {
    // Looks four times per threshold: a stall is seen within 1.25 thresholds.
    const auto period = std::chrono::nanoseconds(std::max<std::uint64_t>(threshold_ns_ / 4, 1'000'000));
    std::unique_lock lock(mu_);
    while (!cv_.wait_for(lock, period, [this] { return stop_; })) {
        const std::uint64_t now = ring::now_ns();
        for (std::size_t i = 0; i < rings_.size(); ++i) {
            const std::uint64_t since = rings_[i]->busy_since();
            if (since == 0 || since == reported_[i] || now < since || now - since < threshold_ns_) continue;
            reported_[i] = since;  // once per stall
            lock.unlock();
            report(i, now - since);
            lock.lock();
        }
    }
}

void stall_detector::report(std::size_t ring, std::uint64_t stalled_ns) {
    std::string line = "ringhttp: ring " + std::to_string(ring) + " stalled: " +
                       std::to_string(stalled_ns / 1'000'000) +
                       " ms without coming back to its loop, in ";
    // A slot of its own per report: one whose handler never ran (200 ms
    // passed) is left allocated, as the handler may still run late and
    // write into it; one whose handler finished (done is its last write)
    // is ours to read and free.
    std::unique_ptr<capture_slot> owned;
    capture_slot* slot = nullptr;
    bool captured = false;
    {
        std::lock_guard lock(capture_mu);
        pthread_t thread;
        if (handler_state.load() == 1 && rings_[ring]->thread(thread)) {
            slot = new capture_slot;
            capture.store(slot, std::memory_order_release);
            if (::pthread_kill(thread, capture_signal) == 0) {
                for (int i = 0; i < 200 && !slot->done.load(std::memory_order_acquire); ++i)
                    std::this_thread::sleep_for(std::chrono::milliseconds(1));
            }
            capture.store(nullptr, std::memory_order_release);
            captured = slot->done.load(std::memory_order_acquire);
            if (captured) owned.reset(slot);  // else left to a late handler (rare, small)
        }
    }
    if (captured) {
        line.append(slot->request, slot->request_len);
    } else {
        line += "a handler (no backtrace: SIGURG is the program's own)";
    }
    line += "; a blocking call belongs in run_blocking (docs/WAITING.md)";
    if (captured && slot->frames_n > 0) {
        if (char** names = ::backtrace_symbols(slot->frames, slot->frames_n)) {
            for (int i = 0; i < slot->frames_n; ++i) {
                line += "\n    #" + std::to_string(i) + " ";
                line += names[i];
            }
            std::free(names);
        }
    }
    if (log_ != nullptr && *log_) {
        (*log_)(line);
    } else {
        line.push_back('\n');
        std::fwrite(line.data(), 1, line.size(), stderr);
    }
}

}  // namespace ringhttp::engine
