// The ring loop and its I/O: accept, recv, send, wake-up, timers.
#include "engine/server/worker.hpp"

#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <functional>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <string>

#include <ringhttp/status.hpp>

#include "engine/server/exchange.hpp"
#include "engine/base/rcu.hpp"

namespace ringhttp::engine {

namespace {
constexpr std::uint64_t accept_backoff_ns = 100'000'000;    // retry accept 100 ms after EMFILE
}  // namespace

worker::worker(const worker_config& config) : config_(config) {}

worker::~worker() {
    // Exchanges unwind their fibers first; they may still point at connections.
    http1_.clear();
    for (auto& c : conns_) {
        if (c->io.fd >= 0) ::close(c->io.fd);
        c->io.out.clear(outs_);
        c->io.in.free_all();
    }
    pool_.release();
    close_listener();
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
    if (auto ec = ring_.init()) return ec;
    return pool_.init(ring_.raw(), 0, config_.buffer_size, config_.initial_buffers, config_.max_buffers);
}

void worker::stop() noexcept {
    requests_.fetch_or(request_stop, std::memory_order_release);
    ring_.wake();
}

void worker::shutdown() noexcept {
    requests_.fetch_or(request_shutdown, std::memory_order_release);
    wake();
}

void worker::wake() noexcept { ring_.wake(); }

void worker::ready(exchange* ex) {
    if (running_ == this) {
        // Readied by a fiber of this ring (an unlock, say): no wake-up needed,
        // the loop runs the list before it waits again.
        local_ready_.push_back(ex);
        fiber_work_ = true;
        return;
    }
    // The wake-up is written under the lock: once the ring can see ex, its
    // handler may finish and the server destroy this worker (closing
    // its eventfd, whose number another open may then reuse), so this
    // thread must be done with the worker by then.
    std::lock_guard lock(done_mu_);
    done_.push_back(ex);
    ring_.wake();
}

void worker::submit_file_read(connection& c, int fd, char* buf, std::uint32_t n, std::uint64_t offset) {
    ring_.read(fd, buf, n, offset, pack(op_file_read, c));
}

void worker::cancel_file_read(connection& c) {
    ring_.cancel(pack(op_file_read, c));
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
    for (exchange* ex : done_scratch_) http1_.woken(*ex);
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
    ring_.accept_multishot(config_.listen_fd, user_data::encode(op_accept));
    accept_armed_ = true;
}

void worker::arm_recv(connection& c) {
    c.io.arm_recv(env_, pack(op_recv, c));
}

void worker::pause_recv(connection& c) {
    c.io.cancel_recv(env_, pack(op_recv, c));
}

void worker::want_input(connection& c) {
    if (c.receive_stopped) return;
    c.paused = false;
    if (c.io.recv == transport::recv_state::off && !c.peer_eof && !c.starved && c.state <= connection::phase::lingering)
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
        if (!c.io.send_inflight && !c.io.out.empty() && c.io.fd >= 0 && !c.broken) c.io.send(env_, pack(op_send, c));
    }
}

void worker::on_send(connection& c, int res) {
    if (!c.io.sent(env_, res)) {
        // EPIPE, ECONNRESET: the client is gone. Writes fail from now on.
        c.broken = true;
        c.begin_close(*this, true);
        c.advance_close(*this);
        return;
    }
    if (!c.io.out.empty() && !c.broken && !c.abortive) c.io.send(env_, pack(op_send, c));
    http1_.output_sent(c);
    if (c.state != connection::phase::open) c.advance_close(*this);
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
            if (cqe.flags & IORING_CQE_F_MORE) ring_.cancel(user_data::encode(op_accept));
        }
    }
    if (!(cqe.flags & IORING_CQE_F_MORE)) {
        accept_armed_ = false;
        if (stopping_) close_listener();  // new clients are refused from now on
        else if (!accept_backoff_) arm_accept();
    }
}

