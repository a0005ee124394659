// The exchange as the response writer: status and header, the 4 KB staging
// buffer, the head committed with its framing (response_framing decides it),
// chunks and trailers, and the backpressure of a slow client.
#include <charconv>
#include <cstring>
#include <stdexcept>
#include <string>

#include <ringhttp/status.hpp>

#include "engine/base/chars.hpp"
#include "engine/http/sniff.hpp"
#include "engine/http1/response_framing.hpp"
#include "engine/http1/response_head.hpp"
#include "engine/server/exchange.hpp"
#include "engine/server/stream_impl.hpp"

namespace ringhttp::engine {

namespace {

// Past this much unsent output a writing handler waits for the socket.
constexpr std::size_t send_high_water = 64 * 1024;

bool body_allowed(int code) noexcept { return body_allowed_for_status(code); }

// Appends a header's field lines as Go's Header.Write does: invalid names are
// skipped, values trimmed and any CR or LF in them turned into a space so a
// handler cannot inject fields.
void append_fields(std::string& out, const ringhttp::header& h, bool skip_framing) {
    for (const header_field& f : h) {
        if (!chars::is_token(f.name)) continue;
        if (skip_framing && (f.name == "Content-Length" || f.name == "Transfer-Encoding")) continue;
        out.append(f.name);
        out.append(": ");
        std::size_t at = out.size();
        out.append(chars::trim_ows(f.value));
        for (std::size_t i = at; i < out.size(); ++i)
            if (out[i] == '\r' || out[i] == '\n' || out[i] == '\0') out[i] = ' ';
        out.append("\r\n");
    }
}

}  // namespace

ringhttp::header& exchange::header() {
    if (!wrote_header_) return header_;
    // After the status is written the sent header is fixed: later changes go
    // to a copy, as with Go's cloned header map.
    if (!frozen_valid_) {
        frozen_ = header_;
        frozen_valid_ = true;
    }
    return frozen_;
}

void exchange::write_header(int code) {
    if (hijacked_) {
        stream_.log("http: response.WriteHeader on hijacked connection");
        return;
    }
    if (wrote_header_) {
        stream_.log("http: superfluous response.WriteHeader call");
        return;
    }
    if (code < 100 || code > 999) throw std::invalid_argument("invalid WriteHeader code " + std::to_string(code));
    if (code < 101 || code > 199) continue_disabled_ = true;
    if (code >= 100 && code <= 199 && code != status_switching_protocols) {
        write_informational(code);
        return;
    }
    wrote_header_ = true;
    status_ = code;
    if (std::string_view cl = header_.empty() ? std::string_view{} : header_.get("Content-Length"); !cl.empty()) {
        std::int64_t v = parse_content_length(cl);
        if (v >= 0) {
            declared_length_ = v;
        } else {
            stream_.log("http: invalid Content-Length of \"" + std::string(cl) + "\"");
            header_.del("Content-Length");
        }
    }
}

void exchange::write_informational(int code) {
    if (!writable()) return;
    std::string head;
    append_status_line(head, req.proto_at_least(1, 1), code);
    append_fields(head, header_, true);
    head.append("\r\n");
    stream_.append(head);
    // Go flushes an informational response at once (Early Hints are useless late).
    stream_.push();
    while (stream_.unsent() != 0 && writable()) wait(wait_kind::send);
}

io_result exchange::write(std::string_view data) {
    continue_disabled_ = true;
    if (!wrote_header_) write_header(status_ok);
    if (data.empty()) return {0, {}};
    if (!body_allowed(status_)) return {0, errc::body_not_allowed};
    written_ += static_cast<std::int64_t>(data.size());
    if (declared_length_ != -1 && written_ > declared_length_) return {0, errc::content_length};
    if (!writable()) return {0, write_error()};
    if (!committed_) {
        if (stage_len_ + data.size() <= stage_capacity) {
            std::memcpy(stage_ + stage_len_, data.data(), data.size());
            stage_len_ += data.size();
            return {data.size(), {}};
        }
        // The body outgrew the buffer: the head goes out without a length.
        commit(stage_len_ > 0 ? std::string_view(stage_, stage_len_) : data);
        flush_stage();
    }
    append_body(data);
    apply_backpressure();
    if (!writable()) return {0, write_error()};
    return {data.size(), {}};
}

void exchange::append_body(std::string_view data) {
    if (is_head_ || !writable()) return;  // HEAD: the body is dropped, as in Go
    if (!chunking_) {
        stream_.append(data);
        return;
    }
    if (stage_len_ + data.size() <= stage_capacity) {
        std::memcpy(stage_ + stage_len_, data.data(), data.size());
        stage_len_ += data.size();
        return;
    }
    flush_stage();
    if (data.size() >= stage_capacity) {
        emit_chunk(data);
    } else {
        std::memcpy(stage_, data.data(), data.size());
        stage_len_ = data.size();
    }
}

void exchange::flush_stage() {
    if (stage_len_ == 0) return;
    std::string_view staged(stage_, stage_len_);
    stage_len_ = 0;
    if (is_head_ || !writable()) return;
    if (chunking_) emit_chunk(staged);
    else stream_.append(staged);
}

void exchange::emit_chunk(std::string_view data) {
    char line[24];
    auto [end, ec] = std::to_chars(line, line + 16, data.size(), 16);
    end[0] = '\r';
    end[1] = '\n';
    stream_.append({line, static_cast<std::size_t>(end + 2 - line)});
    stream_.append(data);
    stream_.append("\r\n");
}

void exchange::apply_backpressure() {
    if (stream_.unsent() < send_high_water) return;
    stream_.push();
    while (stream_.unsent() >= send_high_water && writable()) wait(wait_kind::send);
}

std::error_code exchange::flush() {
    if (!wrote_header_) write_header(status_ok);
    if (!committed_) commit(std::string_view(stage_, stage_len_));
    flush_stage();
    if (!writable()) return write_error();
    stream_.push();
    while (stream_.unsent() != 0 && writable()) wait(wait_kind::send);
    return write_error();
}

void exchange::finish_response() {
    handler_done_ = true;
    if (!wrote_header_) write_header(status_ok);
    if (!committed_) commit(std::string_view(stage_, stage_len_));
    flush_stage();
    if (chunking_ && writable()) write_last_chunk();
    // Go's shouldReuseConnection: a body shorter than its Content-Length
    // leaves the client waiting for bytes that never come.
    if (!is_head_ && declared_length_ != -1 && body_allowed(status_) && declared_length_ != written_)
        close_after_ = true;
    // Go's body.Close: read what the handler left of the body, up to 256 KiB,
    // so the connection can carry the next request; else close it.
    if (!close_after_ && !body_done_ && !body_error_) {
        if (drain_body(max_post_handler_read) != drain_result::complete) close_after_ = true;
    }
    if (body_error_ || stream_.broken()) close_after_ = true;
    stream_.push();
}

namespace {

// Go's badTrailer: fields that must not appear as trailers (RFC 9110 §6.5.1).
bool allowed_trailer(std::string_view name) noexcept {
    static constexpr std::string_view banned[] = {
        "Authorization", "Cache-Control", "Connection", "Content-Encoding", "Content-Length", "Content-Range",
        "Content-Type", "Expect", "Host", "Keep-Alive", "Max-Forwards", "Pragma", "Proxy-Authenticate",
        "Proxy-Authorization", "Proxy-Connection", "Range", "Realm", "Te", "Trailer", "Transfer-Encoding",
        "Www-Authenticate"};
    for (std::string_view b : banned)
        if (ascii_iequals(b, name)) return false;
    return true;
}

void append_trailer(std::string& out, std::string_view name, std::string_view value) {
    out.append(name);
    out.append(": ");
    std::size_t at = out.size();
    out.append(chars::trim_ows(value));
    for (std::size_t i = at; i < out.size(); ++i)
        if (out[i] == '\r' || out[i] == '\n' || out[i] == '\0') out[i] = ' ';
    out.append("\r\n");
}

}  // namespace

void exchange::write_last_chunk() {
    std::string& t = head_scratch_;
    t.assign("0\r\n");
    if (trailers_) {
        // Trailer values are read from the header map as the handler left it:
        // the keys declared in "Trailer" before the head went out, and any
        // key set with Go's "Trailer:" prefix afterwards.
        const ringhttp::header& live = frozen_valid_ ? frozen_ : header_;
        for (std::string_view declared : header_.values("Trailer")) {
            while (!declared.empty()) {
                std::size_t comma = declared.find(',');
                std::string key = canonical_header_key(chars::trim_ows(declared.substr(0, comma)));
                declared = comma == std::string_view::npos ? std::string_view{} : declared.substr(comma + 1);
                if (key.empty() || !chars::is_token(key) || !allowed_trailer(key)) continue;
                for (std::string_view v : live.values(key)) append_trailer(t, key, v);
            }
        }
        for (const header_field& f : live)
            if (f.name.starts_with(trailer_prefix) && chars::is_token(f.name.substr(trailer_prefix.size())))
                append_trailer(t, f.name.substr(trailer_prefix.size()), f.value);
    }
    t.append("\r\n");
    stream_.append(t);
}

void exchange::commit(std::string_view first) {
    committed_ = true;
    const bool http11 = req.proto_at_least(1, 1);
    if (header_.empty() && handler_done_ && status_ == status_ok && !is_head_ && !close_after_ && http11 &&
        !info.wants_close && !info.http10_keep_alive && !info.expect_continue &&
        (req.content_length() == 0 || body_done_) && stream_.keep_alives()) [[likely]] {
        // What the rules below come to for a finished 200 without handler
        // fields on a connection that stays open: its length, a sniffed type
        // (none for an empty body), the Date; nothing else. Its head is cached.
        declared_length_ = static_cast<std::int64_t>(first.size());
        if (!writable()) return;
        const std::string_view type = first.empty() ? std::string_view{} : detect_content_type(first);
        const std::string_view head = stream_.plain_head(first.size(), type);
        if (first.data() != stage_ || head.size() + first.size() > out_buf::capacity) {
            stream_.append(head);
            return;
        }
        // The staged body goes out with its head, in one copy each.
        char* at = stream_.reserve(head.size() + first.size());
        std::memcpy(at, head.data(), head.size());
        if (!first.empty()) std::memcpy(at + head.size(), first.data(), first.size());
        stream_.commit(head.size() + first.size());
        stage_len_ = 0;
        return;
    }
    const framing_fields known = find_framing_fields(header_, trailer_prefix);
    trailers_ = known.trailer;
    const framing_input in{.status = status_,
                           .http11 = http11,
                           .is_head = is_head_,
                           .handler_done = handler_done_,
                           .staged = first.size(),
                           .declared_length = declared_length_,
                           .wants_close = info.wants_close,
                           .http10_keep_alive = info.http10_keep_alive,
                           .keep_alives = stream_.keep_alives(),
                           .close_requested = close_after_,
                           .continue_unread = info.expect_continue && !body_done_,
                           .fields = known};
    // Read an unread body before the response goes out: some clients send the
    // whole request before reading and would deadlock (Go issue 15527).
    drain_outcome drained = drain_outcome::not_needed;
    if (req.content_length() != 0 && !body_done_ && !full_duplex_ && !closes_before_drain(in)) {
        // A Content-Length body the client cut short by closing counts as read
        // to its end: the connection is over anyway, and Go sends no
        // "Connection: close" then (a truncated chunked body does get one).
        if (body_error_ == errc::unexpected_eof && info.framing == body_framing::length)
            drained = drain_outcome::complete;
        else if (body_error_)
            drained = drain_outcome::failed;
        else if (info.framing == body_framing::length &&
                 body_left_ >= static_cast<std::int64_t>(max_post_handler_read))
            drained = drain_outcome::too_big;
        else {
            const drain_result r = drain_body(max_post_handler_read);
            drained = r == drain_result::complete  ? drain_outcome::complete
                      : r == drain_result::too_big ? drain_outcome::too_big
                                                   : drain_outcome::failed;
        }
    }
    const framing_decision d = decide_framing(in, drained);
    if (d.length_and_te_conflict)
        stream_.log("http: WriteHeader called with both Transfer-Encoding of \"" + std::string(known.transfer_encoding) +
                   "\" and a Content-Length of " + std::to_string(declared_length_));
    declared_length_ = d.length;
    chunking_ = d.chunked;
    close_after_ = d.close;
    if (d.drop_content_length) header_.del("Content-Length");
    if (d.drop_transfer_encoding) header_.del("Transfer-Encoding");
    if (d.drop_content_type) header_.del("Content-Type");
    if (d.drop_connection) header_.del("Connection");
    const std::string_view content_type = d.sniff_type ? detect_content_type(first) : std::string_view{};
    if (!writable()) return;

    // Serialize the head straight into the connection's output when it fits
    // one block (nearly always), else through a scratch string.
    char length_digits[24];
    head_fields f{.status_line = status_line(http11, status_),
                  .date = known.date ? std::string_view{} : stream_.date(),
                  .content_type = content_type,
                  .connection = d.connection,
                  .chunked = d.chunked};
    if (d.set_length) {
        auto [end, ec] = std::to_chars(length_digits, length_digits + sizeof length_digits, declared_length_);
        f.content_length = {length_digits, static_cast<std::size_t>(end - length_digits)};
    }
    const std::size_t size = head_size(header_, f);
    if (size <= out_buf::capacity) {
        char* start = stream_.reserve(size);
        stream_.commit(static_cast<std::size_t>(put_head(start, header_, f) - start));
    } else {
        head_scratch_.resize(size);
        char* start = head_scratch_.data();
        stream_.append({start, static_cast<std::size_t>(put_head(start, header_, f) - start)});
    }
}

}  // namespace ringhttp::engine
