#include "engine/http1_parser.hpp"

#include <cstring>

#include "engine/chars.hpp"
#include "engine/request_access.hpp"
#include "engine/target.hpp"

namespace ringhttp::engine {

head_scanner::result head_scanner::scan(const char* data, std::size_t len, std::size_t max_head_bytes) noexcept {
    std::size_t pos = pos_;
    std::size_t line_start = line_start_;
    const std::size_t limit = len < max_head_bytes ? len : max_head_bytes;
    while (pos < limit) {
        const auto* hit = static_cast<const char*>(std::memchr(data + pos, '\n', limit - pos));
        if (hit == nullptr) {
            // A partial line: any CR but a final one (whose LF may follow) is bare.
            std::size_t check_end = data[limit - 1] == '\r' ? limit - 1 : limit;
            if (std::memchr(data + pos, '\r', check_end - pos) != nullptr)
                return {status::error, 0, {400, "bare CR in request head"}};
            pos = check_end;
            break;
        }
        std::size_t lf = static_cast<std::size_t>(hit - data);
        // RFC 9112 §2.2 lets a recipient accept a bare LF as a line end; it is
        // also how a front end and a back end come to disagree about framing.
        if (lf == line_start || data[lf - 1] != '\r') return {status::error, 0, {400, "bare LF in request head"}};
        if (lf - 1 > pos && std::memchr(data + pos, '\r', lf - 1 - pos) != nullptr)
            return {status::error, 0, {400, "bare CR in request head"}};
        if (lf - line_start == 1) {
            if (in_request_line_) return {status::error, 0, {400, "empty request line"}};
            *this = head_scanner{};
            return {status::complete, lf + 1, {}};
        }
        in_request_line_ = false;
        line_start = lf + 1;
        pos = lf + 1;
    }
    if (len >= max_head_bytes) {
        if (in_request_line_) return {status::error, 0, {414, "request line too long"}};
        return {status::error, 0, {431, "request header fields too large"}};
    }
    pos_ = static_cast<std::uint32_t>(pos);
    line_start_ = static_cast<std::uint32_t>(line_start);
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

parse_error parse_request_line(std::string_view line, request& r, head_info& info) noexcept {
    using detail::request_access;
    // RFC 9112 §3: method SP request-target SP HTTP-version, single spaces.
    std::size_t sp1 = line.find(' ');
    if (sp1 == std::string_view::npos) return bad("malformed request line");
    std::string_view method = line.substr(0, sp1);
    if (!chars::is_token(method)) return bad("invalid method");
    std::size_t sp2 = line.find(' ', sp1 + 1);
    if (sp2 == std::string_view::npos) return bad("malformed request line");
    std::string_view target = line.substr(sp1 + 1, sp2 - sp1 - 1);
    std::string_view version = line.substr(sp2 + 1);
    if (target.empty()) return bad("empty request target");
    for (char c : target)
        if (!chars::is_target_char(static_cast<unsigned char>(c))) return bad("invalid character in request target");
    // RFC 9112 §2.3: HTTP-version = "HTTP/" DIGIT "." DIGIT, case-sensitive.
    if (version.size() != 8 || !version.starts_with("HTTP/") || version[6] != '.' ||
        !chars::is_digit(static_cast<unsigned char>(version[5])) ||
        !chars::is_digit(static_cast<unsigned char>(version[7])))
        return bad("malformed HTTP version");
    int major = version[5] - '0';
    int minor = version[7] - '0';
    // "PRI * HTTP/2.0" is the HTTP/2 preface; like Go, let the handler see it
    // (a serve_mux answers 400) so a prior-knowledge client learns no h2 here.
    info.h2_preface = major == 2 && minor == 0 && method == "PRI" && target == "*";
    if (major != 1 && !info.h2_preface) return {505, "unsupported protocol version"};
    request_access::set_method(r, method);
    request_access::set_proto(r, version, major, minor);
    request_access::set_request_uri(r, target);
    if (const char* why = parse_target(method, target, r.url(), r.storage())) return bad(why);
    info.asterisk = target == "*" && method == "OPTIONS";
    return {};
}

}  // namespace

parse_error parse_head(char* head, std::size_t len, request& r, head_info& info, const parse_limits& limits) noexcept {
    using detail::request_access;
    info = head_info{};
    // The head ends with CRLF CRLF and every line with CRLF (head_scanner).
    const char* p = head;
    const char* const end = head + len - 2;  // the final blank line's CRLF
    const char* eol = static_cast<const char*>(std::memchr(p, '\r', static_cast<std::size_t>(end - p)));
    if (parse_error e = parse_request_line({p, static_cast<std::size_t>(eol - p)}, r, info)) return e;
    p = eol + 2;

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

    while (p < end) {
        eol = static_cast<const char*>(std::memchr(p, '\r', static_cast<std::size_t>(end - p) + 1));
        // RFC 9112 §5.2: obs-fold is rejected with 400.
        if (*p == ' ' || *p == '\t') return bad("obs-fold in header field");
        if (++fields > limits.max_fields) return {431, "too many header fields"};
        char* name_begin = const_cast<char*>(p);
        const char* q = p;
        while (q < eol && chars::is_tchar(static_cast<unsigned char>(*q))) ++q;
        // RFC 9112 §5.1: no whitespace between field name and colon.
        if (q == p || q == eol || *q != ':') return bad("invalid header field name");
        std::size_t name_len = static_cast<std::size_t>(q - p);
        const char* v = q + 1;
        for (const char* c = v; c < eol; ++c)
            if (!chars::is_field_char(static_cast<unsigned char>(*c))) return bad("invalid header field value");
        std::string_view value = chars::trim_ows({v, static_cast<std::size_t>(eol - v)});
        canonicalize_header_key(name_begin, name_len);
        std::string_view name(name_begin, name_len);
        switch (classify(name)) {
            case known_field::host:
                ++host_count;
                host = value;
                p = eol + 2;
                continue;  // Go moves Host out of the header map
            case known_field::content_length:
                // RFC 9110 §8.6: several identical values may be folded; differing ones are an error.
                if (!content_length.empty() && content_length != value) return bad("conflicting Content-Length");
                if (content_length.empty() && !value.empty()) content_length = value;
                if (value.empty()) return bad("invalid Content-Length");
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
        p = eol + 2;
    }

    const bool http11 = r.proto_at_least(1, 1);
    // Host (RFC 9112 §3.2): required once in HTTP/1.1, never twice.
    if (host_count > 1) return bad("too many Host headers");
    if (info.h2_preface && fields > 0) info.h2_preface = false;  // Go: a preface has no fields
    if (http11 && host_count == 0 && r.method() != "CONNECT" && !info.h2_preface)
        return bad("missing required Host header");
    if (host_count == 1 && !valid_host(host)) return bad("malformed Host header");
    request_access::set_host(r, r.url().host.empty() ? host : r.url().host);

    // Body framing (RFC 9112 §6).
    if (te_count > 0) {
        // §6.1: a Transfer-Encoding in HTTP/1.0 means the framing is faulty.
        if (!http11) return bad("Transfer-Encoding in HTTP/1.0 request");
        // Only a single "chunked" is decoded; anything else is not understood
        // (§6.1: 501) - this covers "gzip, chunked", "chunked, chunked", repeats.
        if (te_count != 1 || !ascii_iequals(transfer_encoding, "chunked"))
            return {501, "unsupported transfer encoding"};
        // §6.1 and §6.3: with both framings a request may be smuggled; refuse
        // it rather than trust either (Go drops Content-Length and goes on).
        if (!content_length.empty()) return bad("both Content-Length and Transfer-Encoding");
        info.framing = body_framing::chunked;
        request_access::set_content_length(r, -1);
    } else if (!content_length.empty()) {
        std::int64_t n = parse_content_length(content_length);
        if (n < 0) return bad("invalid Content-Length");
        info.framing = n > 0 ? body_framing::length : body_framing::none;
        info.content_length = n;
        request_access::set_content_length(r, n);
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
    return {};
}

}  // namespace ringhttp::engine