void worker::on_input(connection& c) {
    if (c.ex == nullptr) {
        if (c.state != connection::phase::open) {
            c.advance_close(*this);
            return;
        }
        // The PROXY header comes before any HTTP (proxy_header.cpp).
        if (c.proxy != nullptr && !read_proxy_header(c)) [[unlikely]] return;
    }
    http1_.input(c);
}

void worker::on_recv(connection& c, const io_uring_cqe& cqe) {
    const bool more = (cqe.flags & IORING_CQE_F_MORE) != 0;
    if (!more) c.io.recv = transport::recv_state::off;
    if (cqe.res > 0) {
        const auto bid = static_cast<std::uint16_t>(cqe.flags >> IORING_CQE_BUFFER_SHIFT);
        if (c.state >= connection::phase::lingering) {
            // Closing: read and drop whatever the client still sends.
            pool_.recycle(bid);
            c.discarded += static_cast<std::uint32_t>(cqe.res);
            if (c.discarded > 1024 * 1024 && c.state == connection::phase::lingering) {
                c.state = connection::phase::closing;
                c.advance_close(*this);
            } else if (!more && c.state == connection::phase::lingering) {
                arm_recv(c);
            }
            return;
        }
        c.io.received(env_, bid, static_cast<std::uint32_t>(cqe.res));
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
        c.begin_close(*this, true);
    }
    if (c.io.recv == transport::recv_state::off && c.receive_stopped && c.ex != nullptr) {
        http1_.receive_stopped(c);
        return;
    }
    if (c.io.recv == transport::recv_state::off) {
        if (c.state == connection::phase::open && !c.peer_eof && !c.starved && !c.paused && !c.receive_stopped)
            arm_recv(c);
        else if (c.state == connection::phase::lingering && !c.peer_eof) arm_recv(c);
        else if (c.state != connection::phase::open) c.advance_close(*this);
    }
}

void worker::feed_starved() {
    if (starved_.empty()) return;
    if (!pool_.commit()) pool_.grow();
    for (std::uint32_t index : starved_) {
        connection& c = *conns_[index];
        if (!c.starved) continue;
        c.starved = false;
        if (c.io.fd >= 0 && c.state <= connection::phase::lingering && !c.paused) want_input(c);
    }
    starved_.clear();
}


void worker::add_sleeper(exchange& ex, std::uint64_t ns) {
    sleepers_.push_back({ns, ex.sleep_seq(), &ex});
    std::push_heap(sleepers_.begin(), sleepers_.end(), std::greater<>{});
    fiber_work_ = true;
}

void worker::tend_fibers() {
    for (;;) {
        // Readied by this ring's fibers: resuming one may ready others.
        while (!local_ready_.empty()) {
            ready_scratch_.swap(local_ready_);
            for (exchange* ex : ready_scratch_) http1_.woken(*ex);
            ready_scratch_.clear();
        }
        // Sleeps that are due, by the precise clock, not the loop's coarse
        // one (which lags by up to a jiffy): a sleep is never cut short, and
        // the wake-up armed at its time finds it due.
        if (!sleepers_.empty()) {
            timespec ts{};
            ::clock_gettime(CLOCK_MONOTONIC, &ts);
            const std::uint64_t now =
                static_cast<std::uint64_t>(ts.tv_sec) * 1'000'000'000 + static_cast<std::uint64_t>(ts.tv_nsec);
            while (!sleepers_.empty() && sleepers_.front().ns <= now) {
                std::pop_heap(sleepers_.begin(), sleepers_.end(), std::greater<>{});
                const sleeper s = sleepers_.back();
                sleepers_.pop_back();
                http1_.slept(*s.ex, s.seq);  // may ready others, or sleep again
            }
        }
        if (local_ready_.empty()) break;
    }
    if (!sleepers_.empty()) ring_.wake_at(sleepers_.front().ns);
    fiber_work_ = !sleepers_.empty();
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
    // The ring wakes for the next deadline's tick (or the accept retry).
    std::uint64_t wake_ns = accept_retry_ns_;
    if (const timer_wheel::tick next = wheel_.next_wake(wheel_.at(now_)); next != 0) {
        // Half a tick late: the coarse clock the wheel reads lags the kernel's
        // by up to a jiffy, and waking before the tick would find nothing due.
        const std::uint64_t at = wheel_.start_of(next) + timer_wheel::tick_ns / 2;
        if (wake_ns == 0 || at < wake_ns) wake_ns = at;
    }
    if (wake_ns != 0) ring_.wake_at(wake_ns);
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
        c.begin_close(*this, true);
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
            c.advance_close(*this);
            return;
        case connection::phase::open:
            break;
        default:
            return;  // draining or closing: the write side decides
    }
    http1_.read_timed_out(c);
}

