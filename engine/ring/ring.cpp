// The ring's setup, its verbs, its one timeout and its wake-up.
#include "engine/ring/ring.hpp"

#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <ctime>

#include "engine/ring/timer_wheel.hpp"

namespace ringhttp::engine {

namespace {
constexpr unsigned sq_entries = 1024;
constexpr unsigned cq_entries = 16384;
}  // namespace

// The eventfd is made here, not in init(), so wake() works from the moment
// the ring exists (a stop may come before the thread runs).
ring::ring() : wake_fd_(::eventfd(0, EFD_CLOEXEC)) {}

ring::~ring() {
    if (ready_) io_uring_queue_exit(&uring_);
    if (wake_fd_ >= 0) ::close(wake_fd_);
}

std::error_code ring::init() {
    io_uring_params params{};
    params.flags = IORING_SETUP_CQSIZE | IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN;
    params.cq_entries = cq_entries;
    int rc = io_uring_queue_init_params(sq_entries, &uring_, &params);
    if (rc == -EINVAL) {
        // Kernels before 6.1 lack DEFER_TASKRUN; COOP_TASKRUN (5.19) is the next best.
        params = io_uring_params{};
        params.flags = IORING_SETUP_CQSIZE | IORING_SETUP_COOP_TASKRUN;
        params.cq_entries = cq_entries;
        rc = io_uring_queue_init_params(sq_entries, &uring_, &params);
    }
    if (rc < 0) return {-rc, std::system_category()};
    ready_ = true;
    io_uring_register_ring_fd(&uring_);  // optional: saves an fd lookup per io_uring_enter
    if (wake_fd_ < 0) return {EMFILE, std::system_category()};
    return {};
}

std::uint64_t ring::now_ns() noexcept {
    // Deadlines have 10 ms ticks: the coarse clock (a few ms, no syscall) does.
    timespec ts{};
    ::clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
    return static_cast<std::uint64_t>(ts.tv_sec) * 1'000'000'000 + static_cast<std::uint64_t>(ts.tv_nsec);
}

io_uring_sqe* ring::sqe_after_submit() {
    io_uring_sqe* s = nullptr;
    while (s == nullptr) {
        io_uring_submit(&uring_);
        s = io_uring_get_sqe(&uring_);
    }
    return s;
}

void ring::accept_multishot(int listen_fd, std::uint64_t data) {
    io_uring_sqe* s = sqe();
    io_uring_prep_multishot_accept(s, listen_fd, nullptr, nullptr, SOCK_CLOEXEC);
    io_uring_sqe_set_data64(s, data);
}

void ring::recv_multishot(int fd, std::uint16_t buffer_group, std::uint64_t data) {
    io_uring_sqe* s = sqe();
    io_uring_prep_recv_multishot(s, fd, nullptr, 0, 0);
    s->flags |= IOSQE_BUFFER_SELECT;
    s->buf_group = buffer_group;
    io_uring_sqe_set_data64(s, data);
}

void ring::read(int fd, void* buf, std::uint32_t n, std::uint64_t offset, std::uint64_t data) {
    io_uring_sqe* s = sqe();
    io_uring_prep_read(s, fd, buf, n, offset);
    io_uring_sqe_set_data64(s, data);
}

void ring::cancel(std::uint64_t target) {
    io_uring_sqe* s = sqe();
    io_uring_prep_cancel64(s, target, 0);
    io_uring_sqe_set_data64(s, user_data::encode(op_cancel));
}

bool ring::cancel_now(std::uint64_t target) {
    io_uring_sync_cancel_reg reg{};
    reg.addr = target;
    reg.timeout.tv_sec = -1;
    reg.timeout.tv_nsec = -1;
    const int rc = io_uring_register_sync_cancel(&uring_, &reg);
    if (rc >= 0 || rc == -ENOENT || rc == -EALREADY) return true;
    cancel(target);
    return false;
}

void ring::wake_at(std::uint64_t ns) {
    // The loop waits for completions only; an IORING_OP_TIMEOUT is one of
    // them. It is armed again only when an earlier time is needed (one passed
    // to every io_uring_enter costs more).
    if (timer_armed_ns_ != 0 && timer_armed_ns_ <= ns) return;
    timer_armed_ns_ = ns;
    timer_ts_.tv_sec = static_cast<long long>(ns / 1'000'000'000);
    timer_ts_.tv_nsec = static_cast<long long>(ns % 1'000'000'000);
    io_uring_sqe* s = sqe();
    io_uring_prep_timeout(s, &timer_ts_, 0, IORING_TIMEOUT_ABS);  // CLOCK_MONOTONIC, as now_ns()
    io_uring_sqe_set_data64(s, user_data::encode(op_timer));
}

void ring::timer_fired(int res, std::uint64_t now) noexcept {
    // It fired, or was beaten by an earlier one (which then is the pending one).
    // (A tick of slack: the coarse clock lags the kernel's.)
    if (res == -ETIME && timer_armed_ns_ != 0 && timer_armed_ns_ <= now + timer_wheel::tick_ns) timer_armed_ns_ = 0;
}

void ring::wake() const noexcept {
    std::uint64_t one = 1;
    [[maybe_unused]] ssize_t n = ::write(wake_fd_, &one, sizeof one);
}

void ring::arm_wake() {
    read(wake_fd_, &wake_buf_, sizeof wake_buf_, 0, user_data::encode(op_wake));
}

int ring::submit_and_wait() {
    const int rc = io_uring_submit_and_wait(&uring_, 1);
    if (rc < 0 && rc != -EINTR && rc != -ETIME && rc != -EBUSY) return rc;
    return 0;
}

}  // namespace ringhttp::engine
