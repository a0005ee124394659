// The blocking pool behind run_blocking(): threads that run what a handler
// must not run on its ring, then hand the handler back to its ring; and file
// reads through the ring for file_server.
#include <ringhttp/blocking.hpp>

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <condition_variable>
#include <deque>
#include <mutex>
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

// Process-wide, started on first use, never stopped: its threads sleep when
// idle and end with the process.
class blocking_pool {
public:
    static blocking_pool& instance() {
        static blocking_pool* pool = new blocking_pool();
        return *pool;
    }

    void submit(const job& j) {
        {
            std::lock_guard lock(mu_);
            queue_.push_back(j);
        }
        cv_.notify_one();
    }

private:
    blocking_pool() {
        long online = ::sysconf(_SC_NPROCESSORS_ONLN);
        const unsigned n = std::max(4u, 2u * static_cast<unsigned>(online > 0 ? online : 1));
        for (unsigned i = 0; i < n; ++i) std::thread([this] { run(); }).detach();
    }

    void run() {
        for (;;) {
            job j;
            {
                std::unique_lock lock(mu_);
                cv_.wait(lock, [this] { return !queue_.empty(); });
                j = queue_.front();
                queue_.pop_front();
            }
            j.call(j.arg);  // the template wrapper catches fn's exceptions
            j.ex->owner().ready(j.ex);
        }
    }

    std::mutex mu_;
    std::condition_variable cv_;
    std::deque<job> queue_;
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

}  // namespace ringhttp
