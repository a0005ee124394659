// ringhttp: what an exchange may touch of the connection it is served on.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <system_error>

#include <ringhttp/errc.hpp>
#include <ringhttp/handler.hpp>

#include "engine/server/connection.hpp"

namespace ringhttp::engine {

class worker;

/// stream is an exchange's one door to the connection under it: the
/// request's bytes as they arrive (input), the response's bytes on their way
/// out (output), the connection's deadlines, and the ring's services the
/// handler may ask for. The exchange (body reader, response writer) calls
/// nothing else; the server loop does the rest.
///
/// For HTTP/1 a stream is the whole connection, one exchange at a time, and
/// its input and output are the transport's. For HTTP/2 it becomes one
/// stream of a session: input is the stream's DATA payload, output is
/// framed and held to the stream's flow-control window by the session, and
/// waiting for the window is waiting for output, behind these same calls.
///
/// The calls that need the worker are defined in stream_impl.hpp, which only
/// the exchange's own sources include; those that read the connection alone
/// are here.
class stream {
public:
    void bind(worker& w, connection& c) noexcept {
        w_ = &w;
        c_ = &c;
    }
    void unbind() noexcept { c_ = nullptr; }
    /// connection is for the server loop, which resumes exchanges by it.
    connection* conn() const noexcept { return c_; }

    // Input: the request body's bytes.
    std::string_view input() noexcept;        // the next unread bytes, may be empty
    void consume(std::size_t n) noexcept;     // n bytes of input() are read
    void want_input();                        // keep receiving: more is wanted
    /// input_ended reports that no more bytes will come (the client closed,
    /// or the connection broke or is being torn down).
    bool input_ended() const noexcept { return c_->peer_eof || c_->broken || c_->abortive; }
    bool read_timed_out() const noexcept { return c_->read_timed_out; }

    // Output: the response's bytes.
    void append(std::string_view bytes);
    char* reserve(std::size_t n);              // room for n contiguous bytes (n <= out_buf::capacity)
    void commit(std::size_t n) noexcept { c_->io.out.commit(n); }
    std::size_t unsent() const noexcept { return c_->io.out.bytes(); }
    /// output_idle reports that nothing is queued or in flight.
    bool output_idle() const noexcept { return c_->io.out.empty() && !c_->io.send_inflight; }
    void push() noexcept;                      // send what is queued, this loop iteration
    /// writable reports whether output can still go out; write_error says why not.
    bool writable() const noexcept { return !c_->write_timed_out && !c_->broken && !c_->abortive; }
    std::error_code write_error() const noexcept {
        if (c_->write_timed_out) return errc::timeout;
        if (c_->broken || c_->abortive) return errc::connection_closed;
        return {};
    }
    bool broken() const noexcept { return c_->broken; }

    // The connection.
    void set_deadline(bool write, std::chrono::steady_clock::time_point t);
    void clear_read_timeout() noexcept { c_->read_timed_out = false; }
    void stop_receiving();
    bool receiving() const noexcept { return c_->io.recv != transport::recv_state::off; }
    /// take_socket hands the socket to the handler (a hijack): the server
    /// never touches or closes it again.
    int take_socket();
    bool keep_alives() const noexcept;

    // The ring's services.
    const ringhttp::handler& handler() const noexcept;
    std::string_view date() const noexcept;
    /// plain_head is the cached head of an HTTP/1.1 200 with no handler fields.
    std::string_view plain_head(std::uint64_t length, std::string_view content_type) noexcept;
    void log(std::string_view line) const;
    /// read_file submits a read of fd through the ring; its completion
    /// resumes the exchange (file_done).
    void read_file(int fd, char* buf, std::uint32_t n, std::uint64_t offset);

private:
    worker* w_ = nullptr;
    connection* c_ = nullptr;
};

}  // namespace ringhttp::engine
