// ringhttp: the request head codec: head_scanner, the byte-at-a-time parser,
// the SSE2 instance of http1_parser_simd.hpp, and the choice among them.
#include "engine/http1/http1_parser.hpp"

#include <atomic>
#include <cstring>

#include "engine/base/chars.hpp"
#include "engine/http1/http1_parser_detail.hpp"
#include "engine/http/request_access.hpp"
#include "engine/base/scan.hpp"
#include "engine/http/target.hpp"

#if defined(__SSE2__)
#include <emmintrin.h>

#include "engine/http1/http1_parser_simd.hpp"
#endif

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
            const unsigned bare = ((m.cr << 1 | carry_cr) & 0xffffu) ^ m.lf;
            // A blank line: an LF two bytes after another LF ("\r\n\r\n").
            const unsigned blank = m.lf & ((m.lf << 2) | carry_lf);
            if (blank != 0) {
                // Only the lanes up to the head's last LF are the head's: what
                // follows in the block (a body, the next request) may hold any
                // byte, a bare LF included (found by fuzz_request).
                const unsigned end = static_cast<unsigned>(__builtin_ctz(blank));
                if ((bare & ((2u << end) - 1)) != 0) return {status::error, 0, {400, "bare CR or LF in request head"}};
                pos_ = 0;
                return {status::complete, pos + end + 1, {}};
            }
            if (bare != 0) return {status::error, 0, {400, "bare CR or LF in request head"}};
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

