// ringhttp: the interface a handler writes its response through (Go's ResponseWriter).
#pragma once

#include <span>
#include <string_view>
#include <system_error>

#include <ringhttp/errc.hpp>
#include <ringhttp/header.hpp>

namespace ringhttp {

class writer_control;

/// response_writer is how a handler builds its response, Go's
/// ResponseWriter. The server's writer buffers the first 4 KB of the body:
/// a response that fits gets a Content-Length, a longer one goes out chunked
/// (HTTP/1.1) or close-delimited (HTTP/1.0). A write that meets a full send
/// window suspends the handler, never the ring thread. The writer is borrowed:
/// it may not be used after serve_http returns. Not thread-safe.
class response_writer {
public:
    /// header returns the response header map that write_header will send.
    /// Changing it after write_header (or the first write) has no effect,
    /// except for trailers. The reference is valid until serve_http returns.
    virtual ringhttp::header& header() = 0;

    /// write_header sends the status line and headers with status code.
    /// Only the first call counts, 1xx codes aside (they go out at once and
    /// may be followed by a final status). Without a call, the first write
    /// implies 200. code must be in [100, 999].
    virtual void write_header(int code) = 0;

    /// write appends data to the body. It returns data.size() or an error:
    /// errc::body_not_allowed for HEAD-less bodies (204, 304, 1xx),
    /// errc::content_length past a declared Content-Length,
    /// errc::connection_closed once the client has gone.
    virtual io_result write(std::string_view data) = 0;

    /// flush sends the buffered status, headers and body now (Go's Flusher).
    virtual std::error_code flush() = 0;

    /// control returns what the writer can do beyond writing (deadlines, full
    /// duplex, hijacking), or null; use it through response_controller. A
    /// writer that wraps another should return the inner one's (Go's Unwrap).
    virtual writer_control* control() noexcept { return nullptr; }

protected:
    ~response_writer() = default;
};

}  // namespace ringhttp
