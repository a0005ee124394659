// ringhttp: the vectorized request head parser, written once over a vector
// width and instantiated per instruction set (http1_parser.cpp for SSE2,
// http1_parser_avx2.cpp for AVX2).
//
// Everything here is a template on Ops, the instruction set's operations,
// and nothing else is defined here: http1_parser_avx2.cpp includes this file
// inside a region compiled for AVX2, so an ordinary inline function here
// would be emitted with AVX2 code in one object and without in another, and
// the linker could keep either for both.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <functional>
#include <string_view>

#include <ringhttp/request.hpp>

#include "engine/base/chars.hpp"
#include "engine/http1/http1_parser.hpp"
#include "engine/http1/http1_parser_detail.hpp"
#include "engine/http/request_access.hpp"
#include "engine/http/target.hpp"

namespace ringhttp::engine::parser_detail {

// Ops provides, for a vector type vec of `width` bytes (16 or 32):
//   load(p), store(p, v)      unaligned
//   zero()                    a vector of zeros
//   low_bits(m, n)            m's bits below bit n (n < width)
//   name(v)                   name_masks: `token`, bytes known to be token
//                             characters (all of them, or a subset: the rest
//                             go the byte-at-a-time way); `letter`, ASCII
//                             letters; `lower`, bytes with bit 0x20 set;
//                             `dash`, '-' bytes
//   canonical(v, first)       v with letters cased as Go's
//                             CanonicalMIMEHeaderKey does for bytes of one
//                             name: upper after '-' (and in lane 0 if
//                             `first`), lower elsewhere
//   controls(v)               mask of control bytes and DEL: what ends a
//                             field line, or is an error in one (HTAB aside)
//   target_stop(v)            mask of the bytes a request-target may not
//                             hold (not target_char), SP among them
//   path_keeps(v)             mask of bytes known to stay unescaped in a path
//                             (Go's shouldEscape false; a subset is fine)
//   host_chars(v)             mask of bytes known valid in a Host (a subset
//                             of Go's ValidHostHeader table is fine)
//   colons(v), digits(v)      masks of ':' and of '0'-'9'
// Masks have bit i for lane i; `all` has a bit for every lane.
//
// Where the time goes: the positions a parser finds (a line's end, then the
// next line's start) each depend on the one before, so finding each by a
// load, a compare and a bit scan chains their latencies, line after line.
// Here the line ends come from masks of the control bytes computed 64 bytes
// at a time, at addresses that depend on nothing (so the CPU works ahead on
// them), and walking from one line to the next is a shift and a bit scan.
// Names are checked and canonicalized off that chain, a vector per name.

/// reader loads bytes of [data, stop) a vector or a chunk of 64 at a time.
/// A load never reaches data[len] (the sentinel, which may be a byte that
/// the classes accept, say '/'): near the end it reads a copy of the last 64
/// bytes padded with zeros, a control byte that no class accepts, so every
/// scan ends by stop at the latest. The copy is made at the start, so its
/// stores have long landed when it is read.
template <class Ops>
struct reader {
    using vec = typename Ops::vec;
    static constexpr std::size_t width = Ops::width;
    static constexpr std::size_t chunk = 64;

    const Ops ops;
    const char* const data;
    const char* const stop;
    const char* const tail_base;  // tail holds [tail_base, stop), then zeros
    const char* const last_full;  // the last p with a whole vector before stop, or null
    char tail[2 * chunk];         // read unaligned: no stack realignment

    reader(const char* d, const char* s) noexcept
        : ops(),
          data(d),
          stop(s),
          tail_base(s - d >= static_cast<std::ptrdiff_t>(chunk) ? s - chunk : d),
          last_full(s - d >= static_cast<std::ptrdiff_t>(width) ? s - width : nullptr) {
        for (std::size_t i = chunk; i < 2 * chunk; i += width) Ops::store(tail + i, Ops::zero());
        if (tail_base == data) [[unlikely]] {
            for (std::size_t i = 0; i < chunk; i += width) Ops::store(tail + i, Ops::zero());
            std::memcpy(tail, data, static_cast<std::size_t>(stop - data));
        } else {
            for (std::size_t i = 0; i < chunk; i += width) Ops::store(tail + i, Ops::load(tail_base + i));
        }
    }
    reader(const reader&) = delete;
    reader& operator=(const reader&) = delete;

    /// at returns the vector at p, for p below stop + chunk.
    [[gnu::always_inline]] vec at(const char* p) const noexcept {
        // std::less_equal orders any pointers, null included.
        if (std::less_equal<>{}(p, last_full)) [[likely]]
            return Ops::load(p);
        return Ops::load(tail + (p - tail_base));
    }

