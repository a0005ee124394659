// ringhttp: what the request head parsers share (the portable one and the
// vectorized ones): the facts gathered from the field lines, the handling of
// the fields the parser acts on, and the checks made once the head is read.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>
#include <type_traits>

#include <ringhttp/header.hpp>
#include <ringhttp/request.hpp>

#include "engine/base/chars.hpp"
#include "engine/http1/http1_parser.hpp"
#include "engine/base/scan.hpp"
#include "engine/http/request_access.hpp"

// The AVX2 variant is built where the compiler can target AVX2 for one
// file's code and the CPU is asked at run time (x86 with GCC or Clang).
#if (defined(__x86_64__) || defined(__i386__)) && defined(__GNUC__)
#define RINGHTTP_PARSER_AVX2 1
#else
#define RINGHTTP_PARSER_AVX2 0
#endif

namespace ringhttp::engine::parser_detail {

/// variant names an implementation of parse_request. Every variant gives the
/// same result for the same input; the tests hold them to that.
enum class variant : std::uint8_t {
    portable,  ///< byte at a time, any CPU
    sse2,      ///< 16 bytes at a time (x86-64 baseline)
    avx2,      ///< 32 bytes at a time, exact byte classes by nibble lookup
};

/// supported reports whether v is built in and this CPU can run it.
bool supported(variant v) noexcept;

/// best is the variant parse_request uses on this CPU, chosen once.
variant best() noexcept;

/// parse_with is parse_request with a chosen variant, which must be supported.
parse_result parse_with(variant v, char* data, std::size_t len, request& r, head_info& info,
                        const parse_limits& limits) noexcept;

parse_result parse_portable(char* data, std::size_t len, request& r, head_info& info,
                            const parse_limits& limits) noexcept;
parse_result parse_sse2(char* data, std::size_t len, request& r, head_info& info,
                        const parse_limits& limits) noexcept;
parse_result parse_avx2(char* data, std::size_t len, request& r, head_info& info,
                        const parse_limits& limits) noexcept;

/// target_char reports whether c may appear in a request-target: the
/// characters RFC 3986 §2 allows in a URI (unreserved, reserved, '%') less
/// '#', which starts a fragment and is never sent (RFC 9110 §7.1; RFC 9112
/// §3.2's forms have none). '[' and ']' are URI characters (gen-delims) whose
/// place the grammar limits to an IP literal; that is left to the target's
/// parse, so a query such as "a[]=1", which browsers send as it is, passes.
/// Everything else (controls, SP, DEL, '"', '<', '>', backslash, '^', '`', '{',
/// '|', '}', and every byte from 0x80) is outside the grammar: 400.
constexpr bool target_char(unsigned c) noexcept {
    // unreserved, then gen-delims less '#', sub-delims and the '%' of pct-encoded.
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           (c < 0x80 && std::string_view("-._~" ":/?[]@" "!$&'()*+,;=" "%").find(static_cast<char>(c)) !=
                            std::string_view::npos);
}

/// target_table is target_char as a table, for the byte-at-a-time parser.
inline constexpr std::array<bool, 256> target_table = [] {
    std::array<bool, 256> t{};
    for (unsigned c = 0; c < 256; ++c) t[c] = target_char(c);
    return t;
}();

constexpr parse_error bad(const char* why) noexcept { return {400, why}; }
constexpr parse_result error(parse_error e) noexcept { return {parse_result::status::error, 0, e}; }
constexpr parse_result need_more{parse_result::status::need_more, 0, {}};

/// span is a view left uninitialized by default (std::string_view zeroes
/// itself), so that head_facts costs a few stores to set up.
struct span {
    const char* data;
    std::size_t size;
    std::string_view view() const noexcept { return {data, size}; }
};

/// head_facts is what a parser learns from a head on its way through it;
/// finish() turns it into the request and head_info. The spans are valid
/// only as their comments say.
struct head_facts {
    span method;  // set before finish
    span target;  // set before finish
    std::size_t request_line_len;
    std::size_t head_len;
    // An origin-form target whose path holds only bytes that a path keeps as
    // they are (so no escapes and no RawPath): its path is target[0,
    // plain_path_len) and the query follows a '?'. Set by the vectorized
    // parsers, which see this on their way; else parse_target decides.
    std::size_t plain_path_len;
    bool plain_path = false;
    bool host_checked = false;  // host already known to pass valid_host
    bool conn_close = false;
    bool conn_keep_alive = false;
    bool te_other = false;     // a Transfer-Encoding line before the last named a coding other than chunked
    int host_count = 0;
    int te_count = 0;
    std::size_t fields = 0;
    span host;                 // with host_count > 0: the last one
    span transfer_encoding;    // with te_count > 0: the last one
    span content_length;       // with has_content_length: the first one
    span expect;               // with has_expect: the first one
    bool has_content_length = false;
    bool has_expect = false;
};

/// equals reports whether s is the literal w, comparing words in place (the
/// compiler does not always inline string_view's operator== or memcmp for a
/// literal: it calls the library's memcmp for 10 bytes and more).
template <std::size_t N>
[[gnu::always_inline]] inline bool equals(std::string_view s, const char (&w)[N]) noexcept {
    constexpr std::size_t n = N - 1;
    if (s.size() != n) return false;
    auto same = [&]<class Word>(std::size_t at, Word) {
        Word a, b;
        std::memcpy(&a, s.data() + at, sizeof a);
        std::memcpy(&b, w + at, sizeof b);
        return a == b;
    };
    if constexpr (n >= 8) {
        for (std::size_t at = 0; at + 8 < n; at += 8)
            if (!same(at, std::uint64_t{})) return false;
        return same(n - 8, std::uint64_t{});
    } else if constexpr (n == 4) {
        return same(0, std::uint32_t{});
    } else if constexpr (n > 4) {
        return same(0, std::uint32_t{}) && same(n - 4, std::uint32_t{});
    } else {
        for (std::size_t i = 0; i < n; ++i)
            if (s[i] != w[i]) return false;
        return true;
    }
}

/// is_word reports whether s equals the lower-case word w (4 to 16 letters
/// and '-'), ignoring ASCII case: two overlapping loads, OR-ed with 0x20. That
/// folds only letters to their lower case here: the other bytes that change
/// under it cannot equal w's bytes ('-' is 0x2d, and 0x0d, the one byte that
/// folds to it, never appears in a field value).
template <std::size_t N>
[[gnu::always_inline]] inline bool is_word(std::string_view s, const char (&w)[N]) noexcept {
    constexpr std::size_t n = N - 1;
    static_assert(n >= 4 && n <= 16);
    if (s.size() != n) return false;
    using word = std::conditional_t<(n >= 8), std::uint64_t, std::uint32_t>;
    constexpr std::size_t k = sizeof(word);
    word a, b, x, y;
    std::memcpy(&a, s.data(), k);
    std::memcpy(&b, s.data() + n - k, k);
    std::memcpy(&x, w, k);
    std::memcpy(&y, w + n - k, k);
    constexpr word fold = static_cast<word>(0x2020202020202020ull);
    return ((a | fold) ^ x) == 0 && ((b | fold) ^ y) == 0;
}

/// parse_version checks the HTTP-version and the CRLF after it, the 10 bytes
/// at p (RFC 9112 §2.3: "HTTP/" DIGIT "." DIGIT, case-sensitive). Returns
/// false with need_more or the error in out when they are not all there or
/// not right.
inline bool parse_version(const char* p, const char* stop, parse_result& out) noexcept {
    static constexpr char shape[] = "HTTP/0.0\r\n";
    if (stop - p >= 10 && std::memcmp(p, "HTTP/1.1\r\n", 10) == 0) return true;
    for (int i = 0; i < 10; ++i) {
        if (p + i >= stop) {
            out = need_more;
            return false;
        }
        const char want = shape[i];
        const bool ok = want == '0' ? (p[i] >= '0' && p[i] <= '9') : p[i] == want;
        if (!ok) {
            out = error(bad(i >= 8 ? "malformed request line" : "malformed HTTP version"));
            return false;
        }
    }
    return true;
}

/// request_line parses the request line at data, the one set of its rules
/// for every variant (RFC 9112 §3: method SP request-target SP HTTP-version
/// CRLF, single spaces). scan_target(from) returns the first byte at or
/// after from that target_char refuses, stop at the latest; it is how the
/// variants differ (a byte or a vector at a time, and what else a variant
/// learns on the way). On success it sets r's method, proto and request URI,
/// info.h2_preface, f.method, f.target and f.request_line_len, and major and
/// minor, and returns the start of the first field line; else nullptr with
/// need_more or the error in out. Inline always, so that scan_target is too.
template <class ScanTarget>
[[gnu::always_inline]] inline char* request_line(char* data, const char* stop, ScanTarget&& scan_target,
                                                 request& r, head_info& info, head_facts& f, int& major,
                                                 int& minor, parse_result& out) noexcept {
    using detail::request_access;
    // The method: a token. "GET " is most requests, checked as one word.
    const char* p = data;
    const char* q = p;
    if (stop - p >= 4 && std::memcmp(p, "GET ", 4) == 0) {
        q = p + 3;
    } else {
        while (chars::is_tchar(static_cast<unsigned char>(*q))) ++q;
        if (q == p || *q != ' ') {
            out = q >= stop ? need_more : error(bad(q == p ? "invalid method" : "malformed request line"));
            return nullptr;
        }
    }
    const std::string_view method(p, static_cast<std::size_t>(q - p));
    p = q + 1;
    // The target runs to the next SP; any other byte outside the URI grammar
    // (target_char) is an error: a control byte, DEL, '#', '"', '<' and the
    // like, or a byte from 0x80 up (Go lets the last ones through).
    q = scan_target(p);
    if (q >= stop) {
        out = need_more;
        return nullptr;
    }
    if (*q != ' ' || q == p) {
        out = error(bad("invalid request target"));
        return nullptr;
    }
    const std::string_view target(p, static_cast<std::size_t>(q - p));
    p = q + 1;
    if (!parse_version(p, stop, out)) return nullptr;
    major = p[5] - '0';
    minor = p[7] - '0';
    // "PRI * HTTP/2.0" is the HTTP/2 preface; like Go, let the handler see it
    // (a serve_mux answers 400) so a prior-knowledge client learns no h2 here.
    info.h2_preface = major == 2 && minor == 0 && equals(method, "PRI") && equals(target, "*");
    if (major != 1 && !info.h2_preface) {
        out = error({505, "unsupported protocol version"});
        return nullptr;
    }
    request_access::set_method(r, method);
    request_access::set_proto(r, std::string_view(p, 8), major, minor);
    request_access::set_request_uri(r, target);
    f.method = {method.data(), method.size()};
    f.target = {target.data(), target.size()};
    p += 10;
    f.request_line_len = static_cast<std::size_t>(p - data);
    return const_cast<char*>(p);
}

// Field names the parser acts on, compared after canonicalization.
enum class known_field : std::uint8_t { other, host, content_length, transfer_encoding, connection, expect };

/// maybe_known reports whether name (canonical, not empty) may be one that
/// classify() knows, by its length and first letter: a quick test that
/// passes most names by.
[[gnu::always_inline]] inline bool maybe_known(std::string_view name) noexcept {
    static constexpr char first[32] = {0, 0, 0, 0, 'H', 0, 'E', 0, 0, 0, 'C', 0, 0, 0, 'C', 0, 0, 'T'};
    return name.size() < 32 && first[name.size()] == name[0];
}

[[gnu::always_inline]] inline known_field classify(std::string_view name) noexcept {
    switch (name.size()) {
        case 4: return equals(name, "Host") ? known_field::host : known_field::other;
        case 6: return equals(name, "Expect") ? known_field::expect : known_field::other;
        case 10: return equals(name, "Connection") ? known_field::connection : known_field::other;
        case 14: return equals(name, "Content-Length") ? known_field::content_length : known_field::other;
        case 17: return equals(name, "Transfer-Encoding") ? known_field::transfer_encoding : known_field::other;
        default: return known_field::other;
    }
}

/// add_known records a field line whose name classify() knows: into f,
/// and into h unless it is Host (Go moves Host out of the header). Returns
/// the error to answer, if any.
parse_error add_known(known_field k, head_facts& f, ringhttp::header& h, std::string_view name,
                      std::string_view value) noexcept;

/// add_field records one field line; see add_known.
[[gnu::always_inline]] inline parse_error add_field(head_facts& f, ringhttp::header& h, std::string_view name,
                                                    std::string_view value) noexcept {
    const known_field k = classify(name);
    if (k == known_field::other) [[likely]] {
        h.add_view(name, value);
        return {};
    }
    if (k == known_field::host) {  // every request has one: no call for it
        ++f.host_count;
        f.host = {value.data(), value.size()};
        return {};
    }
    return add_known(k, f, h, name, value);
}

/// field_line parses the field line at p, or the blank line that ends the
/// head, a byte at a time, reading the sentinel at stop if it gets there. It
/// returns the start of the next line (`blank` tells whether p was the blank
/// line), or nullptr with out set to need_more or the error.
[[gnu::always_inline]] inline char* field_line(char* p, const char* stop, head_facts& f, ringhttp::header& h,
                                               const parse_limits& limits, parse_result& out, bool& blank) noexcept {
    auto fail = [&](const char* at, parse_error e) noexcept {
        out = at >= stop ? need_more : error(e);
        return nullptr;
    };
    if (p >= stop) return fail(p, {});
    if (*p == '\r') {  // the blank line that ends the head
        if (p + 1 >= stop) return fail(p + 1, {});
        if (p[1] != '\n') return fail(p, bad("bare CR in request head"));
        blank = true;
        return p + 2;
    }
    // RFC 9112 §5.2: obs-fold is rejected with 400.
    if (*p == ' ' || *p == '\t') return fail(p, bad("obs-fold in header field"));
    if (++f.fields > limits.max_fields) return fail(p, {431, "too many header fields"});
    // The name: token characters up to ':' (RFC 9112 §5.1: no whitespace
    // before the colon), canonicalized in place as we go (Go's
    // CanonicalMIMEHeaderKey), in one pass.
    char* n = p;
    bool upper = true;
    for (;;) {
        const char k = chars::canonical_lower(static_cast<unsigned char>(*n));
        if (k == 0) break;
        *n = upper ? chars::canonical_upper(static_cast<unsigned char>(*n)) : k;
        ++n;
        upper = k == '-';
    }
    // n may be stop, and the sentinel ':' (it is neither a token character
    // nor whitespace): the value would start past it.
    if (n == p || n >= stop || *n != ':') return fail(n, bad("invalid header field name"));
    const std::string_view name(p, static_cast<std::size_t>(n - p));
    // The value: field bytes up to CR LF; HTAB is the one control byte allowed.
    const char* v = n + 1;
    while (*v == ' ' || *v == '\t') ++v;
    const char* c = v;
    for (;;) {
        c += scan::find_control(c, static_cast<std::size_t>(stop - c), 0x20);
        if (c >= stop) return fail(c, {});
        if (*c != '\t') break;
        ++c;
    }
    if (*c != '\r') return fail(c, bad("invalid header field value"));
    if (c + 1 >= stop) return fail(c + 1, {});
    if (c[1] != '\n') return fail(c, bad("bare CR in request head"));
    const char* value_end = c;
    while (value_end > v && (value_end[-1] == ' ' || value_end[-1] == '\t')) --value_end;
    if (parse_error e = add_field(f, h, name, std::string_view(v, static_cast<std::size_t>(value_end - v))))
        return fail(c, e);
    return const_cast<char*>(c) + 2;
}

/// finish checks what needs the whole head (target, Host, framing,
/// persistence) and fills r and info from f.
parse_result finish(const head_facts& f, request& r, head_info& info, const parse_limits& limits) noexcept;

}  // namespace ringhttp::engine::parser_detail
