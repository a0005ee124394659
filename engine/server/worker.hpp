// ringhttp: one ring thread, its io_uring, listener, buffers and connections.
#pragma once

#include <liburing.h>
#include <pthread.h>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <chrono>
#include <memory>
#include <mutex>
#include <string_view>
#include <system_error>
#include <vector>

#include <ringhttp/handler.hpp>
#include <ringhttp/server.hpp>

#include "engine/ring/buffer_pool.hpp"
#include "engine/server/connection.hpp"
#include "engine/server/http1_session.hpp"
#include "engine/http1/date_cache.hpp"
#include "engine/base/object_pool.hpp"
#include "engine/ring/output.hpp"
#include "engine/ring/ring.hpp"
#include "engine/http1/proxy_protocol.hpp"
#include "engine/http1/response_head.hpp"
#include "engine/ring/timer_wheel.hpp"
#include "engine/ring/user_data.hpp"

namespace ringhttp::engine {

class exchange;

/// stop_barrier lets a graceful stop close every ring's listener before any
/// ring starts answering Connection: close: a client told to reconnect must
/// find the port closed, not a backlog about to be reset.
struct stop_barrier {
    std::atomic<unsigned> closed{0};  // listeners closed so far
    unsigned total = 0;
    std::function<void()> wake_all;   // wakes every ring once the last one closed
};

/// shutdown_idle_grace_ns is an idle connection's last chance at a graceful
/// stop: a request already on its way is still served (with Connection:
/// close); then the connection closes.
inline constexpr std::uint64_t shutdown_idle_grace_ns = 200'000'000;

/// worker_config is what a ring needs from the server's options.
struct worker_config {
    const ringhttp::handler* handler = nullptr;
    std::size_t max_header_bytes = 0;
    std::size_t max_header_fields = 100;
    std::size_t stack_size = 0;
    const std::function<void(std::string_view)>* error_log = nullptr;
    const std::function<void(const connection_info&, ringhttp::conn_state)>* conn_state = nullptr;
    std::uint32_t worker_index = 0;  // for connection ids
    stop_barrier* barrier = nullptr;
    int listen_fd = -1;              // owned by the worker: closed when it stops accepting
    std::uint64_t read_timeout_ns = 0;         // 0: none
    std::uint64_t read_header_timeout_ns = 0;  // 0: none (the server resolved Go's fallbacks)
    std::uint64_t write_timeout_ns = 0;
    std::uint64_t idle_timeout_ns = 0;
    std::uint32_t buffer_size = 16 * 1024;
    std::uint32_t initial_buffers = 256;
    std::uint32_t max_buffers = 4096;
    bool proxy_protocol = false;     // every connection starts with a PROXY protocol header
};

/// worker is the server loop of one ring thread: on its ring (engine/ring/ring.hpp)
/// a multishot accept on its own listener, multishot recv into a
/// provided-buffer ring, and the connections it accepted, each served to
/// completion on this thread. It shares nothing writable with other workers.
/// init() and run() must be called on the thread that runs it; stop() from
/// anywhere. Every SQE's user_data says what it is for (engine/ring/user_data.hpp).
class worker {
public:
    explicit worker(const worker_config& config);
    worker(const worker&) = delete;
    worker& operator=(const worker&) = delete;
    ~worker();

    /// init sets up the ring, the buffers and the wake-up eventfd.
    [[nodiscard]] std::error_code init();
    /// run serves until stop(); then closes every connection and returns.
    void run();
    /// stop asks run() to return, closing everything now. Thread-safe.
    void stop() noexcept;
    /// shutdown asks run() to stop accepting, close idle connections, let the
    /// others finish their request, and return when none is left. Thread-safe.
    void shutdown() noexcept;
    /// wake makes the ring look at its requests again. Thread-safe.
    void wake() noexcept;
    /// busy_since is when the ring last came back from waiting for
    /// completions (the coarse clock), or 0 while it waits: how long it has
    /// been away from its loop. Thread-safe (the stall detector reads it).
    std::uint64_t busy_since() const noexcept { return busy_since_.load(std::memory_order_relaxed); }
    /// thread gives the ring's thread while run() runs. Thread-safe.
    bool thread(pthread_t& out) const noexcept {
        if (!thread_known_.load(std::memory_order_acquire)) return false;
        out = thread_;
        return true;
    }