namespace parser_detail {

namespace {

// What one Transfer-Encoding field line holds. RFC 9112 §6.1, RFC 9110
// §10.1.4: Transfer-Encoding = #transfer-coding, transfer-coding = token *(
// OWS ";" OWS transfer-parameter ), transfer-parameter = token BWS "=" BWS (
// token / quoted-string ).
struct coding_list {
    bool valid = true;            // the list is well formed, without empty elements
    bool chunked_last = false;    // its last coding is chunked, with no parameters
    bool named_chunked = false;   // a coding, the last included, is chunked (parameters or not)
    bool chunked_before = false;  // a coding before the last is chunked
    bool others = false;          // a coding before the last is another one
};

bool is_ows(char c) noexcept { return c == ' ' || c == '\t'; }

// Empty list elements (RFC 9110 §5.6.1 asks a recipient to skip a few) make
// the list invalid here: front ends disagree on ", chunked" and "chunked,",
// and a disagreement on the final coding is a disagreement on framing.
coding_list parse_codings(std::string_view v) noexcept {
    coding_list out;
    std::size_t i = 0;
    const std::size_t n = v.size();
    auto ows = [&]() noexcept {
        while (i < n && is_ows(v[i])) ++i;
    };
    auto token = [&]() noexcept {
        const std::size_t from = i;
        while (i < n && chars::is_tchar(static_cast<unsigned char>(v[i]))) ++i;
        return v.substr(from, i - from);
    };
    auto quoted = [&]() noexcept {  // at the opening DQUOTE (RFC 9110 §5.6.4)
        for (++i; i < n; ++i) {
            const auto c = static_cast<unsigned char>(v[i]);
            if (c == '"') {
                ++i;
                return true;
            }
            if (c == '\\') {
                if (++i == n) return false;
                continue;  // quoted-pair: any field byte (the value holds nothing else)
            }
        }
        return false;
    };
    auto invalid = [&out]() noexcept {
        out = {};
        out.valid = false;
        return out;
    };
    for (;;) {
        ows();
        const std::string_view name = token();
        if (name.empty()) return invalid();
        bool parameters = false;
        for (;;) {
            const std::size_t before = i;
            ows();
            if (i == n || v[i] != ';') {
                i = before;
                break;
            }
            ++i;
            ows();
            if (token().empty()) return invalid();
            ows();
            if (i == n || v[i] != '=') return invalid();
            ++i;
            ows();
            if (i < n && v[i] == '"' ? !quoted() : token().empty()) return invalid();
            parameters = true;
        }
        ows();
        const bool chunked = ascii_iequals(name, "chunked");
        out.named_chunked |= chunked;
        if (i == n) {
            out.chunked_last = chunked && !parameters;
            return out;
        }
        if (v[i] != ',') return invalid();
        ++i;
        (chunked ? out.chunked_before : out.others) = true;
    }
}

}  // namespace

parse_error add_known(known_field k, head_facts& f, ringhttp::header& h, std::string_view name,
                      std::string_view value) noexcept {
    switch (k) {
        case known_field::host:
            ++f.host_count;
            f.host = {value.data(), value.size()};
            return {};
        case known_field::content_length:
            // RFC 9110 §8.6: several identical values may be folded; differing ones are an error.
            if (value.empty()) return bad("invalid Content-Length");
            if (f.has_content_length && f.content_length.view() != value) return bad("conflicting Content-Length");
            f.content_length = {value.data(), value.size()};
            f.has_content_length = true;
            break;
        case known_field::transfer_encoding:
            if (f.te_count > 0) {
                // The lines form one list (RFC 9110 §5.3): the earlier one
                // must be well formed and cannot hold chunked, which must be
                // the final coding (RFC 9112 §6.3) and is applied once (§6.1).
                const coding_list earlier = parse_codings(f.transfer_encoding.view());
                if (!earlier.valid) return bad("malformed Transfer-Encoding");
                if (earlier.named_chunked) return bad("chunked is not the final transfer coding");
                f.te_other = true;
            }
            ++f.te_count;
            f.transfer_encoding = {value.data(), value.size()};
            break;
        case known_field::connection:
            // The usual values, whole, without has_token's walk over a list.
            if (is_word(value, "keep-alive")) {
                f.conn_keep_alive = true;
            } else if (is_word(value, "close")) {
                f.conn_close = true;
            } else {
                f.conn_close |= has_token(value, "close");
                f.conn_keep_alive |= has_token(value, "keep-alive");
            }
            break;
        case known_field::expect:
            // An empty Expect counts as none, as before a non-empty one.
            if (!f.has_expect && !value.empty()) {
                f.expect = {value.data(), value.size()};
                f.has_expect = true;
            }
            break;
        case known_field::other:
            break;
    }
    h.add_view(name, value);
    return {};
}

parse_result finish(const head_facts& f, request& r, head_info& info, const parse_limits& limits) noexcept {
    using detail::request_access;
    if (f.head_len > limits.max_head_bytes) {
        if (f.request_line_len > limits.max_head_bytes) return error({414, "request line too long"});
        return error({431, "request header fields too large"});
    }
    auto done = [&f](parse_error e) noexcept {
        return e ? error(e) : parse_result{parse_result::status::complete, f.head_len, {}};
    };
    const std::string_view method = f.method.view();
    const std::string_view target = f.target.view();
    if (f.plain_path) {
        // What parse_target makes of such a target, without looking again.
        url& u = r.url();
        u = url{};
        u.path = target.substr(0, f.plain_path_len);
        if (f.plain_path_len < target.size()) u.raw_query = target.substr(f.plain_path_len + 1);
    } else if (const char* why = parse_target(method, target, r.url(), r.storage())) {
        return done(bad(why));
    }
    info.asterisk = equals(target, "*") && equals(method, "OPTIONS");

    const bool http11 = r.proto_at_least(1, 1);
    // Host (RFC 9112 §3.2): required once in HTTP/1.1, never twice.
    if (f.host_count > 1) return done(bad("too many Host headers"));
    if (info.h2_preface && f.fields > 0) info.h2_preface = false;  // Go: a preface has no fields
    if (http11 && f.host_count == 0 && !equals(method, "CONNECT") && !info.h2_preface)
        return done(bad("missing required Host header"));
    const std::string_view host = f.host_count > 0 ? f.host.view() : std::string_view{};
    if (f.host_count == 1 && !f.host_checked && (!valid_host(host) || !valid_host_port(host)))
        return done(bad("malformed Host header"));
    request_access::set_host(r, r.url().host.empty() ? host : r.url().host);

    // Body framing (RFC 9112 §6).
    if (f.te_count > 0) {
        // §6.1: a Transfer-Encoding in HTTP/1.0 means the framing is faulty.
        if (!http11) return done(bad("Transfer-Encoding in HTTP/1.0 request"));
        // §6.3: when chunked is not the final coding the length cannot be
        // determined: 400 and close (Go answers 501 and closes). So is a list
        // that does not parse, one that applies chunked twice (§6.1), and
        // chunked with parameters, which it has none of.
        const coding_list last = parse_codings(f.transfer_encoding.view());
        if (!last.valid) return done(bad("malformed Transfer-Encoding"));
        if (last.chunked_before)
            return done(bad(last.chunked_last ? "chunked applied more than once"
                                              : "chunked is not the final transfer coding"));
        if (last.named_chunked && !last.chunked_last) return done(bad("chunked with parameters"));
        // §6.1: a well-formed list of codings not implemented here, that is
        // any but a lone chunked ("gzip", "gzip, chunked"): 501, and the
        // connection closes, as in Go.
        if (!last.chunked_last || last.others || f.te_other) return done({501, "unsupported transfer encoding"});
        // §6.1 and §6.3: with both framings a request may be smuggled; refuse
        // it rather than trust either (Go drops Content-Length and goes on).
        if (f.has_content_length) return done(bad("both Content-Length and Transfer-Encoding"));
        info.framing = body_framing::chunked;
        request_access::set_content_length(r, -1);
    } else if (f.has_content_length) {
        const std::int64_t cl = parse_content_length(f.content_length.view());
        if (cl < 0) return done(bad("invalid Content-Length"));
        info.framing = cl > 0 ? body_framing::length : body_framing::none;
        info.content_length = cl;
        request_access::set_content_length(r, cl);
    }

    info.wants_close = f.conn_close || info.h2_preface;
    // RFC 9112 §9.3: "close" ends persistence even beside "keep-alive" (Go
    // keeps an HTTP/1.0 connection open then).
    info.http10_keep_alive = !http11 && f.conn_keep_alive && !f.conn_close;
    info.keep_alive = http11 ? !f.conn_close : (f.conn_keep_alive && !f.conn_close);
    request_access::set_close(r, !info.keep_alive);
    if (f.has_expect) {
        if (has_token(f.expect.view(), "100-continue"))
            info.expect_continue = http11 && r.content_length() != 0;
        else
            info.expect_unsupported = true;
    }
    return done({});
}

parse_result parse_portable(char* data, std::size_t len, request& r, head_info& info,
                            const parse_limits& limits) noexcept {
    info = head_info{};
    // One pass over the head, stopping at the sentinel data[len] when the
    // bytes run out. Every loop stops at the sentinel because it is not a
    // token character, not whitespace and a control byte; only a failure
    // decides whether it was the data's end (need more) or a real error.
    const char* const stop = data + len;
    head_facts f;

    // The target a byte at a time, by target_char's table.
    auto scan_target = [stop](const char* q) noexcept {
        while (q < stop && target_table[static_cast<unsigned char>(*q)]) ++q;
        return q;
    };
    parse_result out;
    int major, minor;
    char* line = request_line(data, stop, scan_target, r, info, f, major, minor, out);
    if (line == nullptr) return out;

    ringhttp::header& h = r.header();
    for (bool blank = false; !blank;) {
        line = field_line(line, stop, f, h, limits, out, blank);
        if (line == nullptr) return out;
    }
    f.head_len = static_cast<std::size_t>(line - data);
    return finish(f, r, info, limits);
}

#if defined(__SSE2__)
namespace {

// SSE2 has no byte shuffle, so the classes are unions of ranges, each range
// test an add and a signed compare: x in [lo, hi] exactly when x - lo + 0x80,
// read as signed, is below hi - lo + 1 - 0x80.
struct sse2_ops {
    using vec = __m128i;
    static constexpr std::size_t width = 16;
    static constexpr unsigned all = 0xffff;

