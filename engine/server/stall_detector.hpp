// ringhttp: finding a handler that blocks its ring thread.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string_view>
#include <thread>
#include <vector>

namespace ringhttp::engine {

class worker;

/// stall_detector watches the rings of one server from a thread of its own
/// (Seastar's reactor stall detector is the model). A ring that has not come
/// back to its loop for longer than the threshold (a handler called a
/// blocking function, or computes for long) is reported once per stall: one
/// log line naming the ring, how long, the request its running handler
/// serves (pattern, method, path), and the ring thread's backtrace. The
/// backtrace is taken on the ring thread by a SIGURG handler (SIGURG is
/// ignored by default, so a stray one does nothing); a system call the
/// thread is blocked in may return early with EINTR, as with any signal
/// (::sleep returns early). A program that installed its own SIGURG handler
/// keeps it, and the line comes without the backtrace.
class stall_detector {
public:
    stall_detector(std::vector<worker*> rings, std::chrono::nanoseconds threshold,
                   const std::function<void(std::string_view)>* error_log);
    stall_detector(const stall_detector&) = delete;
    stall_detector& operator=(const stall_detector&) = delete;
    /// The destructor stops the watching thread (the rings may still run).
    ~stall_detector();

private:
    std::vector<worker*> rings_;
    std::vector<std::uint64_t> reported_;  // the busy_since of each ring's last report
    std::uint64_t threshold_ns_;
    const std::function<void(std::string_view)>* log_;
    std::mutex mu_;
    std::condition_variable cv_;
    bool stop_ = false;
    std::thread thread_;

    void run();
    void report(std::size_t ring, std::uint64_t stalled_ns);
};

}  // namespace ringhttp::engine
