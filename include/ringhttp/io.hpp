// ringhttp: the request body reader.
#pragma once

#include <span>
#include <string>
#include <system_error>

#include <ringhttp/errc.hpp>

namespace ringhttp {

/// body_reader is a request's body, Go's Request.Body: a stream that read()
/// drains as the bytes arrive. On the server a read that must wait for the
/// network suspends only the calling handler, never the ring thread. The
/// reader belongs to its request and is valid while the handler runs.
/// Not thread-safe: read from the handler's own fiber or thread.
class body_reader {
public:
    /// read copies up to buf.size() bytes of the body into buf. It returns
    /// {n, {}} with n > 0 while bytes remain, then {0, errc::eof} at the end
    /// (never bytes and an error together), or {0, error} when the body
    /// cannot be read (errc::unexpected_eof, errc::bad_chunked_encoding, ...).
    /// An empty buf returns {0, {}}.
    virtual io_result read(std::span<char> buf) = 0;

    /// read_all appends the rest of the body to out; returns the error that
    /// stopped it, or an empty error_code at the end of the body (io.ReadAll).
    std::error_code read_all(std::string& out);

protected:
    ~body_reader() = default;
};

}  // namespace ringhttp
