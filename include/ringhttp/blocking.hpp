// ringhttp: running blocking work from a handler without stalling its ring.
#pragma once

#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <optional>
#include <type_traits>
#include <utility>

namespace ringhttp {

namespace detail {
/// run_on_blocking_pool runs call(arg) on the blocking pool and suspends the
/// calling handler until it returns; outside a ring thread it calls inline.
void run_on_blocking_pool(void (*call)(void*), void* arg);
/// read_file_at reads up to n bytes of fd at off: through the calling
/// handler's ring (IORING_OP_READ), so only that handler waits for the disk,
/// or with pread outside a handler. Returns the byte count or -errno.
long read_file_at(int fd, char* buf, std::size_t n, std::int64_t off);
}  // namespace detail

/// run_blocking runs fn on a thread of the process-wide blocking pool and
/// returns its result; the calling handler is suspended meanwhile and its
/// ring goes on serving everyone else, so a slow call (a blocking database
/// client, a file on a slow disk, a sleep) never stalls a core. fn runs on
/// another thread: it must not touch the response_writer or the request
/// body; do that after run_blocking returns. An exception thrown by fn is
/// rethrown in the handler, and the errno fn left is the caller's errno when
/// run_blocking returns (errno is per thread: without that it would be
/// lost). Called outside a handler, it runs fn inline.
/// The pool keeps max(4, 2 x online CPUs) threads and starts more whenever
/// a call finds none idle, up to set_max_blocking_threads (1024 by default),
/// as Go's runtime starts threads for goroutines blocked in system calls;
/// threads past the base end after 10 s idle.
/// blocking_pool_stats is the blocking pool's state (for metrics).
struct blocking_pool_stats {
    std::size_t threads = 0;  ///< threads running (busy or idle)
    std::size_t idle = 0;     ///< threads waiting for a call
    std::size_t queued = 0;   ///< calls waiting for a thread (at the maximum)
    std::size_t max = 0;      ///< the most threads it may start
};
/// blocking_stats reports the pool's state. Thread-safe.
blocking_pool_stats blocking_stats();
/// set_max_blocking_threads sets the most threads the pool may run (never
/// below its base). Thread-safe.
void set_max_blocking_threads(std::size_t n);

template <class F>
auto run_blocking(F&& fn) -> std::invoke_result_t<F&> {
    using result = std::invoke_result_t<F&>;
    struct job {
        std::remove_reference_t<F>* fn = nullptr;
        std::conditional_t<std::is_void_v<result>, bool, std::optional<result>> value{};
        std::exception_ptr error;
        int error_number = 0;  // errno as fn left it, on the pool's thread
    } j;
    j.fn = &fn;
    detail::run_on_blocking_pool(
        [](void* p) {
            auto* jp = static_cast<job*>(p);
            try {
                if constexpr (std::is_void_v<result>) {
                    (*jp->fn)();
                } else {
                    jp->value.emplace((*jp->fn)());
                }
            } catch (...) {
                jp->error = std::current_exception();
            }
            jp->error_number = errno;
        },
        &j);
    errno = j.error_number;
    if (j.error) std::rethrow_exception(j.error);
    if constexpr (!std::is_void_v<result>) return std::move(*j.value);
}

}  // namespace ringhttp
