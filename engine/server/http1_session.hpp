// ringhttp: HTTP/1 driving connections: requests parsed out of their bytes,
// one exchange at a time, responses in order.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "engine/base/object_pool.hpp"
#include "engine/server/connection.hpp"
#include "engine/server/exchange.hpp"

namespace ringhttp::engine {

class worker;

/// The protocol seam. The server loop (worker) owns the ring, the sockets,
/// the buffers, the timers and each connection's life (open, draining,
/// lingering, closed); a protocol turns a connection's bytes into exchanges
/// and their responses back into bytes. The loop tells the protocol these
/// events, and asks it one question (idle):
///
///   opened(c)            a connection was accepted
///   input(c)             bytes arrived in c.io.in, or the peer closed (c.peer_eof)
///   output_sent(c)       a send completed: there is room to write again
///   receive_stopped(c)   the recv ended for good (a hijack waits for that)
///   read_timed_out(c)    the read deadline passed on an open connection
///   aborting(c)          the connection is being torn down: waiters see it now
///   file_read_done(c, r) a handler's file read completed
///   woken(ex)            a handler's run_blocking job or parked wait ended
///   slept(ex)            a handler's sleep is due
///   idle(c)              nothing in progress: a graceful stop may close it
///
/// http1_session implements them for HTTP/1: one exchange per connection at
/// a time (pipelined requests wait in the receive queue), Go's keep-alive and
/// error replies. An http2_session implements the same events with many
/// exchanges per connection: input() decodes frames and hands each stream's
/// DATA to its exchange's stream, output_sent() resumes the exchanges waiting
/// for the connection or a stream window, aborting() resets every stream.
/// A connection will carry which protocol drives it (ALPN, or h2c's prior
/// knowledge), and the loop calls that one's events.
///
/// The session owns the ring's exchanges (pooled, each with its fiber).
class http1_session {
public:
    explicit http1_session(worker& w);
    http1_session(const http1_session&) = delete;
    http1_session& operator=(const http1_session&) = delete;

    void opened(connection& c) noexcept;
    void input(connection& c);
    void output_sent(connection& c) {
        if (c.ex != nullptr && c.ex->waiting() == exchange::wait_kind::send) resume(c);
    }
    void receive_stopped(connection& c) {
        if (c.ex != nullptr && c.ex->waiting() == exchange::wait_kind::receive_stopped) resume(c);
    }
    void read_timed_out(connection& c);
    void aborting(connection& c);
    void file_read_done(connection& c, int res);
    void woken(exchange& ex);
    void slept(exchange& ex, std::uint64_t seq);
    bool idle(connection& c) const noexcept;
    /// clear ends every pooled exchange (their fibers unwind); the worker's teardown.
    void clear() noexcept { exchanges_.clear(); }

private:
    worker& w_;
    object_pool<exchange> exchanges_;

    void process_requests(connection& c);
    exchange* next_request(connection& c);
    // next_request's steps, inline in it: as calls they cost ~150
    // instructions per request (bench/ab_bench.py, callgrind).
    enum class empty_lines : std::uint8_t { done, wait, again };
    struct head_read {
        exchange* ex = nullptr;     // the parsed request, or null: wait, or an error was answered
        std::size_t head_len = 0;
        bool again = false;         // the head moved to an assembly: look again
    };
    inline bool gather_head(connection& c);
    inline empty_lines skip_empty_lines(connection& c, std::string_view& view);
    inline void note_request_begins(connection& c);
    inline head_read read_head(connection& c, std::string_view view, bool in_assembly);
    inline void start_request(connection& c, exchange& ex, std::size_t head_len, bool in_assembly);
    bool move_to_assembly(connection& c, std::string_view view);
    void resume(connection& c);
    void end_exchange(connection& c);
    void send_error(connection& c, int status, const char* reason);
    exchange* acquire_exchange();
    void release_exchange(exchange* ex) noexcept;
};

}  // namespace ringhttp::engine
