// ringhttp: per-request control of a response (Go's ResponseController).
#pragma once

#include <chrono>
#include <string>
#include <system_error>

#include <ringhttp/errc.hpp>
#include <ringhttp/response_writer.hpp>

namespace ringhttp {

/// hijacked_connection is what hijack() hands over: the socket, now the
/// caller's to use and close, and the bytes the server had already read from
/// it past the request's head.
struct hijacked_connection {
    int fd = -1;
    std::string buffered{};
};

/// writer_control is implemented by the server's response writer. Use it
/// through response_controller; the calls have the writer's lifetime and
/// thread rules.
class writer_control {
public:
    virtual std::error_code set_read_deadline(std::chrono::steady_clock::time_point t) = 0;
    virtual std::error_code set_write_deadline(std::chrono::steady_clock::time_point t) = 0;
    virtual std::error_code enable_full_duplex() = 0;
    virtual std::error_code hijack(hijacked_connection& out) = 0;
    /// close_after_response asks for the connection to close once this
    /// response is sent (max_bytes_reader uses it when the limit is hit).
    virtual void close_after_response() = 0;

protected:
    ~writer_control() = default;
};

/// response_controller controls a response beyond writing it, Go's
/// ResponseController. Each call returns errc::not_supported when the writer
/// (a test recorder, say) cannot do it. Borrowed like the writer: valid
/// until serve_http returns.
class response_controller {
public:
    explicit response_controller(response_writer& w) noexcept : w_(w) {}

    /// flush sends what is buffered now.
    std::error_code flush() { return w_.flush(); }
    /// set_read_deadline bounds reading the rest of the request body; a
    /// default-constructed time_point means none. Past it, reads fail with
    /// errc::timeout.
    std::error_code set_read_deadline(std::chrono::steady_clock::time_point t) {
        writer_control* c = w_.control();
        return c != nullptr ? c->set_read_deadline(t) : errc::not_supported;
    }
    /// set_write_deadline bounds writing the response; past it, writes fail
    /// with errc::timeout and the connection closes.
    std::error_code set_write_deadline(std::chrono::steady_clock::time_point t) {
        writer_control* c = w_.control();
        return c != nullptr ? c->set_write_deadline(t) : errc::not_supported;
    }
    /// enable_full_duplex lets the handler keep reading the request body after
    /// it has started writing the response (by default an unread body is read
    /// and dropped when the response head goes out, as in Go).
    std::error_code enable_full_duplex() {
        writer_control* c = w_.control();
        return c != nullptr ? c->enable_full_duplex() : errc::not_supported;
    }
    /// hijack takes the connection away from the server (for protocol
    /// upgrades): queued output is sent first, then the socket and any bytes
    /// already read are handed over; the server neither writes to nor closes
    /// it again, and later writes fail with errc::hijacked.
    std::error_code hijack(hijacked_connection& out) {
        writer_control* c = w_.control();
        return c != nullptr ? c->hijack(out) : errc::not_supported;
    }

private:
    response_writer& w_;
};

}  // namespace ringhttp
