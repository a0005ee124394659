// The blocking pool behind run_blocking(): threads that run what a handler
// must not run on its ring, then hand the handler back to its ring; and file
// reads through the ring for file_server.
#include <ringhttp/blocking.hpp>

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cerrno>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <system_error>
#include <thread>
#include <vector>

#include "engine/server/exchange.hpp"
#include "engine/server/worker.hpp"

namespace ringhttp {
namespace {

struct job {
    void (*call)(void*);
    void* arg;
    engine::exchange* ex;
};

// Process-wide, started on first use, never stopped. It keeps a base of
// max(4, 2 x online CPUs) threads and starts another whenever a job finds no
// idle thread, up to max (Go's runtime starts a thread for each goroutine
// blocked in a syscall); a thread past the base that stays idle for
// idle_exit ends. So 1,000 concurrent blocking calls run concurrently, and an
// idle process keeps only the base.
class blocking_pool {
public:
    static constexpr std::chrono::seconds idle_exit{10};

    static blocking_pool& instance() {
        static blocking_pool* pool = started_ = new blocking_pool();
        return *pool;
    }
    /// started is the pool once a call made it, else null (a metrics
    /// scrape must not start threads).
    static blocking_pool* started() noexcept { return started_.load(std::memory_order_acquire); }
    /// configured_max is the maximum set before the pool started.
    static inline std::atomic<std::size_t> configured_max{1024};

    void submit(const job& j) {
        std::unique_lock lock(mu_);
        queue_.push_back(j);
        if (idle_ >= queue_.size()) {
            lock.unlock();
            cv_.notify_one();
            return;
        }
        if (threads_ < max_ && start_thread()) return;
        // At the maximum (or out of threads): the job waits for a free one.
    }

    blocking_pool_stats stats() {
        std::lock_guard lock(mu_);
        return {threads_, idle_, queue_.size(), max_};
    }

    void set_max(std::size_t n) {
        std::lock_guard lock(mu_);
        max_ = std::max(n, base_);
    }
    std::size_t base() const noexcept { return base_; }

private:
    blocking_pool() {
        const long online = ::sysconf(_SC_NPROCESSORS_ONLN);
        base_ = std::max<std::size_t>(4, 2 * static_cast<std::size_t>(online > 0 ? online : 1));
        std::lock_guard lock(mu_);
        max_ = std::max(configured_max.load(), base_);
        for (std::size_t i = 0; i < base_; ++i) start_thread();
    }

    // With mu_ held.
    bool start_thread() {
        try {
            std::thread([this] { run(); }).detach();
        } catch (const std::system_error&) {
            return false;  // out of threads: the existing ones take the queue
        }
        ++threads_;
        return true;
    }

    void run() {
        std::unique_lock lock(mu_);
        for (;;) {
            ++idle_;
            const bool got = cv_.wait_for(lock, idle_exit, [this] { return !queue_.empty(); });
            --idle_;
            if (!got) {
                if (threads_ > base_) {
                    --threads_;
                    return;
                }
                continue;
            }
            const job j = queue_.front();
            queue_.pop_front();
            lock.unlock();
            j.call(j.arg);  // the template wrapper catches fn's exceptions
            j.ex->owner().ready(j.ex);
            lock.lock();
        }
    }

    std::mutex mu_;
    std::condition_variable cv_;
    std::deque<job> queue_;
    std::size_t base_ = 4;
    std::size_t max_ = 1024;
    std::size_t threads_ = 0;
    std::size_t idle_ = 0;  // threads waiting for a job
    static inline std::atomic<blocking_pool*> started_{nullptr};
};

}  // namespace

void detail::run_on_blocking_pool(void (*call)(void*), void* arg) {
    engine::exchange* ex = engine::exchange::current();
    if (ex == nullptr) {
        call(arg);
        return;
    }
    blocking_pool::instance().submit({call, arg, ex});
    ex->wait_blocking();
}

long detail::read_file_at(int fd, char* buf, std::size_t n, std::int64_t off) {
    engine::exchange* ex = engine::exchange::current();
    if (ex != nullptr && ex->conn() != nullptr && !ex->hijacked()) {
        // Through the ring: only this handler waits for the disk.
        return ex->read_file(fd, buf, static_cast<std::uint32_t>(std::min<std::size_t>(n, 1u << 30)),
                             static_cast<std::uint64_t>(off));
    }
    for (;;) {
        const ssize_t k = ::pread(fd, buf, n, off);
        if (k >= 0) return static_cast<long>(k);
        if (errno != EINTR) return -errno;
    }
}

blocking_pool_stats blocking_stats() {
    if (blocking_pool* pool = blocking_pool::started()) return pool->stats();
    return {0, 0, 0, blocking_pool::configured_max.load()};
}

void set_max_blocking_threads(std::size_t n) {
    blocking_pool::configured_max.store(n);
    if (blocking_pool* pool = blocking_pool::started()) pool->set_max(n);
}

}  // namespace ringhttp
