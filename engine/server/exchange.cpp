// The exchange's life: its fiber, one request served on it (Go's rules for a
// handler that throws or hijacks), reset for the next, and the controls a
// handler reaches through response_controller.
#include <cerrno>
#include <chrono>
#include <exception>
#include <string>

#include <ringhttp/status.hpp>

#include "engine/http/request_access.hpp"
#include "engine/server/exchange.hpp"
#include "engine/server/stream_impl.hpp"

namespace ringhttp::engine {

exchange::exchange(worker& owner, std::size_t stack_size)
    : owner_(owner), fiber_(stack_size, [this](fiber&) { run(); }) {}

void exchange::run() {
    for (;;) {
        serve_one();
        finished_ = true;
        fiber_.yield();
    }
}

void exchange::reset() noexcept {
    detail::request_access::reset(req);
    // info is left as it is: every parse sets all of it first. (Assigning a
    // fresh head_info here compiled to a copy through the stack whose wide
    // load waited on narrow stores, a stall perf showed on every request.)
    stream_.unbind();
    waiting_ = wait_kind::none;
    header_.clear();
    frozen_.clear();
    frozen_valid_ = false;
    status_ = 0;
    wrote_header_ = committed_ = chunking_ = close_after_ = handler_done_ = is_head_ = trailers_ = false;
    full_duplex_ = hijacked_ = false;
    if (stop_.stop_requested()) stop_ = std::stop_source();  // a used one cannot be reset
    continue_sent_ = continue_disabled_ = false;
    declared_length_ = -1;
    written_ = 0;
    stage_len_ = 0;
    body_left_ = 0;
    body_done_ = false;
    body_error_.clear();
    chunked_.reset();
}

int exchange::read_file(int fd, char* buf, std::uint32_t n, std::uint64_t offset) {
    // The client is gone (an abortive close): a new read could outlive the
    // cancel that close issued, and its bytes have nowhere to go.
    if (stop_.stop_requested()) return -ECANCELED;
    stream_.read_file(fd, buf, n, offset);
    wait(wait_kind::file);
    return file_res_;
}

bool exchange::sleep_until(std::uint64_t ns) {
    if (stop_.stop_requested()) return false;
    ++sleep_seq_;
    owner_.add_sleeper(*this, ns);
    wait(wait_kind::sleep);
    return !stop_.stop_requested();
}

void exchange::wait(wait_kind k) {
    waiting_ = k;
    fiber_.yield();
    waiting_ = wait_kind::none;
}

std::error_code exchange::write_error() const noexcept {
    if (hijacked_) return errc::hijacked;
    return stream_.write_error();
}

void exchange::serve_one() {
    bool aborted = false;
    try {
        if (info.expect_unsupported) {
            // RFC 9110 §10.1.1: an expectation we cannot meet gets 417 (Go closes too).
            header_.set("Connection", "close");
            write_header(status_expectation_failed);
        } else if (info.asterisk) {
            // A server-wide OPTIONS * (Go's globalOptionsHandler).
            header_.set("Content-Length", "0");
            if (req.content_length() != 0 && drain_body(4096) != drain_result::complete) close_after_ = true;
        } else {
            stream_.handler().serve_http(*this, req);
        }
    } catch (...) {
        rethrow_if_forced_unwind();
        aborted = true;
        try {
            throw;
        } catch (const abort_handler&) {
        } catch (const std::exception& e) {
            stream_.log("http: panic serving " + std::string(req.remote_addr()) + ": " + e.what());
        } catch (...) {
            stream_.log("http: panic serving " + std::string(req.remote_addr()) + ": unknown exception");
        }
    }
    detail::request_access::end_handler(req);
    if (hijacked_) return;  // the socket is the handler's: no response, no drain
    if (aborted) {
        // Go's rule: no response if nothing went out yet, and the connection
        // closes. Earlier pipelined responses already queued still go out.
        stage_len_ = 0;
        close_after_ = true;
        return;
    }
    try {
        finish_response();
    } catch (...) {
        rethrow_if_forced_unwind();
        close_after_ = true;
    }
}

std::error_code exchange::set_read_deadline(std::chrono::steady_clock::time_point t) {
    if (hijacked_) return errc::hijacked;
    stream_.clear_read_timeout();
    stream_.set_deadline(false, t);
    return {};
}

std::error_code exchange::set_write_deadline(std::chrono::steady_clock::time_point t) {
    if (!writable()) return write_error();
    stream_.set_deadline(true, t);
    return {};
}

std::error_code exchange::enable_full_duplex() {
    full_duplex_ = true;
    return {};
}

void exchange::close_after_response() {
    // Go's requestTooLarge: the rest of the body will not be read, so the
    // connection cannot carry another request.
    close_after_ = true;
    if (!wrote_header_) header_.set("Connection", "close");
}

std::error_code exchange::hijack(hijacked_connection& out) {
    if (!writable()) return write_error();
    // What is queued (earlier pipelined responses, a flushed head) goes first.
    stream_.push();
    while (!stream_.output_idle() && writable()) wait(wait_kind::send);
    if (!writable()) return write_error();
    // Stop receiving; what was read already goes to the new owner.
    stream_.stop_receiving();
    while (stream_.receiving()) wait(wait_kind::receive_stopped);
    out.buffered.clear();
    for (std::string_view v = stream_.input(); !v.empty(); v = stream_.input()) {
        out.buffered.append(v);
        stream_.consume(v.size());
    }
    hijacked_ = true;
    body_done_ = true;
    close_after_ = true;
    stage_len_ = 0;
    out.fd = stream_.take_socket();
    return {};
}

}  // namespace ringhttp::engine
