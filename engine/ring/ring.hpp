// ringhttp: one io_uring, its submissions and completions, and its wake-up.
#pragma once

#include <liburing.h>
#include <sys/socket.h>

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <system_error>

#include "engine/ring/user_data.hpp"

namespace ringhttp::engine {

/// ring is one thread's io_uring: set up with the best task-running mode the
/// kernel has, the verbs the server submits (each tagged with a user_data,
/// engine/ring/user_data.hpp), one absolute timeout for the next timer, the
/// eventfd through which other threads wake it, and the loop's
/// submit-and-wait and completion drain. It knows nothing of HTTP or of
/// connections. All but wake() run on the ring's own thread.
class ring {
public:
    ring();
    ring(const ring&) = delete;
    ring& operator=(const ring&) = delete;
    ~ring();

    /// init sets up the io_uring (DEFER_TASKRUN where the kernel has it,
    /// else COOP_TASKRUN) and checks the wake-up eventfd.
    [[nodiscard]] std::error_code init();
    /// raw is the io_uring itself, for the buffer pool's registration.
    io_uring* raw() noexcept { return &uring_; }

    // Submissions; each is sent with the next submit_and_wait().
    void accept_multishot(int listen_fd, std::uint64_t data);
    /// recv_multishot receives into the provided-buffer group until cancelled.
    void recv_multishot(int fd, std::uint16_t buffer_group, std::uint64_t data);
    // The per-request verbs are inline: a call each would show per request.
    void send(int fd, const void* bytes, std::size_t n, std::uint64_t data) {
        io_uring_sqe* s = sqe();
        io_uring_prep_send(s, fd, bytes, n, MSG_NOSIGNAL);
        io_uring_sqe_set_data64(s, data);
    }
    void sendmsg(int fd, const msghdr* msg, std::uint64_t data) {
        io_uring_sqe* s = sqe();
        io_uring_prep_sendmsg(s, fd, msg, MSG_NOSIGNAL);
        io_uring_sqe_set_data64(s, data);
    }
    void read(int fd, void* buf, std::uint32_t n, std::uint64_t offset, std::uint64_t data);
    /// cancel asks the kernel to end the operation submitted with target.
    void cancel(std::uint64_t target);
    /// cancel_now cancels target synchronously (Linux 6.0+); false where the
    /// kernel cannot, and an asynchronous cancel() was submitted instead.
    bool cancel_now(std::uint64_t target);

    /// wake_at makes the ring wake by ns (CLOCK_MONOTONIC) at the latest; one
    /// timeout is pending at a time, replaced only by an earlier one.
    void wake_at(std::uint64_t ns);
    /// timer_fired takes an op_timer completion at time now.
    void timer_fired(int res, std::uint64_t now) noexcept;

    /// wake makes submit_and_wait return (an op_wake completion). Thread-safe.
    void wake() const noexcept;
    /// arm_wake submits the read of the wake-up eventfd (again after each op_wake).
    void arm_wake();

    /// submit_and_wait sends the submissions and waits for one completion;
    /// it returns 0 or a fatal -errno.
    [[nodiscard]] int submit_and_wait();
    /// drain calls f for each completion ready, then marks them seen.
    template <class F>
    void drain(F&& f) {
        unsigned head;
        unsigned seen = 0;
        io_uring_cqe* cqe = nullptr;
        io_uring_for_each_cqe(&uring_, head, cqe) {
            f(*cqe);
            ++seen;
        }
        io_uring_cq_advance(&uring_, seen);
    }

    /// now_ns is the coarse monotonic clock the timers run on (no syscall).
    static std::uint64_t now_ns() noexcept;

private:
    io_uring uring_{};
    bool ready_ = false;
    int wake_fd_ = -1;
    std::uint64_t wake_buf_ = 0;
    std::uint64_t timer_armed_ns_ = 0;  // when the pending IORING_OP_TIMEOUT fires; 0: none
    __kernel_timespec timer_ts_{};

    io_uring_sqe* sqe() {
        io_uring_sqe* s = io_uring_get_sqe(&uring_);
        return s != nullptr ? s : sqe_after_submit();
    }
    io_uring_sqe* sqe_after_submit();  // the submission queue was full
};

}  // namespace ringhttp::engine
