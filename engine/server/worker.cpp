// The ring loop and its I/O: accept, recv, send, wake-up, timers.
#include "engine/server/worker.hpp"

#include <fcntl.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <string>

#include <ringhttp/status.hpp>

#include "engine/server/exchange.hpp"
#include "engine/base/rcu.hpp"

namespace ringhttp::engine {

namespace {
constexpr unsigned sq_entries = 1024;
constexpr unsigned cq_entries = 16384;
constexpr std::uint64_t accept_backoff_ns = 100'000'000;    // retry accept 100 ms after EMFILE
}  // namespace

worker::worker(const worker_config& config) : config_(config) {
    // Created here, not in init(), so stop() works from the moment the worker exists.
    wake_fd_ = ::eventfd(0, EFD_CLOEXEC);
}

worker::~worker() {
    // Exchanges unwind their fibers first; they may still point at connections.
    exchanges_.clear();
    for (auto& c : conns_) {
        if (c->fd >= 0) ::close(c->fd);
        c->out.clear(outs_);
        if (c->asm_ != nullptr) std::free(c->asm_);
    }
    pool_.release();
    if (ring_ready_) io_uring_queue_exit(&ring_);
    if (wake_fd_ >= 0) ::close(wake_fd_);
    close_listener();
}

std::uint64_t worker::now_ns() noexcept {
    // Deadlines have 10 ms ticks: the coarse clock (a few ms, no syscall) does.
    timespec ts{};
    ::clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
    return static_cast<std::uint64_t>(ts.tv_sec) * 1'000'000'000 + static_cast<std::uint64_t>(ts.tv_nsec);
}

void worker::log(std::string_view line) const {
    if (config_.error_log != nullptr && *config_.error_log) {
        (*config_.error_log)(line);
        return;
    }
    std::string s(line);
    s.push_back('\n');
    std::fwrite(s.data(), 1, s.size(), stderr);
}

std::error_code worker::init() {
    io_uring_params params{};
    params.flags = IORING_SETUP_CQSIZE | IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN;
    params.cq_entries = cq_entries;
    int rc = io_uring_queue_init_params(sq_entries, &ring_, &params);
    if (rc == -EINVAL) {
        // Kernels before 6.1 lack DEFER_TASKRUN; COOP_TASKRUN (5.19) is the next best.
        params = io_uring_params{};
        params.flags = IORING_SETUP_CQSIZE | IORING_SETUP_COOP_TASKRUN;
        params.cq_entries = cq_entries;
        rc = io_uring_queue_init_params(sq_entries, &ring_, &params);
    }
    if (rc < 0) return {-rc, std::system_category()};
    ring_ready_ = true;
    io_uring_register_ring_fd(&ring_);  // optional: saves an fd lookup per io_uring_enter
    if (auto ec = pool_.init(&ring_, 0, config_.buffer_size, config_.initial_buffers, config_.max_buffers)) return ec;
    if (wake_fd_ < 0) return {errno, std::system_category()};
    return {};
}

io_uring_sqe* worker::get_sqe() {
    io_uring_sqe* sqe = io_uring_get_sqe(&ring_);
    while (sqe == nullptr) {
        io_uring_submit(&ring_);
        sqe = io_uring_get_sqe(&ring_);
    }
    return sqe;
}

void worker::stop() noexcept {
    requests_.fetch_or(request_stop, std::memory_order_release);
    std::uint64_t one = 1;
    [[maybe_unused]] ssize_t n = ::write(wake_fd_, &one, sizeof one);
}

void worker::shutdown() noexcept {
    requests_.fetch_or(request_shutdown, std::memory_order_release);
    wake();
}

void worker::wake() noexcept {
    std::uint64_t one = 1;
    [[maybe_unused]] ssize_t n = ::write(wake_fd_, &one, sizeof one);
}

void worker::blocking_done(exchange* ex) {
    // The wake-up is written under the lock: once the ring can see ex, its
    // handler may finish and the server destroy this worker (closing
    // wake_fd_, whose number another open may then reuse), so this thread
    // must be done with the worker by then.
    std::lock_guard lock(done_mu_);
    done_.push_back(ex);
    std::uint64_t one = 1;
    [[maybe_unused]] ssize_t n = ::write(wake_fd_, &one, sizeof one);
}

void worker::submit_file_read(connection& c, int fd, char* buf, std::uint32_t n, std::uint64_t offset) {
    io_uring_sqe* sqe = get_sqe();
    io_uring_prep_read(sqe, fd, buf, n, offset);
    io_uring_sqe_set_data64(sqe, pack(op_file_read, c));
}

void worker::cancel_file_read(connection& c) {
    io_uring_sqe* sqe = get_sqe();
    io_uring_prep_cancel64(sqe, pack(op_file_read, c), 0);
    io_uring_sqe_set_data64(sqe, user_data::encode(op_cancel));
}

void worker::set_deadline(connection& c, bool write, std::chrono::steady_clock::time_point t) {
    const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
    const std::uint32_t tick = t == std::chrono::steady_clock::time_point{} ? 0 : wheel_.tick_at_or_after(static_cast<std::uint64_t>(ns));
    (write ? c.write_deadline : c.read_deadline) = tick;
    schedule_timer(c);
}

void worker::stop_receiving(connection& c) {
    c.receive_stopped = true;
    pause_recv(c);
}

void worker::on_wake() {
    {
        std::lock_guard lock(done_mu_);
        done_scratch_.swap(done_);
    }
    for (exchange* ex : done_scratch_)
        if (ex->waiting() == exchange::wait_kind::blocking) resume_exchange(*ex->conn);
    done_scratch_.clear();
    const std::uint32_t r = requests_.load(std::memory_order_acquire);
    if ((r & request_stop) && !(stopping_ && !graceful_)) begin_stop(false);
    else if ((r & request_shutdown) && !stopping_) begin_stop(true);
    if (stopping_ && graceful_ && !draining_ &&
        (config_.barrier == nullptr || config_.barrier->closed.load() >= config_.barrier->total))
        begin_draining();
}

void worker::close_listener() noexcept {
    if (config_.listen_fd < 0) return;
    if (stopping_ && graceful_) {
        // Clients whose handshake the kernel already completed sit in the
        // backlog; closing the listener would reset them. Shrink the backlog
        // (so at most one more handshake can complete), take in those queued
        // (served once, with Connection: close), then close.
        ::listen(config_.listen_fd, 0);
        ::fcntl(config_.listen_fd, F_SETFL, ::fcntl(config_.listen_fd, F_GETFL) | O_NONBLOCK);
        for (;;) {
            int fd = ::accept4(config_.listen_fd, nullptr, nullptr, SOCK_CLOEXEC);
            if (fd < 0) break;
            open_connection(fd);
        }
    }
    ::close(config_.listen_fd);
    config_.listen_fd = -1;
    if (stopping_ && graceful_ && config_.barrier != nullptr &&
        config_.barrier->closed.fetch_add(1) + 1 == config_.barrier->total && config_.barrier->wake_all)
        config_.barrier->wake_all();
}

void worker::call_conn_state(const connection& c, ringhttp::conn_state s) const {
    (*config_.conn_state)(connection_info{c.id, {c.remote, c.remote_len}}, s);
}

void worker::arm_accept() {
    io_uring_sqe* sqe = get_sqe();
    io_uring_prep_multishot_accept(sqe, config_.listen_fd, nullptr, nullptr, SOCK_CLOEXEC);
    io_uring_sqe_set_data64(sqe, user_data::encode(op_accept));
    accept_armed_ = true;
}

void worker::arm_wake() {
    io_uring_sqe* sqe = get_sqe();
    io_uring_prep_read(sqe, wake_fd_, &wake_buf_, sizeof wake_buf_, 0);
    io_uring_sqe_set_data64(sqe, user_data::encode(op_wake));
}

void worker::arm_recv(connection& c) {
    io_uring_sqe* sqe = get_sqe();
    io_uring_prep_recv_multishot(sqe, c.fd, nullptr, 0, 0);
    sqe->flags |= IOSQE_BUFFER_SELECT;
    sqe->buf_group = pool_.group();
    io_uring_sqe_set_data64(sqe, pack(op_recv, c));
    c.recv = connection::recv_state::armed;
}

void worker::pause_recv(connection& c) {
    if (c.recv != connection::recv_state::armed) return;
    io_uring_sqe* sqe = get_sqe();
    io_uring_prep_cancel64(sqe, pack(op_recv, c), 0);
    io_uring_sqe_set_data64(sqe, user_data::encode(op_cancel));
    c.recv = connection::recv_state::cancelling;
}

void worker::want_input(connection& c) {
    if (c.receive_stopped) return;
    c.paused = false;
    if (c.recv == connection::recv_state::off && !c.peer_eof && !c.starved && c.state <= connection::phase::lingering)
        arm_recv(c);
}

void worker::mark_dirty(connection& c) noexcept {
    if (c.dirty) return;
    c.dirty = true;
    // First in, first sent: the sends go to the kernel in the order the
    // responses were made, so the oldest request waits the least.
    c.next_dirty = UINT32_MAX;
    if (dirty_head_ == UINT32_MAX) dirty_head_ = c.index;
    else conns_[dirty_tail_]->next_dirty = c.index;
    dirty_tail_ = c.index;
}

void worker::flush_dirty() {
    while (dirty_head_ != UINT32_MAX) {
        connection& c = *conns_[dirty_head_];
        dirty_head_ = c.next_dirty;
        c.dirty = false;
        if (!c.send_inflight && !c.out.empty() && c.fd >= 0 && !c.broken) submit_send(c);
    }
}

void worker::submit_send(connection& c) {
    out_buf* b = c.out.head();
    if (b->next == nullptr) {
        io_uring_sqe* sqe = get_sqe();
        io_uring_prep_send(sqe, c.fd, b->data + b->start, b->len - b->start, MSG_NOSIGNAL);
        io_uring_sqe_set_data64(sqe, pack(op_send, c));
        c.inflight_bytes = b->len - b->start;
    } else {
        send_ctx* ctx = send_ctxs_.take();
        int n = 0;
        std::uint32_t total = 0;
        for (; b != nullptr && n < send_ctx::max_iov; b = b->next, ++n) {
            ctx->iov[n].iov_base = b->data + b->start;
            ctx->iov[n].iov_len = b->len - b->start;
            total += b->len - b->start;
        }
        ctx->msg = msghdr{};
        ctx->msg.msg_iov = ctx->iov;
        ctx->msg.msg_iovlen = static_cast<std::size_t>(n);
        io_uring_sqe* sqe = get_sqe();
        io_uring_prep_sendmsg(sqe, c.fd, &ctx->msg, MSG_NOSIGNAL);
        io_uring_sqe_set_data64(sqe, pack(op_send, c));
        c.sctx = ctx;
        c.inflight_bytes = total;
    }
    c.send_inflight = true;
}

void worker::on_send(connection& c, int res) {
    c.send_inflight = false;
    if (c.sctx != nullptr) {
        send_ctxs_.give_back(c.sctx);
        c.sctx = nullptr;
    }
    if (res < 0) {
        // EPIPE, ECONNRESET: the client is gone. Writes fail from now on.
        c.broken = true;
        c.out.clear(outs_);
        begin_close(c, true);
        advance_close(c);
        return;
    }
    c.out.consume(outs_, static_cast<std::size_t>(res));
    if (!c.out.empty() && !c.broken && !c.abortive) submit_send(c);
    if (c.ex != nullptr && c.ex->waiting() == exchange::wait_kind::send) resume_exchange(c);
    if (c.state != connection::phase::open) advance_close(c);
}

void worker::on_accept(const io_uring_cqe& cqe) {
    if (cqe.res >= 0) {
        // Accepted before the stop: a graceful stop serves it (once, with
        // Connection: close); close() refuses it.
        if (stopping_ && !graceful_) ::close(cqe.res);
        else open_connection(cqe.res);
    } else if (cqe.res != -ECANCELED && !stopping_) {
        const int err = -cqe.res;
        log(std::string("http: Accept error: ") + std::strerror(err));
        if ((err == EMFILE || err == ENFILE || err == ENOBUFS || err == ENOMEM) && !accept_backoff_) {
            // Out of descriptors or memory: stop accepting for a moment instead
            // of spinning; pending connections wait in the listen backlog.
            accept_backoff_ = true;
            accept_retry_ns_ = now_ + accept_backoff_ns;
            if (cqe.flags & IORING_CQE_F_MORE) {
                io_uring_sqe* sqe = get_sqe();
                io_uring_prep_cancel64(sqe, user_data::encode(op_accept), 0);
                io_uring_sqe_set_data64(sqe, user_data::encode(op_cancel));
            }
        }
    }
    if (!(cqe.flags & IORING_CQE_F_MORE)) {
        accept_armed_ = false;
        if (stopping_) close_listener();  // new clients are refused from now on
        else if (!accept_backoff_) arm_accept();
    }
}

void worker::on_recv(connection& c, const io_uring_cqe& cqe) {
    const bool more = (cqe.flags & IORING_CQE_F_MORE) != 0;
    if (!more) c.recv = connection::recv_state::off;
    if (cqe.res > 0) {
        const auto bid = static_cast<std::uint16_t>(cqe.flags >> IORING_CQE_BUFFER_SHIFT);
        if (c.state >= connection::phase::lingering) {
            // Closing: read and drop whatever the client still sends.
            pool_.recycle(bid);
            c.discarded += static_cast<std::uint32_t>(cqe.res);
            if (c.discarded > 1024 * 1024 && c.state == connection::phase::lingering) {
                c.state = connection::phase::closing;
                advance_close(c);
            } else if (!more && c.state == connection::phase::lingering) {
                arm_recv(c);
            }
            return;
        }
        enqueue(c, bid, static_cast<std::uint32_t>(cqe.res));
        on_input(c);
    } else if (cqe.res == 0) {
        c.peer_eof = true;
        if (c.ex != nullptr) c.ex->cancel();  // the client is gone: the handler's stop_token fires
        on_input(c);
    } else if (cqe.res == -ENOBUFS) {
        // The pool ran dry: grow it, or wait for buffers to come back.
        if (!c.starved) {
            c.starved = true;
            starved_.push_back(c.index);
        }
    } else if (cqe.res != -ECANCELED) {
        c.peer_eof = true;  // ECONNRESET and friends
        c.broken = true;
        if (c.ex != nullptr) c.ex->cancel();
        begin_close(c, true);
    }
    if (c.recv == connection::recv_state::off && c.ex != nullptr &&
        c.ex->waiting() == exchange::wait_kind::receive_stopped) {
        resume_exchange(c);
        return;
    }
    if (c.recv == connection::recv_state::off) {
        if (c.state == connection::phase::open && !c.peer_eof && !c.starved && !c.paused && !c.receive_stopped)
            arm_recv(c);
        else if (c.state == connection::phase::lingering && !c.peer_eof) arm_recv(c);
        else if (c.state != connection::phase::open) advance_close(c);
    }
}

void worker::feed_starved() {
    if (starved_.empty()) return;
    if (!pool_.commit()) pool_.grow();
    for (std::uint32_t index : starved_) {
        connection& c = *conns_[index];
        if (!c.starved) continue;
        c.starved = false;
        if (c.fd >= 0 && c.state <= connection::phase::lingering && !c.paused) want_input(c);
    }
    starved_.clear();
}

void worker::run_timers() {
    const std::uint64_t now = now_;
    if (accept_retry_ns_ != 0 && accept_retry_ns_ <= now) {
        accept_retry_ns_ = 0;
        accept_backoff_ = false;
        if (!stopping_ && !accept_armed_) arm_accept();
    }
    wheel_.advance(wheel_.at(now), [this](const timer_wheel::entry& e) { fire_timer(e); });
}

void worker::arm_wakeup() {
    // The loop waits for completions only; an IORING_OP_TIMEOUT at the next
    // deadline's tick is one of them. It is armed again only when an earlier
    // tick is needed (one passed to every io_uring_enter costs more).
    std::uint64_t wake_ns = accept_retry_ns_;
    if (const timer_wheel::tick next = wheel_.next_wake(wheel_.at(now_)); next != 0) {
        // Half a tick late: the coarse clock the wheel reads lags the kernel's
        // by up to a jiffy, and waking before the tick would find nothing due.
        const std::uint64_t at = wheel_.start_of(next) + timer_wheel::tick_ns / 2;
        if (wake_ns == 0 || at < wake_ns) wake_ns = at;
    }
    if (wake_ns == 0 || (timer_armed_ns_ != 0 && timer_armed_ns_ <= wake_ns)) return;
    timer_armed_ns_ = wake_ns;
    timer_ts_.tv_sec = static_cast<long long>(wake_ns / 1'000'000'000);
    timer_ts_.tv_nsec = static_cast<long long>(wake_ns % 1'000'000'000);
    io_uring_sqe* sqe = get_sqe();
    io_uring_prep_timeout(sqe, &timer_ts_, 0, IORING_TIMEOUT_ABS);  // CLOCK_MONOTONIC, as now_ns()
    io_uring_sqe_set_data64(sqe, user_data::encode(op_timer));
}

void worker::fire_timer(const timer_wheel::entry& e) {
    connection& c = *conns_[e.index];
    if (c.gen != e.gen || c.timer_due != e.due || c.state == connection::phase::dead) return;  // stale
    c.timer_due = 0;
    const timer_wheel::tick now = wheel_.at(now_);
    if (c.write_deadline != 0 && c.write_deadline <= now) {
        // Writes fail from now on; a handler waiting for the send window
        // wakes to that, and the connection closes without a clean end.
        c.write_deadline = 0;
        c.write_timed_out = true;
        begin_close(c, true);
        return;
    }
    if (c.read_deadline != 0 && c.read_deadline <= now) {
        c.read_deadline = 0;
        on_read_timeout(c);
    }
    if (c.state != connection::phase::dead) schedule_timer(c);
}

void worker::on_read_timeout(connection& c) {
    switch (c.state) {
        case connection::phase::lingering:
            c.state = connection::phase::closing;
            advance_close(c);
            return;
        case connection::phase::open:
            break;
        default:
            return;  // draining or closing: the write side decides
    }
    if (c.ex != nullptr) {
        // The request body is late: reads fail from now on (errc::timeout).
        c.read_timed_out = true;
        if (c.ex->waiting() == exchange::wait_kind::body) resume_exchange(c);
        return;
    }
    if (!peek(c).empty() || c.scanner.started()) {
        // Part of a head came, not the rest: say so (RFC 9110 §15.5.9).
        send_error(c, status_request_timeout, "timed out reading the request head");
        return;
    }
    // Nothing came: close quietly (FIN), after any response still being sent.
    begin_close(c, false);
}

void worker::begin_stop(bool graceful) {
    stopping_ = true;
    graceful_ = graceful;
    if (accept_armed_) {
        // Cancel the accept now, synchronously (Linux 6.0+), so the listener
        // closes before any response of this batch says Connection: close and
        // sends its client reconnecting into a closing backlog. Older
        // kernels cancel asynchronously and close on the accept's last CQE.
        io_uring_sync_cancel_reg reg{};
        reg.addr = user_data::encode(op_accept);
        reg.timeout.tv_sec = -1;
        reg.timeout.tv_nsec = -1;
        const int rc = io_uring_register_sync_cancel(&ring_, &reg);
        if (rc >= 0 || rc == -ENOENT || rc == -EALREADY) {
            close_listener();
        } else {
            io_uring_sqe* sqe = get_sqe();
            io_uring_prep_cancel64(sqe, user_data::encode(op_accept), 0);
            io_uring_sqe_set_data64(sqe, user_data::encode(op_cancel));
        }
    } else {
        close_listener();
    }
    if (!graceful) {
        for (auto& c : conns_)
            if (c->fd >= 0 && c->state != connection::phase::dead) begin_close(*c, true);
    }
    // A graceful stop drains once every ring has closed its listener.
}

void worker::begin_draining() {
    draining_ = true;
    for (auto& c : conns_) {
        if (c->fd < 0 || c->state == connection::phase::dead) continue;
        if (c->state == connection::phase::open && c->ex == nullptr && peek(*c).empty() &&
            !c->scanner.started()) {
            // Idle, or new with nothing sent yet. A request may already be on
            // its way (the keep-alive race): give it a moment to arrive and be
            // served with Connection: close, then close. The connections busy
            // with a request finish it; their response says Connection: close.
            const std::uint32_t soon = deadline_after(shutdown_idle_grace_ns);
            if (c->read_deadline == 0 || soon < c->read_deadline) c->read_deadline = soon;
            schedule_timer(*c);
        }
    }
}

void worker::dispatch(const io_uring_cqe& cqe) {
    const std::uint64_t data = cqe.user_data;
    const ring_op o = user_data::op_of(data);
    if (cqe.flags & IORING_CQE_F_BUFFER) pool_.delivered();
    switch (o) {
        case op_accept: on_accept(cqe); return;
        case op_wake:
            arm_wake();
            on_wake();
            return;
        case op_timer:
            // It fired (or was beaten by an earlier one): timers run after
            // this batch, and the next wake-up is armed before blocking.
            if (cqe.res == -ETIME && timer_armed_ns_ != 0 && timer_armed_ns_ <= now_ + timer_wheel::tick_ns)
                timer_armed_ns_ = 0;
            return;
        case op_cancel:
        case op_close: return;
        case op_recv:
        case op_send:
        case op_file_read: break;
    }
    const std::uint32_t index = user_data::index_of(data);
    connection* c = index < conns_.size() ? conns_[index].get() : nullptr;
    if (c == nullptr || !user_data::matches(data, c->gen) || c->state == connection::phase::dead) {
        // A completion for a slot that moved on; never leak the buffer it holds.
        if (cqe.flags & IORING_CQE_F_BUFFER) pool_.recycle(static_cast<std::uint16_t>(cqe.flags >> IORING_CQE_BUFFER_SHIFT));
        return;
    }
    if (o == op_recv) on_recv(*c, cqe);
    else if (o == op_send) on_send(*c, cqe.res);
    else if (c->ex != nullptr && c->ex->waiting() == exchange::wait_kind::file) {
        // The connection cannot have moved on: begin_close never resumes a
        // handler waiting for a file read, so its slot and generation hold.
        c->ex->file_done(cqe.res);
        resume_exchange(*c);
    }
}

void worker::run() {
    // A ring thread reads mux snapshots without guards: it reports a
    // quiescent state each iteration and goes offline while it blocks.
    rcu::register_thread();
    arm_wake();
    arm_accept();
    if (requests_.load(std::memory_order_acquire) != 0) on_wake();
    while (!stopping_ || live_ > 0 || accept_armed_) {
        rcu::quiescent();
        if (date_.refresh()) rcu::reclaim();  // once a second: free old mux snapshots now due
        flush_dirty();
        if (!starved_.empty()) feed_starved();
        pool_.commit();
        if (!dead_.empty()) reap();
        if (stopping_ && live_ == 0 && !accept_armed_) break;
        if (wheel_.size() != 0 || accept_retry_ns_ != 0) arm_wakeup();
        io_uring_cqe* cqe = nullptr;
        rcu::offline();
        int rc = io_uring_submit_and_wait(&ring_, 1);
        rcu::online();
        now_ = now_ns();
        if (rc < 0 && rc != -EINTR && rc != -ETIME && rc != -EBUSY) {
            log(std::string("ringhttp: io_uring_enter: ") + std::strerror(-rc));
            break;
        }
        unsigned head;
        unsigned seen = 0;
        io_uring_for_each_cqe(&ring_, head, cqe) {
            dispatch(*cqe);
            ++seen;
        }
        io_uring_cq_advance(&ring_, seen);
        if (wheel_.size() != 0 || accept_retry_ns_ != 0) run_timers();
    }
    rcu::unregister_thread();
}

}  // namespace ringhttp::engine
