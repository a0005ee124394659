// ringhttp: the HTTP/1.1 server (Go's http.Server) on io_uring.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <system_error>

#include <ringhttp/handler.hpp>

namespace ringhttp {

/// default_max_header_bytes is max_header_bytes' default, 64 KiB. Go's
/// DefaultMaxHeaderBytes is 1 MiB, which lets one request line or field line
/// be ~1 MB long; 64 KiB is above Envoy's 60 KiB head limit and eight times
/// nginx's largest default line (docs/DIFFERENTIAL.md).
inline constexpr std::size_t default_max_header_bytes = std::size_t{64} << 10;

/// conn_state is a connection's state as the server's conn_state hook sees
/// it (Go's ConnState): new_ when accepted, active once a request's first
/// byte is read, idle between requests on a keep-alive connection, hijacked
/// once a handler took the socket, closed at the end (not after hijacked).
enum class conn_state { new_, active, idle, hijacked, closed };

/// conn_state_name returns Go's name of a state ("new", "active", ...).
std::string_view conn_state_name(conn_state s) noexcept;

/// connection_info identifies a connection to the conn_state hook: an id
/// unique within the server's life and the peer as "ip:port". The view is
/// valid during the call only.
struct connection_info {
    std::uint64_t id = 0;
    std::string_view remote_addr{};
};

/// server_options carries Go's http.Server fields. A zero duration means no
/// limit, as in Go; unlike Go, the header and idle timeouts have safe
/// defaults (10 s and 120 s), because a server on the network edge must not
/// let a client hold a connection for nothing.
struct server_options {
    /// addr is "host:port" to listen on; ":8080" listens on every address,
    /// port 0 picks a free port (see server::port()). Empty means ":http".
    std::string addr{};
    /// handler serves every request; null means default_serve_mux().
    handler_ptr handler{};
    /// read_timeout bounds reading a whole request, body included, from its
    /// first byte. A body read past it fails with errc::timeout.
    std::chrono::nanoseconds read_timeout{0};
    /// read_header_timeout bounds reading a request's head, from its first
    /// byte (from accept for a connection's first request); 0 uses
    /// read_timeout. Past it, a client that sent part of a head gets 408, one
    /// that sent nothing is closed silently.
    std::chrono::nanoseconds read_header_timeout{std::chrono::seconds(10)};
    /// write_timeout bounds writing a response, from the end of its request's
    /// head: past it writes fail with errc::timeout and the connection closes.
    std::chrono::nanoseconds write_timeout{0};
    /// idle_timeout bounds waiting for the next request on a keep-alive
    /// connection; 0 uses read_timeout.
    std::chrono::nanoseconds idle_timeout{std::chrono::seconds(120)};
    /// max_header_bytes bounds a request's whole head (request line and
    /// header fields, line ends included); past it the server answers 431
    /// (414 when the request line alone is longer). 0 means the default, as
    /// in Go.
    std::size_t max_header_bytes = default_max_header_bytes;
    /// max_header_fields bounds the number of header field lines in a
    /// request; past it the server answers 431. Go has no such limit; this
    /// one is Envoy's default. A proxy in front adds fields of its own
    /// (X-Forwarded-For, X-Request-ID): leave it room (docs/DEPLOYMENT.md).
    std::size_t max_header_fields = 100;
    /// error_log receives one line per connection-level error (a handler
    /// exception, an accept failure), Go's ErrorLog. Null writes to stderr.
    /// Called from ring threads, concurrently: it must be thread-safe.
    std::function<void(std::string_view line)> error_log{};
    /// conn_state, if set, is called each time a connection changes state
    /// (Go's ConnState). It runs on the connection's ring thread, in the middle
    /// of serving: it must be quick and thread-safe.
    std::function<void(const connection_info&, ringhttp::conn_state)> conn_state{};
    /// threads is the number of ring threads, each with its own io_uring and
    /// SO_REUSEPORT listener. 0 means one per CPU the process may use: the
    /// CPUs of its affinity mask (taskset, cpusets), at most its cgroup's CPU
    /// limit rounded up (cpu.max, or cpu.cfs_quota_us on cgroup v1), as Go
    /// 1.25 sizes GOMAXPROCS (without its floor of 2: a ring is a thread
    /// that wants a whole CPU; and the limits of parent cgroups count too).
    /// The constructor resolves it: options().threads is the count in use.
    unsigned threads = 0;
    /// reuse_port lets other processes of the same user listen on the same
    /// address (SO_REUSEPORT) and share its connections, as a process that
    /// takes over from an older one needs. Off, listen() fails with "address
    /// already in use" when anything listens there already, as in Go. The
    /// server's own rings always share its address: with one ring it is then
    /// this server's alone; with several, a process that itself sets
    /// SO_REUSEPORT (reuse_port on) can still join them later.
    bool reuse_port = false;
    /// pin_threads pins ring thread i to the i-th CPU the process may run on.
    bool pin_threads = false;
    /// handler_stack_size is the stack size of the fiber each in-flight
    /// request's handler runs on (touched pages only are resident).
    std::size_t handler_stack_size = 256 * 1024;
    /// recv_buffer_size is the size of each receive buffer the kernel fills
    /// (multishot recv into a provided-buffer ring).
    std::uint32_t recv_buffer_size = 16 * 1024;
    /// recv_buffers is how many receive buffers a ring starts with; it adds as
    /// many again whenever the kernel runs out, up to recv_buffers_max (a
    /// power of two, at most 32768).
    std::uint32_t recv_buffers = 256;
    std::uint32_t recv_buffers_max = 4096;
    /// proxy_protocol makes every connection start with a PROXY protocol
    /// header (HAProxy's proxy-protocol.txt, version 1 or 2), as a load
    /// balancer configured for it sends: request::remote_addr() and the
    /// conn_state hook (after the new state) then report the client the
    /// header names. A connection whose header is missing, malformed or late
    /// (read_header_timeout, from accept) is closed without a response. Only
    /// enable it behind a proxy that always sends the header: anyone who can
    /// connect directly can claim any address.
    bool proxy_protocol = false;
    /// stall_threshold: a ring thread that has not come back to its loop
    /// for longer (a handler called a blocking function, or computes for
    /// long) is reported once per stall on error_log, with the request its
    /// handler serves and the thread's backtrace (taken with SIGURG). 0
    /// turns the detector off. See docs/WAITING.md.
    std::chrono::nanoseconds stall_threshold{std::chrono::milliseconds(100)};
};

/// server is an HTTP/1.1 server, Go's http.Server. Construct it with
/// options, then call listen_and_serve() (or listen() then serve()) on the
/// thread that should run ring 0; close() may be called from any thread.
/// The options may not change once listen() has been called.
class server {
public:
    explicit server(server_options options);
    ~server();
    server(const server&) = delete;
    server& operator=(const server&) = delete;