    // The loop's services, on this worker's thread, for the exchanges'
    // streams (stream_impl.hpp), the protocol (http1_session) and the
    // connections' own life (connection.cpp).
    const worker_config& config() const noexcept { return config_; }
    /// keep_alives reports whether responses may leave connections open (not
    /// while shutting down: Go's doKeepAlives).
    bool keep_alives() const noexcept { return !draining_ && !(stopping_ && !graceful_); }
    /// notify calls the conn_state hook, if there is one.
    void notify(const connection& c, ringhttp::conn_state s) const {
        if (config_.conn_state != nullptr && *config_.conn_state) [[unlikely]] call_conn_state(c, s);
    }
    out_pool& outs() noexcept { return outs_; }
    std::string_view date() const noexcept { return date_.value(); }
    /// plain_head is the head of an HTTP/1.1 200 with no handler fields (plain_head_cache).
    std::string_view plain_head(std::uint64_t length, std::string_view content_type) noexcept {
        return plain_head_.get(date_.second(), date_.value(), length, content_type);
    }
    void log(std::string_view line) const;
    /// peek returns the connection's next unread received bytes (may be empty).
    std::string_view peek(connection& c) noexcept { return c.io.in.peek(pool_); }
    /// consume marks n bytes of peek() as read; a paused recv resumes once
    /// the queue is down to half.
    void consume(connection& c, std::size_t n) noexcept {
        if (c.io.in.consume(pool_, n) && c.paused && c.io.in.buffers() <= max_queued_buffers / 2) want_input(c);
    }
    /// want_input makes sure more bytes will arrive for c (re-arms recv).
    void want_input(connection& c);
    /// mark_dirty queues c's output to be sent at the end of this iteration.
    void mark_dirty(connection& c) noexcept;
    /// set_deadline sets c's read or write deadline to t (none for a
    /// default time_point), as a handler's response_controller asks.
    void set_deadline(connection& c, bool write, std::chrono::steady_clock::time_point t);
    /// stop_receiving cancels c's recv for good (a hijack).
    void stop_receiving(connection& c);
    /// ready hands back an exchange whose wait for the blocking pool or for
    /// a parked wait (sync.hpp) ended; the ring resumes it. Thread-safe: from
    /// another thread it goes through the ring's wake-up, from this ring's
    /// own thread straight onto its list.
    void ready(exchange* ex);
    /// on_ring_thread reports whether the calling thread runs a ring's loop.
    static bool on_ring_thread() noexcept { return running_ != nullptr; }
    /// add_sleeper wakes ex's sleep when the ring's clock reads ns.
    void add_sleeper(exchange& ex, std::uint64_t ns);
    /// submit_file_read queues a read of n bytes of fd at offset into buf
    /// for c's exchange; its completion resumes the exchange (read_file).
    void submit_file_read(connection& c, int fd, char* buf, std::uint32_t n, std::uint64_t offset);
    /// cancel_file_read asks the kernel to end c's file read early.
    void cancel_file_read(connection& c);

    buffer_pool& buffers() noexcept { return pool_; }
    /// now_tick is the timer wheel's tick as of this loop iteration.
    timer_wheel::tick now_tick() const noexcept { return wheel_.at(now_); }
    /// deadline_after is the tick ns from now (0, none, for 0).
    timer_wheel::tick deadline_after(std::uint64_t ns) const noexcept {
        return ns == 0 ? 0 : wheel_.after(now_, ns);
    }
    // Called a few times per request, mostly to find that nothing changes:
    // inline, so that costs a compare, not a call.
    void schedule_timer(connection& c) {
        std::uint32_t due = c.read_deadline;
        if (c.write_deadline != 0 && (due == 0 || c.write_deadline < due)) due = c.write_deadline;
        // An entry that fires no later than the earliest deadline re-arms
        // itself when it fires; only an earlier deadline needs a new entry.
        if (due == 0 || (c.timer_due != 0 && c.timer_due <= due)) [[likely]] return;
        c.timer_due = due;
        wheel_.schedule(due, c.index, c.gen);
    }
    /// pause_recv cancels c's recv until want_input.
    void pause_recv(connection& c);
    /// arm_recv starts c's multishot recv.
    void arm_recv(connection& c);
    http1_session& http1() noexcept { return http1_; }
    transport_env& transport_services() noexcept { return env_; }
    /// retire takes a closed connection off the live ones; its slot is
    /// reused after this loop iteration (reap).
    void retire(connection& c) {
        dead_.push_back(c.index);
        --live_;
    }

private:
    void call_conn_state(const connection& c, ringhttp::conn_state s) const;