void worker::begin_stop(bool graceful) {
    stopping_ = true;
    graceful_ = graceful;
    if (accept_armed_) {
        // Cancel the accept now, synchronously (Linux 6.0+), so the listener
        // closes before any response of this batch says Connection: close and
        // sends its client reconnecting into a closing backlog. Older
        // kernels cancel asynchronously and close on the accept's last CQE.
        if (ring_.cancel_now(user_data::encode(op_accept))) close_listener();
    } else {
        close_listener();
    }
    if (!graceful) {
        for (auto& c : conns_)
            if (c->io.fd >= 0 && c->state != connection::phase::dead) c->begin_close(*this, true);
    }
    // A graceful stop drains once every ring has closed its listener.
}

void worker::begin_draining() {
    draining_ = true;
    for (auto& c : conns_) {
        if (c->io.fd < 0 || c->state == connection::phase::dead) continue;
        if (c->state == connection::phase::open && http1_.idle(*c)) {
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
            ring_.arm_wake();
            on_wake();
            return;
        case op_timer:
            // It fired (or was beaten by an earlier one): timers run after
            // this batch, and the next wake-up is armed before blocking.
            ring_.timer_fired(cqe.res, now_);
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
    else http1_.file_read_done(*c, cqe.res);
}

void worker::run() {
    // A ring thread reads mux snapshots without guards: it reports a
    // quiescent state each iteration and goes offline while it blocks.
    rcu::register_thread();
    running_ = this;
    thread_ = ::pthread_self();
    thread_known_.store(true, std::memory_order_release);
    ring_.arm_wake();
    arm_accept();
    if (requests_.load(std::memory_order_acquire) != 0) on_wake();
    while (!stopping_ || live_ > 0 || accept_armed_) {
        rcu::quiescent();
        if (date_.refresh()) rcu::reclaim();  // once a second: free old mux snapshots now due
        if (fiber_work_) [[unlikely]] tend_fibers();
        flush_dirty();
        if (!starved_.empty()) feed_starved();
        pool_.commit();
        if (!dead_.empty()) reap();
        if (stopping_ && live_ == 0 && !accept_armed_) break;
        if (wheel_.size() != 0 || accept_retry_ns_ != 0) arm_wakeup();
        rcu::offline();
        busy_since_.store(0, std::memory_order_relaxed);
        const int rc = ring_.submit_and_wait();
        rcu::online();
        now_ = now_ns();
        busy_since_.store(now_, std::memory_order_relaxed);
        if (rc < 0) {
            log(std::string("ringhttp: io_uring_enter: ") + std::strerror(-rc));
            break;
        }
        ring_.drain([this](const io_uring_cqe& cqe) { dispatch(cqe); });
        if (wheel_.size() != 0 || accept_retry_ns_ != 0) run_timers();
    }
    running_ = nullptr;
    thread_known_.store(false, std::memory_order_release);
    busy_since_.store(0, std::memory_order_relaxed);
    rcu::unregister_thread();
}

}  // namespace ringhttp::engine