    /// listen binds and listens on options().addr, one SO_REUSEPORT socket
    /// per ring thread. Afterwards port() is the bound port.
    std::error_code listen();
    /// serve runs the ring threads until close() or shutdown(); the calling
    /// thread runs ring 0. Returns errc::server_closed after close() or
    /// shutdown(), another error if serving could not start. Calls listen()
    /// first if it has not been called.
    std::error_code serve();
    /// listen_and_serve is listen() then serve().
    std::error_code listen_and_serve();
    /// close stops the server now: listeners and every connection are closed,
    /// in-flight handlers see their reads and writes fail. Thread-safe;
    /// returns without waiting for serve() to return.
    void close();
    /// shutdown stops the server gracefully (Go's Shutdown): it runs the
    /// register_on_shutdown functions, closes the listeners, closes idle
    /// connections, and lets requests in flight finish, their responses
    /// carrying "Connection: close". It returns {} once every connection is
    /// done (serve() then returns errc::server_closed), or errc::timeout when
    /// the deadline passes first; the remaining connections then go on until
    /// they finish or close() is called. Thread-safe.
    std::error_code shutdown(std::chrono::steady_clock::time_point deadline);
    /// shutdown with a timeout from now.
    std::error_code shutdown(std::chrono::nanoseconds timeout) {
        return shutdown(std::chrono::steady_clock::now() + timeout);
    }
    /// register_on_shutdown registers f to be called, on a thread of its own,
    /// when shutdown() begins (Go's RegisterOnShutdown).
    void register_on_shutdown(std::function<void()> f);

    /// port is the bound TCP port, valid after listen().
    std::uint16_t port() const noexcept;
    const server_options& options() const noexcept;

private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

/// listen_and_serve serves handler (null: default_serve_mux()) on addr with
/// default options, Go's ListenAndServe. Returns only on error.
std::error_code listen_and_serve(std::string_view addr, handler_ptr handler = nullptr);

}  // namespace ringhttp