    /// controls returns the control-byte mask of the 64 bytes at p, p <= stop.
    [[gnu::always_inline]] std::uint64_t controls(const char* p) const noexcept {
        if (stop - p < static_cast<std::ptrdiff_t>(chunk)) [[unlikely]]
            return tail_controls(p);
        return controls_at(p);
    }
    [[gnu::always_inline]] std::uint64_t tail_controls(const char* p) const noexcept {
        return controls_at(tail + (p - tail_base));
    }
    [[gnu::always_inline]] std::uint64_t controls_at(const char* p) const noexcept {
        std::uint64_t m = 0;
        for (std::size_t i = 0; i < chunk; i += width) m |= std::uint64_t{ops.controls(Ops::load(p + i))} << i;
        return m;
    }
};

/// line_ends walks the control bytes of the head forward from data, 64 at
/// a time. The positions asked for never go back.
template <class Ops>
struct line_ends {
    const reader<Ops>& rd;
    const char* base;  // the chunk in `mask`
    std::uint64_t mask;

    explicit line_ends(const reader<Ops>& r) noexcept : rd(r), base(r.data), mask(r.controls(r.data)) {}

    /// next returns the first control byte (or DEL) at or after p <= stop:
    /// stop at the latest, which reads as a control byte.
    [[gnu::always_inline]] const char* next(const char* p) noexcept {
        constexpr std::size_t chunk = reader<Ops>::chunk;
        if (static_cast<std::size_t>(p - base) >= chunk) [[unlikely]] {
            // p is past this chunk (after a line taken the slow way).
            do {
                base += chunk;
            } while (static_cast<std::size_t>(p - base) >= chunk);
            mask = rd.controls(base);
        }
        if (const std::uint64_t m = mask >> (p - base); m != 0) return p + __builtin_ctzll(m);
        for (;;) {
            base += chunk;
            mask = rd.controls(base);
            if (mask != 0) return base + __builtin_ctzll(mask);
        }
    }
};

/// write_canonical writes the first n bytes of c (the canonical form of the
/// bytes at p) to p, and no more: a wider store would overlap loads still to
/// come, which would then wait for it to land.
template <class Ops>
[[gnu::always_inline]] inline void write_canonical(char* p, typename Ops::vec c, unsigned n) noexcept {
    char tmp[Ops::width];
    Ops::store(tmp, c);
    if (n >= 8) {
        for (unsigned k = 0; k + 8 <= n; k += 8) std::memcpy(p + k, tmp + k, 8);
        std::memcpy(p + n - 8, tmp + n - 8, 8);
    } else {
        for (unsigned k = 0; k < n; ++k) p[k] = tmp[k];
    }
}

/// scan_name checks and canonicalizes the field name at p, the common way:
/// characters of Ops' name class up to a ':'. Returns the ':', or nullptr
/// when the line needs the byte-at-a-time way (a blank line, obs-fold, a
/// token byte outside the class, an error, the data's end). Most names come
/// canonical already, so it checks first, on bit masks, and writes only when
/// a letter's case is wrong, and then only the name's bytes.
template <class Ops>
[[gnu::always_inline]] inline char* scan_name(const reader<Ops>& rd, char* p) noexcept {
    constexpr unsigned w = Ops::width;
    constexpr unsigned all = Ops::all;
    char* b = p;
    unsigned first = 1;  // whether lane 0 starts a word
    for (;;) {
        const typename Ops::vec v = rd.at(b);
        const typename Ops::name_masks m = rd.ops.name(v);
        const unsigned other = ~m.token & all;
        const unsigned n = other != 0 ? static_cast<unsigned>(__builtin_ctz(other)) : w;
        const unsigned in_name = n == w ? all : (1u << n) - 1;
        // Go's CanonicalMIMEHeaderKey: a letter is upper case at the start
        // and after '-', lower case elsewhere; a letter's case is its 0x20 bit.
        const unsigned upper = (m.dash << 1 | first) & all;
        if ((m.letter & in_name & ~(m.lower ^ upper)) != 0) [[unlikely]]
            write_canonical<Ops>(b, rd.ops.canonical(v, first != 0), n);
        if (other == 0) {
            // A whole vector of name characters, all of them before stop.
            first = m.dash >> (w - 1);
            b += w;
            continue;
        }
        char* const end = b + n;
        if (end >= rd.stop || *end != ':' || end == p) return nullptr;
        return end;
    }
}

/// value_bounds finds a field value: from after the ':' at colon and any
/// OWS, to before the OWS that precedes the CR LF. On entry e is the first
/// control byte after the name; on return e[0..1] is the CR LF and
/// [v, end) the value. Returns false with need_more or the error in out.
template <class Ops>
[[gnu::always_inline]] inline bool value_bounds(line_ends<Ops>& ends, const char* colon, const char*& v,
                                                const char*& e, const char*& end, parse_result& out) noexcept {
    const char* const stop = ends.rd.stop;
    v = colon + 1;
    if (*v == ' ') ++v;
    if (static_cast<unsigned char>(*v) <= ' ') [[unlikely]]
        while (*v == ' ' || *v == '\t') ++v;
    // HTAB is the one control byte a value may hold. Reading e[1] is safe
    // when e[0] is CR, which the sentinel is not.
    if (e[0] != '\r' || e[1] != '\n') [[unlikely]] {
        for (;;) {
            if (e >= stop) {
                out = need_more;
                return false;
            }
            if (*e == '\t') {
                e = ends.next(e + 1);
                continue;
            }
            if (*e != '\r') {
                out = error(bad("invalid header field value"));
                return false;
            }
            if (e + 1 >= stop) {
                out = need_more;
                return false;
            }
            if (e[1] != '\n') {
                out = error(bad("bare CR in request head"));
                return false;
            }
            break;
        }
    }
    // e[-1] is a value byte, or the ':' or OWS before an empty value.
    end = e;
    if (static_cast<unsigned char>(end[-1]) <= ' ') [[unlikely]]
        while (end > v && (end[-1] == ' ' || end[-1] == '\t')) --end;
    return true;
}

/// host_ok reports whether host, a view into [rd.data, rd.stop), passes
/// valid_host and valid_host_port, checking Ops' host class a vector at a time.
template <class Ops>
[[gnu::always_inline]] inline bool host_ok(const reader<Ops>& rd, std::string_view host) noexcept {
    const char* h = host.data();
    std::size_t left = host.size();
    if (left == 0) return true;
    for (;;) {
        const typename Ops::vec v = rd.at(h);
        const unsigned m = rd.ops.host_chars(v);
        if (left <= Ops::width) {
            const unsigned need = Ops::all >> (Ops::width - left);
            if ((m & need) != need) break;
            if (left != host.size() || host[0] == '[') return valid_host_port(host);
            // All of it in v: valid_host_port's rule (digits after the first
            // colon, if any) from two masks.
            const unsigned colons = Ops::colons(v) & need;
            if (colons == 0) return true;
            const unsigned port = need & ~((colons & (0u - colons)) * 2 - 1);  // the lanes after the first
            return (rd.ops.digits(v) & port) == port;
        }
        if (m != Ops::all) break;
        h += Ops::width;
        left -= Ops::width;
    }
    return valid_host(host) && valid_host_port(host);
}

/// parse_simd is parse_request (see its contract) a vector at a time.
template <class Ops>
[[gnu::always_inline]] inline parse_result parse_simd(char* data, std::size_t len, request& r, head_info& info,
                                                      const parse_limits& limits) noexcept {
    using detail::request_access;
    constexpr unsigned all = Ops::all;
    // head_info{}, member by member: the compiler builds the whole on the
    // stack and copies it otherwise.
    info.framing = body_framing::none;
    info.content_length = 0;
    info.keep_alive = true;
    info.wants_close = info.http10_keep_alive = info.expect_continue = info.expect_unsupported = false;
    info.asterisk = info.h2_preface = false;
    char* const stop = data + len;
    const reader<Ops> rd(data, stop);
    head_facts f;

    // The target a vector at a time. On the way, see whether the path needs
    // parse_target at all: it does not when it is origin-form and every byte
    // up to the query stays unescaped.
    const char* path_end = nullptr;
    auto scan_target = [&rd, &path_end](const char* t) noexcept {
        for (;;) {
            const typename Ops::vec v = rd.at(t);
            if (path_end == nullptr) {
                const unsigned other = ~rd.ops.path_keeps(v) & all;
                if (other != 0) path_end = t + __builtin_ctz(other);
            }
            // The end is a byte a path does not keep, so at or after path_end.
            const unsigned m = rd.ops.target_stop(v);
            if (m != 0) return t + __builtin_ctz(m);
            t += Ops::width;
        }
    };
    parse_result refused;
    int major, minor;
    char* line = request_line(data, stop, scan_target, r, info, f, major, minor, refused);
    if (line == nullptr) return refused;
    f.plain_path = *f.target.data == '/' && (*path_end == ' ' || *path_end == '?');
    f.plain_path_len = static_cast<std::size_t>(path_end - f.target.data);

    ringhttp::header& h = r.header();
    line_ends<Ops> ends(rd);
    std::size_t fields = 0;
    const std::size_t max_fields = limits.max_fields;
    for (;;) {
        enum class next_step : std::uint8_t { known, general };
        next_step step;
        const char* e = ends.next(line);
        const char* v;
        const char* end;
        char* colon;
        known_field k = known_field::other;
        for (;;) {
            // The name, the common way: under a vector long, canonical
            // already, its characters all in Ops' name class.
            const typename Ops::name_masks m = rd.ops.name(rd.at(line));
            const unsigned other = ~m.token & Ops::all;
            const unsigned n = static_cast<unsigned>(__builtin_ctz(other | (other == 0 ? 1u : 0u)));
            colon = line + n;
            if (other == 0 || n == 0 || colon >= stop || *colon != ':') [[unlikely]] {
                step = next_step::general;
                break;
            }
            // Go's CanonicalMIMEHeaderKey: a letter is upper case at the
            // start and after '-', lower case elsewhere; its case is its
            // 0x20 bit. Names mostly come so; the rest are mended here.
            if (Ops::low_bits(m.letter & ~(m.lower ^ (m.dash << 1 | 1u)), n) != 0) [[unlikely]]
                write_canonical<Ops>(line, rd.ops.canonical(rd.at(line), true), n);
            // Past max_fields the answer is 431 whatever follows; the count
            // is checked where the loop is left, not on every line.
            ++fields;
            if (parse_result res{}; !value_bounds(ends, colon, v, e, end, res)) [[unlikely]]
                return fields > max_fields ? error({431, "too many header fields"}) : res;
            const std::string_view name(line, n);
            k = maybe_known(name) ? classify(name) : known_field::other;
            const std::string_view value(v, static_cast<std::size_t>(end - v));
            if (k != known_field::other) [[unlikely]] {
                // Host, and Connection with one of its usual values, here;
                // the rest out of the loop.
                if (k == known_field::host) {
                    ++f.host_count;
                    f.host = {v, value.size()};
                    line = const_cast<char*>(e) + 2;
                    e = ends.next(line);
                    continue;
                }
                if (k == known_field::connection && is_word(value, "keep-alive")) {
                    f.conn_keep_alive = true;
                } else if (k == known_field::connection && is_word(value, "close")) {
                    f.conn_close = true;
                } else {
                    step = next_step::known;
                    break;
                }
            }
            h.add_view(name, value);
            line = const_cast<char*>(e) + 2;
            e = ends.next(line);
        }
        if (fields > max_fields) return error({431, "too many header fields"});
        if (step == next_step::known) {
            if (parse_error err = add_known(k, f, h, std::string_view(line, static_cast<std::size_t>(colon - line)),
                                            std::string_view(v, static_cast<std::size_t>(end - v))))
                return error(err);
            line = const_cast<char*>(e) + 2;
        } else if (step == next_step::general) {
            // Any other line: the blank line that ends the head (line[0] is
            // CR, so line[1] is at most the sentinel), a long or
            // non-canonical name (scan_name takes them), or the
            // byte-at-a-time way for the rest.
            if (line[0] == '\r' && line[1] == '\n') {
                line += 2;
                break;
            }
            colon = scan_name<Ops>(rd, line);
            if (colon == nullptr) {
                parse_result out;
                bool blank = false;
                f.fields = fields;
                line = field_line(line, stop, f, h, limits, out, blank);
                if (line == nullptr) return out;
                if (blank) break;
                fields = f.fields;
                continue;
            }
            if (++fields > max_fields) return error({431, "too many header fields"});
            if (parse_result res{}; !value_bounds(ends, colon, v, e, end, res)) return res;
            if (parse_error err = add_field(f, h, std::string_view(line, static_cast<std::size_t>(colon - line)),
                                            std::string_view(v, static_cast<std::size_t>(end - v))))
                return error(err);
            line = const_cast<char*>(e) + 2;
        }
    }
    f.fields = fields;
    f.head_len = static_cast<std::size_t>(line - data);
    if (f.host_count == 1 && host_ok<Ops>(rd, f.host.view())) {
        f.host_checked = true;
        // finish() for the usual request, inline: HTTP/1.1, a plain
        // origin-form target, one good Host and no framing, Connection or
        // Expect fields. info is as head_info{} leaves it, keep-alive.
        if (f.plain_path && major == 1 && minor == 1 && (f.te_count | f.has_content_length | f.has_expect |
                                                         f.conn_close) == 0 &&
            f.head_len <= limits.max_head_bytes) {
            // Field by field: `u = url{}` compiles to a slow `rep stos` here.
            url& u = r.url();
            u.scheme = {};
            u.host = {};
            u.raw_path = {};
            u.path = std::string_view(f.target.data, f.plain_path_len);
            u.raw_query = f.plain_path_len < f.target.size
                              ? std::string_view(f.target.data + f.plain_path_len + 1,
                                                 f.target.size - f.plain_path_len - 1)
                              : std::string_view{};
            request_access::set_host(r, f.host.view());
            request_access::set_close(r, false);
            return {parse_result::status::complete, f.head_len, {}};
        }
    }
    return finish(f, r, info, limits);
}

}  // namespace ringhttp::engine::parser_detail