    static vec load(const char* p) noexcept { return _mm_loadu_si128(reinterpret_cast<const __m128i*>(p)); }
    static void store(char* p, vec v) noexcept { _mm_storeu_si128(reinterpret_cast<__m128i*>(p), v); }
    static vec zero() noexcept { return _mm_setzero_si128(); }
    static unsigned low_bits(unsigned m, unsigned n) noexcept { return m & ((1u << n) - 1); }
    static vec splat(int c) noexcept { return _mm_set1_epi8(static_cast<char>(c)); }
    // A constant the compiler keeps (in a register or on the stack) instead
    // of building it again after every call it cannot see through.
    static vec opaque(int c) noexcept {
        vec v = splat(c);
        asm("" : "+x"(v));
        return v;
    }
    static unsigned bits(vec m) noexcept { return static_cast<unsigned>(_mm_movemask_epi8(m)); }

    // The constants of the ranges the name and line classes test.
    const vec k20 = opaque(0x20), letter_base = opaque(0x80 - 'a'), letter_span = opaque('z' - 'a' + 1 - 0x80),
              digit_base = opaque(0x80 - '0'), digit_span = opaque(10 - 0x80), dash = opaque('-'), k01 = opaque(1),
              k21 = opaque(0x21);

    // Written out, as the AVX2 one must be.
    sse2_ops() noexcept {}
    sse2_ops(const sse2_ops&) = delete;
    sse2_ops& operator=(const sse2_ops&) = delete;

