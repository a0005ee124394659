// The exchange as the request body's reader: Content-Length and chunked
// bodies read from the connection's receive queue, 100-continue sent on the
// first read, and what a handler left unread drained after it.
#include <algorithm>
#include <cstring>
#include <span>

#include "engine/server/exchange.hpp"
#include "engine/server/stream_impl.hpp"

namespace ringhttp::engine {

void exchange::maybe_send_continue() {
    if (!info.expect_continue || continue_sent_ || continue_disabled_ || !writable()) return;
    // RFC 9110 §10.1.1: the client waits for this before sending the body;
    // sent lazily, on the handler's first read, as Go does.
    continue_sent_ = true;
    stream_.append("HTTP/1.1 100 Continue\r\n\r\n");
    stream_.push();
}

io_result exchange::read(std::span<char> buf) {
    if (buf.empty()) return {0, {}};
    return read_or_skip(buf.data(), buf.size(), true);
}

io_result exchange::read_or_skip(char* dst, std::size_t max, bool send_continue) {
    if (body_done_) return {0, errc::eof};
    if (body_error_) return {0, body_error_};
    if (send_continue) maybe_send_continue();
    for (;;) {
        if (stream_.read_timed_out()) {
            body_error_ = errc::timeout;
            return {0, body_error_};
        }
        std::string_view v = stream_.input();
        if (v.empty()) {
            if (stream_.input_ended()) {
                body_error_ = errc::unexpected_eof;
                return {0, body_error_};
            }
            stream_.want_input();
            wait(wait_kind::body);
            continue;
        }
        if (info.framing == body_framing::length) {
            std::size_t n = std::min<std::size_t>({v.size(), max, static_cast<std::size_t>(body_left_)});
            if (dst != nullptr) std::memcpy(dst, v.data(), n);
            stream_.consume(n);
            body_left_ -= static_cast<std::int64_t>(n);
            if (body_left_ == 0) body_done_ = true;
            return {n, {}};
        }
        chunked_decoder::result r = chunked_.decode(v, max);
        // Copy before consume: consuming may hand the buffer back to the kernel.
        if (r.state == chunked_decoder::status::data && dst != nullptr) std::memcpy(dst, r.data.data(), r.data.size());
        stream_.consume(r.consumed);
        switch (r.state) {
            case chunked_decoder::status::data: return {r.data.size(), {}};
            case chunked_decoder::status::done: body_done_ = true; return {0, errc::eof};
            case chunked_decoder::status::error:
                // The rest of the stream cannot be framed: never read another request from it.
                body_error_ = errc::bad_chunked_encoding;
                close_after_ = true;
                return {0, body_error_};
            case chunked_decoder::status::need_more: break;
        }
    }
}

exchange::drain_result exchange::drain_body(std::size_t limit) {
    std::size_t total = 0;
    while (!body_done_) {
        if (total > limit) return drain_result::too_big;
        io_result r = read_or_skip(nullptr, limit + 1 - total, false);
        if (r.ec == errc::eof) break;
        if (r.ec) return drain_result::failed;
        total += r.n;
    }
    return total > limit ? drain_result::too_big : drain_result::complete;
}

}  // namespace ringhttp::engine
