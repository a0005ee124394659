// ringhttp: one request/response exchange, run on its own fiber.
#pragma once

#include <cstddef>
#include <chrono>
#include <cstdint>
#include <stop_token>
#include <span>
#include <string>
#include <string_view>
#include <system_error>

#include <ringhttp/header.hpp>
#include <ringhttp/io.hpp>
#include <ringhttp/request.hpp>
#include <ringhttp/response_controller.hpp>
#include <ringhttp/response_writer.hpp>

#include "engine/http1/chunked_decoder.hpp"
#include "engine/ring/fiber.hpp"
#include "engine/http1/http1_parser.hpp"
#include "engine/http/request_access.hpp"
#include "engine/server/stream.hpp"

namespace ringhttp::engine {

class worker;

/// exchange is the server side of one request: the request the handler
/// reads, its body reader and the response writer, with Go's framing rules.
/// It owns a fiber on which the handler runs; reads and writes that must wait
/// for the network suspend that fiber. It reaches its connection through its
/// stream (engine/server/stream.hpp) only. Exchanges are pooled per ring and
/// reused request after request, so a warm exchange allocates nothing.
class exchange final : public response_writer, public body_reader, public writer_control {
public:
    /// What a suspended handler waits for. A wait for the blocking pool is
    /// never cut short: the job may still be using the handler's stack; nor
    /// is a parked one (a lock, a condition: include/ringhttp/sync.hpp),
    /// which some other fiber or thread wakes. A sleep ends early when the
    /// request's stop_token fires.
    enum class wait_kind : std::uint8_t { none, body, send, receive_stopped, blocking, file, parked, sleep };

    exchange(worker& owner, std::size_t stack_size);
    exchange(const exchange&) = delete;
    exchange& operator=(const exchange&) = delete;

    /// The request being served; filled by the parser before start().
    request req;
    head_info info;

    /// start runs the handler for req on c until it finishes or waits.
    void start(connection& c) {
        stream_.bind(owner_, c);
        finished_ = false;
        is_head_ = req.method() == "HEAD";
        body_left_ = info.framing == body_framing::length ? info.content_length : 0;
        body_done_ = info.framing == body_framing::none;
        detail::request_access::set_body(req, this);
        detail::request_access::set_stop_source(req, &stop_);
        resume();
    }
    /// resume continues a waiting exchange (its wait condition may have
    /// changed). Inline with start, for the reason fiber::resume is.
    void resume() {
        exchange* outer = running_;
        running_ = this;
        fiber_.resume();
        running_ = outer;
    }
    /// finished reports whether the handler and the response are done.
    bool finished() const noexcept { return finished_; }
    wait_kind waiting() const noexcept { return waiting_; }
    /// close_after reports whether the connection must close after this response.
    bool close_after() const noexcept { return close_after_; }
    /// conn is the connection it is served on (null between requests), for the server loop.
    connection* conn() const noexcept { return stream_.conn(); }
    /// reset prepares a finished exchange for the next request.
    void reset() noexcept;

    // response_writer
    ringhttp::header& header() override;
    void write_header(int code) override;
    io_result write(std::string_view data) override;
    std::error_code flush() override;

    writer_control* control() noexcept override { return this; }

    // body_reader
    io_result read(std::span<char> buf) override;

    // writer_control (Go's ResponseController)
    std::error_code set_read_deadline(std::chrono::steady_clock::time_point t) override;
    std::error_code set_write_deadline(std::chrono::steady_clock::time_point t) override;
    std::error_code enable_full_duplex() override;
    std::error_code hijack(hijacked_connection& out) override;
    void close_after_response() override;

    /// current returns the exchange whose handler is running on this thread, or null.
    static exchange* current() noexcept { return running_; }
    /// cancel signals the request's stop_token: the client is gone.
    void cancel() noexcept { stop_.request_stop(); }
    /// wait_blocking suspends the handler until the worker's ready() (run_blocking).
    void wait_blocking() { wait(wait_kind::blocking); }
    /// park suspends the handler until the worker's ready() (sync.hpp's unpark).
    void park() { wait(wait_kind::parked); }
    /// sleep_until suspends the handler until the ring's clock reads ns;
    /// false when the request's stop_token fired first.
    bool sleep_until(std::uint64_t ns);
    /// sleep_seq tells this exchange's current sleep from its earlier ones.
    std::uint64_t sleep_seq() const noexcept { return sleep_seq_; }
    bool stop_requested() const noexcept { return stop_.stop_requested(); }
    bool hijacked() const noexcept { return hijacked_; }
    worker& owner() noexcept { return owner_; }
    /// read_file reads up to n bytes of fd at offset through the ring
    /// (IORING_OP_READ) and suspends the handler until the read completes,
    /// so a slow disk stalls only this request. It returns the byte count or
    /// -errno. The wait ends only with the read's completion, since the
    /// kernel writes into buf until then; an abortive close cancels the read
    /// (-ECANCELED) rather than resuming the handler early.
    int read_file(int fd, char* buf, std::uint32_t n, std::uint64_t offset);
    /// file_done records the result of the read that read_file waits for.
    void file_done(int res) noexcept { file_res_ = res; }

private:
    static constexpr std::size_t stage_capacity = 4096;
    static constexpr std::size_t max_post_handler_read = 256 * 1024;  // Go's maxPostHandlerReadBytes
    static constexpr std::string_view trailer_prefix = "Trailer:";   // Go's TrailerPrefix

    worker& owner_;
    stream stream_;  // all it may touch of its connection
    fiber fiber_;
    static inline thread_local exchange* running_ = nullptr;  // the exchange whose fiber runs now
    wait_kind waiting_ = wait_kind::none;
    bool finished_ = true;

    // Response state.
    ringhttp::header header_;
    ringhttp::header frozen_;  // what header() returns once the status is written
    int status_ = 0;
    bool wrote_header_ = false;  // the final status is decided
    bool committed_ = false;     // the head is in the connection's output
    bool chunking_ = false;
    bool close_after_ = false;
    bool handler_done_ = false;
    bool is_head_ = false;
    bool frozen_valid_ = false;
    bool trailers_ = false;  // the response declares trailers: chunked, sent after the body
    bool full_duplex_ = false;
    bool hijacked_ = false;
    std::stop_source stop_;
    bool continue_sent_ = false;
    bool continue_disabled_ = false;
    int file_res_ = 0;  // the result of the last read_file
    std::uint64_t sleep_seq_ = 0;
    std::int64_t declared_length_ = -1;
    std::int64_t written_ = 0;
    std::size_t stage_len_ = 0;

    // Body state.
    std::int64_t body_left_ = 0;
    bool body_done_ = false;
    std::error_code body_error_;
    chunked_decoder chunked_;

    std::string head_scratch_;  // the serialized head; keeps its capacity
    char stage_[stage_capacity];

    enum class [[nodiscard]] drain_result : std::uint8_t { complete, too_big, failed };

    void run();
    void serve_one();
    void wait(wait_kind k);
    void finish_response();
    void commit(std::string_view first_data);
    void append_body(std::string_view data);
    void flush_stage();
    void emit_chunk(std::string_view data);
    void write_last_chunk();
    void write_informational(int code);
    void maybe_send_continue();
    drain_result drain_body(std::size_t limit);
    /// writable reports whether the response can still be written; write_error
    /// says why not.
    bool writable() const noexcept { return !hijacked_ && stream_.writable(); }
    [[nodiscard]] std::error_code write_error() const noexcept;
    void apply_backpressure();
    io_result read_or_skip(char* dst, std::size_t max, bool send_continue);
};

}  // namespace ringhttp::engine