    static vec in(vec v, int lo, int hi) noexcept {
        return _mm_cmplt_epi8(_mm_add_epi8(v, splat(0x80 - lo)), splat(hi - lo + 1 - 0x80));
    }
    vec letter(vec v) const noexcept {
        return _mm_cmplt_epi8(_mm_add_epi8(_mm_or_si128(v, k20), letter_base), letter_span);
    }

    struct name_masks {
        unsigned token;
        unsigned letter;
        unsigned lower;
        unsigned dash;
    };
    // Tokens known: letters, digits and '-', all but a few of the names in use.
    name_masks name(vec v) const noexcept {
        const vec letters = letter(v);
        const vec dashes = _mm_cmpeq_epi8(v, dash);
        const vec digits = _mm_cmplt_epi8(_mm_add_epi8(v, digit_base), digit_span);
        return {bits(_mm_or_si128(_mm_or_si128(letters, digits), dashes)), bits(letters), bits(_mm_slli_epi16(v, 2)),
                bits(dashes)};
    }
    vec canonical(vec v, bool first) const noexcept {
        const vec lane0 = _mm_cvtsi32_si128(first ? 0xff : 0);
        const vec upper = _mm_or_si128(_mm_slli_si128(_mm_cmpeq_epi8(v, dash), 1), lane0);
        const vec bit = _mm_and_si128(letter(v), k20);
        return _mm_xor_si128(_mm_or_si128(v, bit), _mm_and_si128(bit, upper));
    }
    // Below 0x20, or DEL: v + 1, signed, below 0x21 takes in 0x00-0x1f, DEL
    // (now -128) and the bytes from 0x80, which v's bit 7 then drops.
    unsigned controls(vec v) const noexcept {
        return bits(_mm_andnot_si128(v, _mm_cmplt_epi8(_mm_add_epi8(v, k01), k21)));
    }
    // Bytes a request-target may not hold (target_char), SP among them: not
    // a letter, not in "$%&'()*+,-./0123456789:;" or "?@", and none of
    // "!=[]_~". The range tests are exact for bytes from 0x80 too.
    unsigned target_stop(vec v) const noexcept {
        const vec ranges = _mm_or_si128(_mm_or_si128(letter(v), in(v, '$', ';')), in(v, '?', '@'));
        const vec singles =
            _mm_or_si128(_mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, splat('!')), _mm_cmpeq_epi8(v, splat('='))),
                                      _mm_or_si128(_mm_cmpeq_epi8(v, splat('[')), _mm_cmpeq_epi8(v, splat(']')))),
                         _mm_or_si128(_mm_cmpeq_epi8(v, splat('_')), _mm_cmpeq_epi8(v, splat('~'))));
        return ~bits(_mm_or_si128(ranges, singles)) & all;
    }
    // Letters, "+,-./0123456789:;", '_' and '~'.
    unsigned path_keeps(vec v) const noexcept {
        return bits(_mm_or_si128(_mm_or_si128(letter(v), in(v, '+', ';')),
                                 _mm_or_si128(_mm_cmpeq_epi8(v, splat('_')), _mm_cmpeq_epi8(v, splat('~')))));
    }
    // Letters, digits, ':', '.' and '-'.
    unsigned host_chars(vec v) const noexcept {
        return bits(_mm_or_si128(_mm_or_si128(letter(v), in(v, '0', ':')),
                                 _mm_or_si128(_mm_cmpeq_epi8(v, splat('.')), _mm_cmpeq_epi8(v, dash))));
    }
    static unsigned colons(vec v) noexcept { return bits(_mm_cmpeq_epi8(v, splat(':'))); }
    unsigned digits(vec v) const noexcept { return bits(_mm_cmplt_epi8(_mm_add_epi8(v, digit_base), digit_span)); }
};

}  // namespace

