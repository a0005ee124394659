#include "engine/http1_parser.hpp"

#include <cstring>

#include "engine/chars.hpp"
#include "engine/request_access.hpp"
#include "engine/scan.hpp"
#include "engine/target.hpp"

namespace ringhttp::engine {

head_scanner::result head_scanner::scan(const char* data, std::size_t len, std::size_t max_head_bytes) noexcept {
    // Invariants: every byte before pos_ was checked; a CR is always followed
    // by LF and an LF always preceded by CR (RFC 9112 §2.2: no bare CR, and we
    // take no bare LF either, since front ends that split lines on CRLF would
    // see other messages). The head ends at the first CRLF CRLF.
    std::size_t pos = pos_;
    const std::size_t limit = len < max_head_bytes ? len : max_head_bytes;
    auto at = [&](std::size_t i) -> unsigned char { return static_cast<unsigned char>(data[i]); };
#if defined(__SSE2__)
    if (pos + 16 <= limit) {
        // Carries from the bytes before the first block; later blocks carry
        // their own lanes forward.
        unsigned carry_cr = pos > 0 && at(pos - 1) == '\r' ? 1u : 0u;
        unsigned carry_lf = (pos > 0 && at(pos - 1) == '\n' ? 2u : 0u) | (pos > 1 && at(pos - 2) == '\n' ? 1u : 0u);
        do {
            const scan::line_masks m = scan::masks16(data + pos);
            // Each LF must sit right after a CR: the CR mask shifted by one, with
            // the CR before this block carried in, must equal the LF mask. A CR
            // in the last lane is checked by the next block's carry.
            if (((m.cr << 1 | carry_cr) & 0xffffu) != m.lf)
                return {status::error, 0, {400, "bare CR or LF in request head"}};
            // A blank line: an LF two bytes after another LF ("\r\n\r\n").
            const unsigned blank = m.lf & ((m.lf << 2) | carry_lf);
            if (blank != 0) {
                pos_ = 0;
                return {status::complete, pos + static_cast<std::size_t>(__builtin_ctz(blank)) + 1, {}};
            }
            carry_cr = m.cr >> 15;
            carry_lf = m.lf >> 14;
            pos += 16;
        } while (pos + 16 <= limit);
    }
#endif
    for (; pos < limit; ++pos) {
        const unsigned char c = at(pos);
        const bool after_cr = pos > 0 && at(pos - 1) == '\r';
        if (c == '\n') {
            if (!after_cr) return {status::error, 0, {400, "bare CR or LF in request head"}};
            if (pos >= 3 && at(pos - 2) == '\n') {
                pos_ = 0;
                return {status::complete, pos + 1, {}};
            }
        } else if (after_cr) {
            return {status::error, 0, {400, "bare CR or LF in request head"}};
        }
    }
    if (len >= max_head_bytes) {
        if (std::memchr(data, '\n', limit) == nullptr) return {status::error, 0, {414, "request line too long"}};
        return {status::error, 0, {431, "request header fields too large"}};
    }
    pos_ = static_cast<std::uint32_t>(pos);
    return {status::need_more, 0, {}};
}

std::int64_t parse_content_length(std::string_view v) noexcept {
    if (v.empty() || v.size() > 19) return -1;
    std::uint64_t n = 0;
    for (char c : v) {
        if (!chars::is_digit(static_cast<unsigned char>(c))) return -1;
        n = n * 10 + static_cast<std::uint64_t>(c - '0');
    }
    if (n > static_cast<std::uint64_t>(INT64_MAX)) return -1;
    return static_cast<std::int64_t>(n);
}

namespace {

constexpr parse_error bad(const char* why) noexcept { return {400, why}; }

// Field names the parser acts on, compared after canonicalization.
enum class known_field : std::uint8_t { other, host, content_length, transfer_encoding, connection, expect };

known_field classify(std::string_view name) noexcept {
    switch (name.size()) {
        case 4: return name == "Host" ? known_field::host : known_field::other;
        case 6: return name == "Expect" ? known_field::expect : known_field::other;
        case 10: return name == "Connection" ? known_field::connection : known_field::other;
        case 14: return name == "Content-Length" ? known_field::content_length : known_field::other;
        case 17: return name == "Transfer-Encoding" ? known_field::transfer_encoding : known_field::other;
        default: return known_field::other;
    }
}

}  // namespace

parse_result parse_request(char* data, std::size_t len, request& r, head_info& info,
                           const parse_limits& limits) noexcept {
    using detail::request_access;
    info = head_info{};
    // One pass over the head, stopping at the sentinel data[len] when the
    // bytes run out. Every loop stops at the sentinel because it is not a
    // token character, not whitespace and a control byte; only a failure
    // decides whether it was the data's end (need more) or a real error.
    const char* const stop = data + len;
    auto fail = [stop](const char* at, parse_error e) noexcept {
        return at >= stop ? parse_result{parse_result::status::need_more, 0, {}}
                          : parse_result{parse_result::status::error, 0, e};
    };
    constexpr parse_result need_more{parse_result::status::need_more, 0, {}};

    // RFC 9112 §3: method SP request-target SP HTTP-version CRLF, single spaces.
    const char* p = data;
    const char* q = p;
    while (chars::is_tchar(static_cast<unsigned char>(*q))) ++q;
    if (q == p || *q != ' ') return fail(q, bad(q == p ? "invalid method" : "malformed request line"));
    const std::string_view method(p, static_cast<std::size_t>(q - p));
    p = q + 1;
    // The target runs to the next SP; any other control byte (or DEL) in it is
    // an error. Bytes from 0x80 up pass, as in Go.
    q = p + scan::find_control(p, static_cast<std::size_t>(stop - p), 0x21);
    if (q >= stop) return need_more;
    if (*q != ' ' || q == p) return {parse_result::status::error, 0, bad("invalid request target")};
    const std::string_view target(p, static_cast<std::size_t>(q - p));
    p = q + 1;
    // RFC 9112 §2.3: HTTP-version = "HTTP/" DIGIT "." DIGIT, case-sensitive.
    static constexpr char version_shape[] = "HTTP/0.0\r\n";
    if (stop - p >= 10 && std::memcmp(p, "HTTP/1.1\r\n", 10) == 0) {
        // The common case, checked at once.
    } else for (int i = 0; i < 10; ++i) {
        if (p + i >= stop) return need_more;
        const char want = version_shape[i];
        const bool ok = want == '0' ? chars::is_digit(static_cast<unsigned char>(p[i])) : p[i] == want;
        if (!ok) return {parse_result::status::error, 0, bad(i >= 8 ? "malformed request line" : "malformed HTTP version")};
    }
    const std::string_view version(p, 8);
    const int major = p[5] - '0';
    const int minor = p[7] - '0';
    p += 10;
    // "PRI * HTTP/2.0" is the HTTP/2 preface; like Go, let the handler see it
    // (a serve_mux answers 400) so a prior-knowledge client learns no h2 here.
    info.h2_preface = major == 2 && minor == 0 && method == "PRI" && target == "*";
    if (major != 1 && !info.h2_preface) return {parse_result::status::error, 0, {505, "unsupported protocol version"}};
    request_access::set_method(r, method);
    request_access::set_proto(r, version, major, minor);
    request_access::set_request_uri(r, target);
    const std::size_t request_line_len = static_cast<std::size_t>(p - data);

    std::string_view host;
    int host_count = 0;
    std::string_view content_length;
    int te_count = 0;
    std::string_view transfer_encoding;
    bool conn_close = false;
    bool conn_keep_alive = false;
    std::string_view expect;
    std::size_t fields = 0;
    ringhttp::header& h = r.header();

    for (;;) {
        if (p >= stop) return need_more;
        if (*p == '\r') {  // the blank line that ends the head
            if (p + 1 >= stop) return need_more;
            if (p[1] != '\n') return {parse_result::status::error, 0, bad("bare CR in request head")};
            p += 2;
            break;
        }
        // RFC 9112 §5.2: obs-fold is rejected with 400.
        if (*p == ' ' || *p == '\t') return {parse_result::status::error, 0, bad("obs-fold in header field")};
        if (++fields > limits.max_fields) return {parse_result::status::error, 0, {431, "too many header fields"}};
        // The name: token characters up to ':' (RFC 9112 §5.1: no whitespace
        // before the colon), canonicalized in place as we go (Go's
        // CanonicalMIMEHeaderKey), in one pass.
        char* const name_begin = const_cast<char*>(p);
        char* n = name_begin;
        bool upper = true;
        for (;;) {
            const char k = chars::canonical_lower(static_cast<unsigned char>(*n));
            if (k == 0) break;
            *n = upper ? chars::canonical_upper(static_cast<unsigned char>(*n)) : k;
            ++n;
            upper = k == '-';
        }
        if (n == name_begin || *n != ':') return fail(n, bad("invalid header field name"));
        const std::string_view name(name_begin, static_cast<std::size_t>(n - name_begin));
        // The value: field bytes up to CR LF; HTAB is the one control byte allowed.
        const char* v = n + 1;
        while (*v == ' ' || *v == '\t') ++v;
        const char* c = v;
        for (;;) {
            c += scan::find_control(c, static_cast<std::size_t>(stop - c), 0x20);
            if (c >= stop) return need_more;
            if (*c != '\t') break;
            ++c;
        }
        if (*c != '\r') return {parse_result::status::error, 0, bad("invalid header field value")};
        if (c + 1 >= stop) return need_more;
        if (c[1] != '\n') return {parse_result::status::error, 0, bad("bare CR in request head")};
        const char* value_end = c;
        while (value_end > v && (value_end[-1] == ' ' || value_end[-1] == '\t')) --value_end;
        const std::string_view value(v, static_cast<std::size_t>(value_end - v));
        p = c + 2;
        switch (classify(name)) {
            case known_field::host:
                ++host_count;
                host = value;
                continue;  // Go moves Host out of the header map
            case known_field::content_length:
                // RFC 9110 §8.6: several identical values may be folded; differing ones are an error.
                if (value.empty()) return {parse_result::status::error, 0, bad("invalid Content-Length")};
                if (!content_length.empty() && content_length != value)
                    return {parse_result::status::error, 0, bad("conflicting Content-Length")};
                content_length = value;
                break;
            case known_field::transfer_encoding:
                ++te_count;
                transfer_encoding = value;
                break;
            case known_field::connection:
                conn_close |= has_token(value, "close");
                conn_keep_alive |= has_token(value, "keep-alive");
                break;
            case known_field::expect:
                if (expect.empty()) expect = value;
                break;
            case known_field::other:
                break;
        }
        h.add_view(name, value);
    }
    const std::size_t head_len = static_cast<std::size_t>(p - data);
    if (head_len > limits.max_head_bytes) {
        if (request_line_len > limits.max_head_bytes) return {parse_result::status::error, 0, {414, "request line too long"}};
        return {parse_result::status::error, 0, {431, "request header fields too large"}};
    }
    auto done = [head_len](parse_error e) noexcept {
        return e ? parse_result{parse_result::status::error, 0, e} : parse_result{parse_result::status::complete, head_len, {}};
    };
    if (const char* why = parse_target(method, target, r.url(), r.storage())) return done(bad(why));
    info.asterisk = target == "*" && method == "OPTIONS";

    const bool http11 = r.proto_at_least(1, 1);
    // Host (RFC 9112 §3.2): required once in HTTP/1.1, never twice.
    if (host_count > 1) return done(bad("too many Host headers"));
    if (info.h2_preface && fields > 0) info.h2_preface = false;  // Go: a preface has no fields
    if (http11 && host_count == 0 && method != "CONNECT" && !info.h2_preface)
        return done(bad("missing required Host header"));
    if (host_count == 1 && !valid_host(host)) return done(bad("malformed Host header"));
    request_access::set_host(r, r.url().host.empty() ? host : r.url().host);

    // Body framing (RFC 9112 §6).
    if (te_count > 0) {
        // §6.1: a Transfer-Encoding in HTTP/1.0 means the framing is faulty.
        if (!http11) return done(bad("Transfer-Encoding in HTTP/1.0 request"));
        // Only a single "chunked" is decoded; anything else is not understood
        // (§6.1: 501) - this covers "gzip, chunked", "chunked, chunked", repeats.
        if (te_count != 1 || !ascii_iequals(transfer_encoding, "chunked"))
            return done({501, "unsupported transfer encoding"});
        // §6.1 and §6.3: with both framings a request may be smuggled; refuse
        // it rather than trust either (Go drops Content-Length and goes on).
        if (!content_length.empty()) return done(bad("both Content-Length and Transfer-Encoding"));
        info.framing = body_framing::chunked;
        request_access::set_content_length(r, -1);
    } else if (!content_length.empty()) {
        const std::int64_t cl = parse_content_length(content_length);
        if (cl < 0) return done(bad("invalid Content-Length"));
        info.framing = cl > 0 ? body_framing::length : body_framing::none;
        info.content_length = cl;
        request_access::set_content_length(r, cl);
    }

    info.wants_close = conn_close || info.h2_preface;
    info.http10_keep_alive = !http11 && conn_keep_alive;
    info.keep_alive = http11 ? !conn_close : (conn_keep_alive && !conn_close);
    request_access::set_close(r, !info.keep_alive);
    if (!expect.empty()) {
        if (has_token(expect, "100-continue"))
            info.expect_continue = http11 && r.content_length() != 0;
        else
            info.expect_unsupported = true;
    }
    return done({});
}

parse_error parse_head(char* head, std::size_t len, request& r, head_info& info, const parse_limits& limits) noexcept {
    // The scanner has seen CR LF CR LF at the end, so the head is complete;
    // head[len] is a valid byte (the next request's, or a sentinel) and
    // parsing never looks past the blank line.
    parse_result res = parse_request(head, len, r, info, limits);
    if (res.state == parse_result::status::need_more) return bad("malformed request head");
    return res.error;
}

}  // namespace ringhttp::engine
