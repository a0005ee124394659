// ringhttp fuzzing: the connection's request loop without the network.
#include "tests/fuzz/codec_model.hpp"

#include <algorithm>

#include "engine/http/request_access.hpp"

namespace ringhttp::fuzz {

namespace {

bool same_info(const engine::head_info& a, const engine::head_info& b) {
    return a.framing == b.framing && a.content_length == b.content_length && a.keep_alive == b.keep_alive &&
           a.wants_close == b.wants_close && a.http10_keep_alive == b.http10_keep_alive &&
           a.expect_continue == b.expect_continue && a.expect_unsupported == b.expect_unsupported &&
           a.asterisk == b.asterisk && a.h2_preface == b.h2_preface;
}

}  // namespace

bool request_record::operator==(const request_record& o) const {
    return method == o.method && request_uri == o.request_uri && proto == o.proto && host == o.host &&
           scheme == o.scheme && url_host == o.url_host && path == o.path && raw_path == o.raw_path &&
           raw_query == o.raw_query && proto_major == o.proto_major && proto_minor == o.proto_minor &&
           content_length == o.content_length && fields == o.fields && same_info(info, o.info) &&
           body == o.body && closes == o.closes;
}

void codec_model::feed(std::string_view fragment) {
    if (stopped_) return;
    // Drop what was consumed: every request is copied out, so nothing views
    // it. A head being scanned moves to the front, as into the engine's
    // assembly; the scanner's offsets are relative to the head's first byte.
    if (off_ > 0) {
        pending_.erase(0, off_);
        off_ = 0;
    }
    pending_.append(fragment);
    run();
}

void codec_model::run() {
    while (!stopped_) {
        const bool progressed = phase_ == phase::head ? step_head() : step_body();
        if (!progressed) return;
    }
}

bool codec_model::step_head() {
    // RFC 9112 §2.2: up to 4 empty lines (CRLF, never a bare LF) before a
    // request-line are skipped (connection.cpp, crlf_budget); a CR whose LF
    // has not come yet waits for it.
    while (crlf_budget_ >= 2 && !view().empty() && view()[0] == '\r') {
        if (view().size() == 1) return false;
        if (view()[1] != '\n') break;
        crlf_budget_ -= 2;
        consume(2);
    }
    if (view().empty()) return false;
    crlf_budget_ = 0;
    char* const head = pending_.data() + off_;
    const std::size_t len = pending_.size() - off_;
    const engine::parse_limits limits{.max_head_bytes = head_limit_};
    if (!scanner_.started()) {
        // As connection.cpp: one pass over what has come, with a NUL sentinel
        // after it (std::string keeps one).
        detail::request_access::reset(req_);
        info_ = {};
        const engine::parse_result res = engine::parse_request(head, len, req_, info_, limits);
        if (res.state == engine::parse_result::status::complete) {
            complete_request(req_, info_);
            consume(res.head_len);
            start_body();
            return true;
        }
        if (res.state == engine::parse_result::status::error) {
            out_.end = stream_end::head_error;
            out_.status = res.error.status;
            out_.reason = res.error.reason;
            stopped_ = true;
            return false;
        }
    }
    const engine::head_scanner::result scan = scanner_.scan(head, len, head_limit_);
    if (scan.state == engine::head_scanner::status::error) {
        out_.end = stream_end::head_error;
        out_.status = scan.error.status;
        out_.reason = scan.error.reason;
        out_.from_scanner = true;
        stopped_ = true;
        return false;
    }
    if (scan.state == engine::head_scanner::status::need_more) return false;
    detail::request_access::reset(req_);
    info_ = {};
    if (engine::parse_error err = engine::parse_head(head, scan.head_len, req_, info_, limits)) {
        out_.end = stream_end::head_error;
        out_.status = err.status;
        out_.reason = err.reason;
        stopped_ = true;
        return false;
    }
    complete_request(req_, info_);
    consume(scan.head_len);
    start_body();
    return true;
}

void codec_model::start_body() {
    switch (info_.framing) {
        case engine::body_framing::none: end_request(); break;
        case engine::body_framing::length:
            body_left_ = info_.content_length;
            if (body_left_ == 0) end_request();
            else phase_ = phase::length_body;
            break;
        case engine::body_framing::chunked:
            chunked_.reset();
            phase_ = phase::chunked_body;
            break;
    }
}

bool codec_model::step_body() {
    std::string_view v = view();
    if (v.empty()) return false;
    request_record& rec = out_.requests.back();
    if (phase_ == phase::length_body) {
        const std::size_t n = std::min<std::size_t>({v.size(), max_data_, static_cast<std::size_t>(body_left_)});
        rec.body.append(v.substr(0, n));
        consume(n);
        body_left_ -= static_cast<std::int64_t>(n);
        if (body_left_ == 0) end_request();
        return true;
    }
    const engine::chunked_decoder::result r = chunked_.decode(v, max_data_);
    if (r.consumed > v.size()) {
        // The decoder claimed bytes it was never given: report it as a crash.
        __builtin_trap();
    }
    if (r.state == engine::chunked_decoder::status::data) rec.body.append(r.data);
    consume(r.consumed);
    switch (r.state) {
        case engine::chunked_decoder::status::data: return true;
        case engine::chunked_decoder::status::need_more: return false;
        case engine::chunked_decoder::status::done: end_request(); return true;
        case engine::chunked_decoder::status::error:
            out_.end = stream_end::body_error;
            stopped_ = true;
            return false;
    }
    return false;
}

void codec_model::end_request() {
    phase_ = phase::head;
    const request_record& rec = out_.requests.back();
    crlf_budget_ = empty_line_bytes;
    if (rec.closes && stop_on_close_) stopped_ = true;
}

void codec_model::complete_request(const request& r, const engine::head_info& info) {
    out_.requests.push_back(record_of(r, info));
}

request_record record_of(const request& r, const engine::head_info& info) {
    request_record rec;
    rec.method = r.method();
    rec.request_uri = r.request_uri();
    rec.proto = r.proto();
    rec.host = r.host();
    rec.scheme = r.url().scheme;
    rec.url_host = r.url().host;
    rec.path = r.url().path;
    rec.raw_path = r.url().raw_path;
    rec.raw_query = r.url().raw_query;
    rec.proto_major = r.proto_major();
    rec.proto_minor = r.proto_minor();
    rec.content_length = r.content_length();
    for (const header_field& f : r.header()) rec.fields.emplace_back(f.name, f.value);
    rec.info = info;
    rec.closes = !info.keep_alive || info.wants_close || info.h2_preface || info.expect_unsupported;
    return rec;
}

stream_outcome codec_model::finish() {
    if (!stopped_) {
        if (phase_ != phase::head) {
            out_.end = stream_end::partial_body;
        } else {
            // Empty lines within the budget were skipped as they came; what
            // is left (a CR without its LF included) is a head cut short.
            out_.end = !view().empty() || scanner_.started() ? stream_end::partial_head : stream_end::clean;
        }
    }
    stopped_ = true;
    return out_;
}

split_input decode_split_input(const std::uint8_t* data, std::size_t size) {
    static constexpr std::size_t max_data_choices[8] = {SIZE_MAX, 1, 2, 3, 7, 16, 100, 4096};
    split_input in;
    if (size < 2) {
        in.stream = std::string_view(reinterpret_cast<const char*>(data), size);
        in.fragments.push_back(in.stream);
        return in;
    }
    const std::uint8_t flags = data[0];
    const std::size_t n = std::min<std::size_t>(data[1] % 16, size - 2);
    in.max_data = max_data_choices[(flags >> 1) & 7];
    const std::uint8_t* lens = data + 2;
    in.stream = std::string_view(reinterpret_cast<const char*>(data + 2 + n), size - 2 - n);
    std::string_view rest = in.stream;
    if (flags & 1) {
        for (std::size_t i = 0; i < rest.size(); ++i) in.fragments.push_back(rest.substr(i, 1));
        return in;
    }
    for (std::size_t i = 0; i < n && !rest.empty(); ++i) {
        const std::size_t len = std::min<std::size_t>(lens[i] == 0 ? 1 : lens[i], rest.size());
        in.fragments.push_back(rest.substr(0, len));
        rest.remove_prefix(len);
    }
    if (!rest.empty()) in.fragments.push_back(rest);
    return in;
}

std::string describe(const stream_outcome& o) {
    static constexpr const char* ends[] = {"clean", "partial_head", "partial_body", "head_error", "body_error"};
    std::string s = std::to_string(o.requests.size()) + " requests, end " + ends[static_cast<int>(o.end)];
    if (o.end == stream_end::head_error) {
        s += " " + std::to_string(o.status) + " (" + (o.reason ? o.reason : "") + ")" +
             (o.from_scanner ? " from head_scanner" : "");
    }
    for (const request_record& r : o.requests) {
        s += "\n  " + r.method + " " + r.request_uri + " " + r.proto + " host=" + r.host +
             " fields=" + std::to_string(r.fields.size()) + " cl=" + std::to_string(r.content_length) +
             " framing=" + std::to_string(static_cast<int>(r.info.framing)) + " body=" + std::to_string(r.body.size()) +
             (r.closes ? " closes" : "");
    }
    return s;
}

}  // namespace ringhttp::fuzz