parse_result parse_sse2(char* data, std::size_t len, request& r, head_info& info,
                        const parse_limits& limits) noexcept {
    return parse_simd<sse2_ops>(data, len, r, info, limits);
}
#endif

bool supported(variant v) noexcept {
    switch (v) {
        case variant::portable: return true;
#if defined(__SSE2__)
        case variant::sse2: return true;
#endif
#if RINGHTTP_PARSER_AVX2
        case variant::avx2: __builtin_cpu_init(); return __builtin_cpu_supports("avx2");
#endif
        default: return false;
    }
}

variant best() noexcept {
    if (supported(variant::avx2)) return variant::avx2;
    if (supported(variant::sse2)) return variant::sse2;
    return variant::portable;
}

namespace {

using parse_fn = parse_result (*)(char*, std::size_t, request&, head_info&, const parse_limits&) noexcept;

parse_fn function(variant v) noexcept {
    switch (v) {
#if RINGHTTP_PARSER_AVX2
        case variant::avx2: return parse_avx2;
#endif
#if defined(__SSE2__)
        case variant::sse2: return parse_sse2;
#endif
        default: return parse_portable;
    }
}

// Chosen at static initialization; a parse_request before it (from another
// file's initializer) chooses then. Relaxed: any thread that sees null
// makes the same choice.
std::atomic<parse_fn> chosen{nullptr};
[[maybe_unused]] const bool chosen_early = (chosen.store(function(best()), std::memory_order_relaxed), true);

}  // namespace

parse_result parse_with(variant v, char* data, std::size_t len, request& r, head_info& info,
                        const parse_limits& limits) noexcept {
    return function(v)(data, len, r, info, limits);
}

}  // namespace parser_detail

parse_result parse_request(char* data, std::size_t len, request& r, head_info& info,
                           const parse_limits& limits) noexcept {
    parser_detail::parse_fn f = parser_detail::chosen.load(std::memory_order_relaxed);
    if (f == nullptr) [[unlikely]] {
        f = parser_detail::function(parser_detail::best());
        parser_detail::chosen.store(f, std::memory_order_relaxed);
    }
    return f(data, len, r, info, limits);
}

parse_error parse_head(char* head, std::size_t len, request& r, head_info& info, const parse_limits& limits) noexcept {
    // The scanner has seen CR LF CR LF at the end, so the head is complete;
    // head[len] is a valid byte (the next request's, or a sentinel) and
    // parsing never looks past the blank line.
    parse_result res = parse_request(head, len, r, info, limits);
    if (res.state == parse_result::status::need_more) return parser_detail::bad("malformed request head");
    return res.error;
}

}  // namespace ringhttp::engine
