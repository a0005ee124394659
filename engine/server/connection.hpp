// ringhttp: the state of one accepted TCP connection on a ring.
#pragma once

#include <cstddef>
#include <cstdint>

#include "engine/ring/buffer_pool.hpp"
#include "engine/http1/http1_parser.hpp"
#include "engine/ring/output.hpp"

namespace ringhttp::engine {

class exchange;
class proxy_header_parser;
struct send_ctx;

/// assembly holds a request head that arrived split across receive buffers,
/// copied once into contiguous memory (and whatever followed it in the last
/// buffer copied). [off, len) is unread; data has cap + 1 bytes, the extra
/// one for the parser's sentinel.
struct assembly {
    std::uint32_t cap;
    std::uint32_t len;
    std::uint32_t off;
    char data[1];
};

/// connection is one accepted socket. Its receive queue is a list of the
/// pool's buffers, linked through the pool itself, optionally preceded by an
/// assembly; the request in flight keeps the buffer holding its head pinned.
/// An idle keep-alive connection holds no buffer and no exchange.
struct connection {
    enum class recv_state : std::uint8_t { off, armed, cancelling };
    enum class phase : std::uint8_t {
        open,       // reading requests
        draining,   // no more requests: finish the exchange and send what is queued
        lingering,  // write side shut; discarding input until EOF or the linger timer
        closing,    // waiting for the kernel to finish with the socket
        dead,       // freed at the end of the loop iteration
    };

    int fd = -1;
    std::uint32_t index = 0;
    std::uint32_t gen = 0;  // bumped when the slot is reused; stale completions are dropped

    // Receive queue.
    std::uint16_t rq_head = buffer_pool::none;
    std::uint16_t rq_tail = buffer_pool::none;
    std::uint16_t rq_count = 0;
    std::uint16_t pinned = buffer_pool::none;  // the buffer the current head lives in
    std::uint32_t rq_off = 0;                  // read offset in rq_head
    assembly* asm_ = nullptr;
    bool asm_pinned = false;
    head_scanner scanner;

    recv_state recv = recv_state::off;
    phase state = phase::open;
    bool send_inflight = false;
    bool peer_eof = false;   // the client half-closed or reset
    bool broken = false;     // a send failed: writes fail from now on
    bool dirty = false;      // on the worker's flush list
    bool starved = false;    // multishot recv ended with ENOBUFS
    bool abortive = false;   // close without sending what is queued
    bool paused = false;     // recv cancelled because the queue is full (backpressure)
    std::uint32_t discarded = 0;  // bytes thrown away while lingering

    out_chain out;
    std::uint32_t inflight_bytes = 0;
    send_ctx* sctx = nullptr;  // iovecs of a multi-buffer send in flight
    exchange* ex = nullptr;
    std::uint32_t next_dirty = 0;  // intrusive list of connections to flush

    // Deadlines, in timer_wheel ticks (0: none). read covers waiting for and
    // reading a request (header, body, idle time, lingering); write covers
    // writing its response.
    std::uint32_t read_deadline = 0;
    std::uint32_t write_deadline = 0;
    std::uint32_t timer_due = 0;      // the tick of this connection's live wheel entry, 0: none
    std::uint32_t head_started = 0;   // tick the current request's first byte came (or accept)
    bool awaiting_request = false;    // idle after a response: the next byte starts a head
    bool read_timed_out = false;
    bool write_timed_out = false;  // also: close with a reset, dropping unsent bytes
    bool send_cancelled = false;   // a cancel for the send in flight was submitted
    bool hijacked = false;         // the socket belongs to a handler now: never touch or close it
    bool receive_stopped = false;  // recv is not to be armed again (a hijack is under way)
    std::uint32_t requests = 0;
    std::uint64_t id = 0;          // unique within the server, for conn_state
    bool active = false;           // conn_state: active (a request is being read or served)
    std::uint8_t crlf_budget = 0;  // stray CR/LF bytes tolerated before the next request
    std::uint8_t remote_len = 0;
    char remote[55];  // the peer as "ip:port" or "[ip6]:port", request::remote_addr()
    // PROXY protocol (server_options::proxy_protocol): the header must come
    // before the first request; once read, remote holds the client it names.
    // The parser is lent by the worker while the header is awaited, so a
    // connection slot pays a pointer for it, not the parser's state.
    proxy_header_parser* proxy = nullptr;
};

}  // namespace ringhttp::engine
