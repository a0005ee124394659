// ringhttp: error codes shared by the server, bodies and writers.
#pragma once

#include <cstddef>
#include <system_error>

namespace ringhttp {

/// errc lists ringhttp's own error conditions, Go's net/http sentinel errors
/// in snake_case. Values live in ringhttp's std::error_category; system
/// errors (ECONNRESET, ...) keep std::system_category.
enum class errc {
    server_closed = 1,     ///< Go's ErrServerClosed: serve() returns it after shutdown() or close().
    eof,                   ///< io.EOF: the request body has no more bytes.
    unexpected_eof,        ///< io.ErrUnexpectedEOF: the client closed before the body ended.
    bad_chunked_encoding,  ///< the chunked body is malformed; the connection will close.
    body_not_allowed,      ///< Go's ErrBodyNotAllowed: write() on a HEAD-less status that has no body.
    content_length,        ///< Go's ErrContentLength: wrote more than the declared Content-Length.
    connection_closed,     ///< the peer went away or a send failed; later writes fail fast.
    body_too_large,        ///< a max_bytes_reader limit was hit.
    handler_aborted,       ///< the handler threw; used in error_log lines.
    timeout,               ///< a read or write deadline passed (Go's os.ErrDeadlineExceeded).
    not_supported,         ///< the writer cannot do that (Go's ErrNotSupported).
    hijacked,              ///< the connection was hijacked (Go's ErrHijacked).
    missing_port,          ///< listen: the address has no ":port" (Go: "missing port in address").
    unknown_port,          ///< listen: the port is neither a number nor a service name (Go: "unknown port").
    invalid_port,          ///< listen: the port number is past 65535 (Go: "invalid port").
    no_such_host,          ///< listen: the host does not resolve to an address (Go: "no such host").
    canceled,              ///< a wait ended early: the request's stop_token fired (Go's context.Canceled).
};

/// http_category returns the std::error_category of errc. Thread-safe.
const std::error_category& http_category() noexcept;

/// make_error_code lets `std::error_code ec = errc::eof;` work.
inline std::error_code make_error_code(errc e) noexcept {
    return {static_cast<int>(e), http_category()};
}

/// io_result is what a read or a write returns, as Go's (n int, err error):
/// n bytes were transferred, and ec is set when the operation stopped early
/// or the stream ended (errc::eof for a body that is complete).
struct io_result {
    std::size_t n = 0;
    std::error_code ec{};
};

/// abort_handler is Go's ErrAbortHandler as an exception type: a handler that
/// throws it ends its connection silently, without a log line.
struct abort_handler {};

}  // namespace ringhttp

template <>
struct std::is_error_code_enum<ringhttp::errc> : std::true_type {};