    worker_config config_;
    ring ring_;
    buffer_pool pool_;
    out_pool outs_;
    date_cache date_;
    plain_head_cache plain_head_;
    enum : std::uint32_t { request_stop = 1, request_shutdown = 2 };
    std::atomic<std::uint32_t> requests_{0};  // set by other threads, read on wake-up
    bool stopping_ = false;   // accepting no more; the loop ends when no connection is left
    bool graceful_ = false;   // the stop is a shutdown(), not a close()
    bool draining_ = false;   // every listener is closed: responses carry Connection: close
    bool accept_armed_ = false;
    bool accept_backoff_ = false;

    std::vector<std::unique_ptr<connection>> conns_;
    std::vector<std::uint32_t> free_slots_;
    std::size_t live_ = 0;
    std::uint64_t accepted_ = 0;
    std::uint32_t dirty_head_ = UINT32_MAX;  // connections with output to send, oldest first
    std::uint32_t dirty_tail_ = UINT32_MAX;
    std::vector<std::uint32_t> dead_;
    std::vector<std::uint32_t> starved_;
    http1_session http1_{*this};  // the protocol driving every connection (HTTP/1 today)
    object_pool<send_ctx> send_ctxs_;
    transport_env env_{ring_, pool_, outs_, send_ctxs_};  // what each connection's transport borrows
    object_pool<proxy_header_parser> proxy_parsers_;  // proxy_protocol.cpp
    timer_wheel wheel_{now_ns()};
    std::uint64_t now_ = now_ns();  // the clock as of this loop iteration's wake-up
    std::uint64_t accept_retry_ns_ = 0;  // when to re-arm accept after EMFILE; 0: not waiting
    std::mutex done_mu_;                 // guards done_ (other threads write it)
    std::vector<exchange*> done_;
    std::vector<exchange*> done_scratch_;
    std::vector<exchange*> local_ready_;  // readied by this ring's own thread
    std::vector<exchange*> ready_scratch_;
    struct sleeper {
        std::uint64_t ns;
        std::uint64_t seq;  // the exchange's sleep_seq: an earlier sleep's entry is stale
        exchange* ex;
        bool operator>(const sleeper& o) const noexcept { return ns > o.ns; }
    };
    std::vector<sleeper> sleepers_;  // a min-heap by ns
    bool fiber_work_ = false;        // local_ready_ or sleepers_ is not empty
    std::atomic<std::uint64_t> busy_since_{0};
    pthread_t thread_{};
    std::atomic<bool> thread_known_{false};
    static inline thread_local worker* running_ = nullptr;  // the worker whose loop runs on this thread

    static std::uint64_t pack(ring_op o, const connection& c) noexcept { return user_data::encode(o, c.index, c.gen); }
    static std::uint64_t now_ns() noexcept { return ring::now_ns(); }

    // Ring I/O (worker.cpp).
    void arm_accept();
    void dispatch(const io_uring_cqe& cqe);
    void on_accept(const io_uring_cqe& cqe);
    void on_recv(connection& c, const io_uring_cqe& cqe);
    void on_send(connection& c, int res);
    void flush_dirty();
    void feed_starved();
    void run_timers();
    // Off the hello path: one flag tells the loop there is fiber work (a
    // ready list, sleepers), and the work itself is cold.
    [[gnu::cold]] void tend_fibers();
    void arm_wakeup();
    void fire_timer(const timer_wheel::entry& e);
    void on_read_timeout(connection& c);
    void begin_stop(bool graceful);
    void begin_draining();
    void on_wake();
    void close_listener() noexcept;

    // Connections (connection.cpp): a slot for each accepted socket, reaped
    // after the loop iteration that closed it.
    void open_connection(int fd);
    void on_input(connection& c);
    bool read_proxy_header(connection& c);  // proxy_header.cpp: true once the header is read
    proxy_header_parser* lend_proxy_parser();
    void return_proxy_parser(connection& c) noexcept;
    void reap();
};

}  // namespace ringhttp::engine
