// ringhttp: composing handlers (Go's func(http.Handler) http.Handler idiom),
// Go's MaxBytesHandler, and a writer wrapper that sees the status and size.
#pragma once

#include <cstdint>
#include <functional>
#include <initializer_list>

#include <ringhttp/handler.hpp>
#include <ringhttp/response_controller.hpp>

namespace ringhttp {

/// middleware wraps a handler into another, Go's func(http.Handler)
/// http.Handler. It is called once, when the chain is built; the handler it
/// returns is called concurrently from every ring thread.
using middleware = std::function<handler_ptr(handler_ptr)>;

/// chain wraps h in each middleware of m, the first listed outermost: a
/// request passes m[0], m[1], ... then h, as `m0(m1(m2(h)))` in Go. Empty
/// middleware functions are skipped.
handler_ptr chain(handler_ptr h, std::initializer_list<middleware> m);

/// max_bytes_handler returns a handler that limits each request body to n
/// bytes and calls h (Go's MaxBytesHandler): a read past the limit fails with
/// errc::body_too_large and the connection closes after the response.
handler_ptr max_bytes_handler(handler_ptr h, std::int64_t n);

/// counting_writer wraps a response_writer to record the final status and
/// the body bytes the handler wrote, for access logs and metrics. Headers,
/// flush and control() (deadlines, full duplex, hijack) go to the wrapped
/// writer, so response_controller keeps working through it. Borrowed like
/// the writer it wraps; not thread-safe.
class counting_writer final : public response_writer {
public:
    explicit counting_writer(response_writer& inner) noexcept : inner_(inner) {}

    ringhttp::header& header() override { return inner_.header(); }
    void write_header(int code) override {
        // 1xx responses are informational: the final status comes later.
        if (status_ == 0 && (code < 100 || code >= 200)) status_ = code;
        inner_.write_header(code);
    }
    io_result write(std::string_view data) override {
        if (status_ == 0) status_ = 200;
        io_result r = inner_.write(data);
        bytes_ += static_cast<std::int64_t>(r.n);
        return r;
    }
    std::error_code flush() override {
        if (status_ == 0) status_ = 200;  // flushing commits the implicit 200
        return inner_.flush();
    }
    writer_control* control() noexcept override { return inner_.control(); }

    /// status is the final status written, 200 if the handler wrote none
    /// (what the server then sends).
    int status() const noexcept { return status_ == 0 ? 200 : status_; }
    /// bytes_written is the number of body bytes the handler wrote.
    std::int64_t bytes_written() const noexcept { return bytes_; }
    /// wrote_header reports whether a status was written (or implied by a write).
    bool wrote_header() const noexcept { return status_ != 0; }

private:
    response_writer& inner_;
    int status_ = 0;
    std::int64_t bytes_ = 0;
};

}  // namespace ringhttp
