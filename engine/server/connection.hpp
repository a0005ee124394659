// ringhttp: the state of one accepted TCP connection on a ring.
#pragma once

#include <cstddef>
#include <cstdint>

#include "engine/http1/http1_parser.hpp"
#include "engine/transport/transport.hpp"

namespace ringhttp::engine {

/// max_queued_buffers is how many receive buffers a busy connection may hold
/// before its recv pauses (TCP then pushes back on the client).
inline constexpr std::uint16_t max_queued_buffers = 4;

class exchange;
class proxy_header_parser;
class worker;

/// connection is one accepted socket: its bytes (the transport, whose
/// receive queue pins the buffer holding the current request's head), where
/// it is in its life, its HTTP/1 request state and its deadlines. An idle
/// keep-alive connection holds no buffer and no exchange.
struct connection {
    enum class phase : std::uint8_t {
        open,       // reading requests
        draining,   // no more requests: finish the exchange and send what is queued
        lingering,  // write side shut; discarding input until EOF or the linger timer
        closing,    // waiting for the kernel to finish with the socket
        dead,       // freed at the end of the loop iteration
    };

    transport io;  // the socket, its receive queue and its output
    std::uint32_t index = 0;
    std::uint32_t gen = 0;  // bumped when the slot is reused; stale completions are dropped
    head_scanner scanner;

    phase state = phase::open;
    bool peer_eof = false;   // the client half-closed or reset
    bool broken = false;     // a send failed: writes fail from now on
    bool dirty = false;      // on the worker's flush list
    bool starved = false;    // multishot recv ended with ENOBUFS
    bool abortive = false;   // close without sending what is queued
    bool paused = false;     // recv cancelled because the queue is full (backpressure)
    std::uint32_t discarded = 0;  // bytes thrown away while lingering

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
    bool hijacked = false;         // the socket belongs to a handler now: never touch or close it
    bool receive_stopped = false;  // recv is not to be armed again (a hijack is under way)
    std::uint32_t requests = 0;
    std::uint64_t id = 0;          // unique within the server, for conn_state
    bool active = false;           // conn_state: active (a request is being read or served)
    std::uint8_t crlf_budget = 0;  // stray CR/LF bytes tolerated before the next request
    std::uint8_t remote_len = 0;
    char remote[55];  // the peer as "ip:port" or "[ip6]:port", request::remote_addr()
    // Its life on the loop w of its ring (connection.cpp).
    /// open starts serving the socket fd: the protocol's start, the header
    /// timeout, the first recv.
    void open(worker& w, int fd);
    /// begin_close starts closing: a graceful close (abrupt false) finishes
    /// the exchange and sends what is queued, then half-closes and lingers;
    /// an abrupt one drops what is queued and wakes the exchange's waiters.
    void begin_close(worker& w, bool abrupt);
    /// advance_close moves a closing connection along as its sends and
    /// receives end; the last step closes the socket and retires the slot.
    void advance_close(worker& w);

    // PROXY protocol (server_options::proxy_protocol): the header must come
    // before the first request; once read, remote holds the client it names.
    // The parser is lent by the worker while the header is awaited, so a
    // connection slot pays a pointer for it, not the parser's state.
    proxy_header_parser* proxy = nullptr;
};

}  // namespace ringhttp::engine
