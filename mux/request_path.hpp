// ringhttp mux: a request path split into the segments the trie matches,
// plus the small string helpers routing needs on every request.
#pragma once

#include <bit>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string_view>
#include <type_traits>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace ringhttp::mux_detail {

/// hash_bytes is the hash of trie keys and request segments (not seeded:
/// only registered keys decide the table layout, so a client cannot make a
/// lookup scan longer than the longest page).
/// Also a constant expression (the bytes are then assembled one by one, as
/// a load would read them).
constexpr std::uint64_t hash_bytes(std::string_view s) noexcept {
    constexpr std::uint64_t mul = 0x9E3779B97F4A7C15ull;
    const char* p = s.data();
    const std::size_t n = s.size();
    auto load = [](const char* q, int bytes) {
        std::uint64_t v = 0;
        if (std::is_constant_evaluated()) {
            for (int i = 0; i < bytes; ++i) {
                const int at = std::endian::native == std::endian::little ? i : bytes - 1 - i;
                v |= std::uint64_t{static_cast<unsigned char>(q[i])} << (8 * at);
            }
        } else if (bytes == 8) {
            std::memcpy(&v, q, 8);
        } else {
            std::uint32_t w;
            std::memcpy(&w, q, 4);
            v = w;
        }
        return v;
    };
    auto load64 = [&](const char* q) { return load(q, 8); };
    auto load32 = [&](const char* q) { return load(q, 4); };
    // Short keys (nearly all): one or two overlapping loads and one multiply.
    std::uint64_t h = n * 0xC2B2AE3D27D4EB4Full;
    if (n <= 8) {
        std::uint64_t w = 0;
        if (n >= 4) {
            w = load32(p) | load32(p + n - 4) << 32;
        } else if (n > 0) {
            w = std::uint64_t{static_cast<unsigned char>(p[0])} |
                std::uint64_t{static_cast<unsigned char>(p[n / 2])} << 8 |
                std::uint64_t{static_cast<unsigned char>(p[n - 1])} << 16;
        }
        h = (h ^ w) * mul;
    } else if (n <= 16) {
        h = (h ^ load64(p)) * mul;
        h = (h ^ (h >> 29) ^ load64(p + n - 8)) * mul;
    } else {
        for (std::size_t i = 0; i + 8 < n; i += 8) h = (h ^ (h >> 29) ^ load64(p + i)) * mul;
        h = (h ^ (h >> 29) ^ load64(p + n - 8)) * mul;
    }
    // Tables pick pages with the low bits, and the low bits of a product
    // depend only on the low bits of its factors: fold the high half (which
    // depends on every input byte) down, then mix once more.
    h ^= h >> 32;
    h *= 0xBF58476D1CE4E5B9ull;
    return h ^ (h >> 29);
}

/// same_key compares two short strings without a call to memcmp (trie keys
/// are path segments, hosts and methods: a few dozen bytes at most).
[[gnu::always_inline]] inline bool same_key(std::string_view a, std::string_view b) noexcept {
    const std::size_t n = a.size();
    if (n != b.size()) return false;
    const char* p = a.data();
    const char* q = b.data();
    auto load64 = [](const char* s) {
        std::uint64_t v;
        std::memcpy(&v, s, 8);
        return v;
    };
    auto load32 = [](const char* s) {
        std::uint32_t v;
        std::memcpy(&v, s, 4);
        return v;
    };
    if (n >= 8) {
        for (std::size_t i = 0; i + 8 < n; i += 8)
            if (load64(p + i) != load64(q + i)) return false;
        return load64(p + n - 8) == load64(q + n - 8);
    }
    if (n >= 4) return load32(p) == load32(q) && load32(p + n - 4) == load32(q + n - 4);
    for (std::size_t i = 0; i < n; ++i)
        if (p[i] != q[i]) return false;
    return true;
}

/// path_segment is one request path segment as the trie sees it.
struct path_segment {
    std::string_view text;  ///< unescaped (raw when its escapes are malformed); "/" for a trailing slash
    std::uint64_t hash;     ///< hash_bytes(text)
    std::size_t offset;     ///< index in source() of the '/' that starts it
};

/// request_path splits an escaped path the way Go's mux walks it: each
/// "/x" is the segment x, unescaped on its own (so "%2F" is no separator),
/// and a final "/" is the segment "/". Only the first `limit` segments are
/// kept (no pattern is deeper); cleanliness is judged on the whole path.
/// Views point into the escaped path and into the object itself: the path
/// must outlive it, and it must not be copied while in use.
class request_path {
public:
    request_path() = default;
    request_path(const request_path&) = delete;
    request_path& operator=(const request_path&) = delete;

    /// assign splits escaped. Allocates only for paths with more than 32
    /// kept segments, or with escapes and longer than 256 bytes.
    void assign(std::string_view escaped, std::size_t limit);

    /// assign_decoded splits a rooted, decoded URL path whose escaped form
    /// is escape(path) (a url with an empty raw_path). Escaping neither adds
    /// nor removes a '/' or a '.', and unescaping an escaped segment gives the
    /// segment back, so the decoded path has exactly the segments, slashes,
    /// dot segments and multi-wildcard rests Go matches on its escaped form:
    /// no byte needs to be looked at but the slashes.
    void assign_decoded(std::string_view path, std::size_t limit);

    /// source is the path as split: escaped, or decoded after assign_decoded.
    std::string_view source() const noexcept { return source_; }
    /// decoded reports whether source() is a decoded path (rests of it need
    /// no unescaping).
    bool decoded() const noexcept { return decoded_; }
    /// clean reports whether the path equals Go's cleanPath of itself.
    bool clean() const noexcept { return clean_; }
    /// at_end reports whether a node at depth i has consumed the whole path.
    bool at_end(std::size_t i) const noexcept { return complete_ && i == size_; }
    const path_segment& operator[](std::size_t i) const noexcept { return segs_[i]; }
    /// max_depth_hint bounds the depth of any node a walk can reach on this
    /// path: the number of segments kept, plus one.
    std::size_t max_depth_hint() const noexcept { return size_ + 1; }
    /// slash_count is the number of '/' in the path.
    std::size_t slash_count() const noexcept;

    /// push_slash makes this the path plus a trailing '/' (Go's trailing-slash
    /// redirect probe). Returns false, changing nothing, when the path has more
    /// segments than any pattern (then no pattern can match it exactly).
    bool push_slash() noexcept;
    void pop_slash() noexcept;

private:
    void reserve(std::size_t limit);

    static constexpr std::size_t inline_segments = 32;
    static constexpr std::size_t inline_bytes = 256;

    // Uninitialized until written: zeroing 32 segments would cost more than
    // a whole lookup.
    union segment_storage {
        segment_storage() noexcept {}
        path_segment items[inline_segments];
    };

    void push(std::string_view text, std::uint64_t hash, std::size_t offset) noexcept {
        std::construct_at(segs_ + size_++, path_segment{text, hash, offset});
    }

    std::string_view source_;
    bool decoded_ = false;
    path_segment* segs_ = inline_.items;
    std::size_t size_ = 0;
    std::size_t capacity_ = inline_segments;
    bool complete_ = true;
    bool clean_ = true;
    segment_storage inline_;
    std::unique_ptr<path_segment[]> heap_segs_;
    char inline_buf_[inline_bytes];
    std::unique_ptr<char[]> heap_buf_;
};

/// surely_clean reports that a rooted path is clean when it holds neither
/// "//" nor "/." (a fast, conservative test: false does not mean unclean).
bool surely_clean(std::string_view path) noexcept;

inline constexpr std::uint64_t byte_ones = 0x0101010101010101ull;
inline constexpr std::uint64_t byte_low7 = 0x7F7F7F7F7F7F7F7Full;

/// load_word reads eight bytes (in memory order: little-endian machines
/// see p[0] in the low byte).
inline std::uint64_t load_word(const char* p) noexcept {
    std::uint64_t w;
    std::memcpy(&w, p, 8);
    return w;
}

/// bytes_equal has 0x80 in every byte of w that equals c, 0 elsewhere.
/// Exact: the 7-bit addition cannot carry into the next byte, so bytes do
/// not disturb each other (the usual (w - 0x01..) & ~w trick may mark bytes
/// above a match).
inline std::uint64_t bytes_equal(std::uint64_t w, unsigned char c) noexcept {
    const std::uint64_t x = w ^ (byte_ones * c);
    return ~(((x & byte_low7) + byte_low7) | x) & ~byte_low7;
}

/// byte_mask gathers the 0x80 bits of the eight bytes of m (as from
/// bytes_equal) into bits 0-7, byte k's as bit k. The product puts byte
/// k's bit at 56 + k; every other partial product lands above bit 63 or, at
/// a position of its own, below bit 56, so nothing carries into the result.
inline std::uint64_t byte_mask(std::uint64_t m) noexcept { return ((m >> 7) * 0x0102040810204080ull) >> 56; }

/// short_path is the most bytes scan_short_path and short_byte_masks look at.
inline constexpr std::size_t short_path = 64;

#if defined(__SSE2__)
/// short_byte_masks returns, for a string of at most short_path bytes,
/// the byte masks of mask_of(v) over 16-byte vectors v covering it: bit i
/// is bit k of the mask of the vector whose byte k is s[i]. mask_of must
/// be a byte-wise test that is false for a zero byte (short strings are
/// zero-padded). Reads no byte outside s: longer strings are loaded as
/// overlapping vectors, whose masks overlap with equal bits. Little-endian
/// machines (SSE2) only.
template <std::size_t N, class MaskOf>
[[gnu::always_inline]] inline void short_byte_masks(std::string_view s, MaskOf&& mask_of, std::uint64_t (&out)[N]) noexcept {
    const char* p = s.data();
    const std::size_t n = s.size();
    unsigned m[N];
    for (std::size_t k = 0; k < N; ++k) out[k] = 0;
    if (n >= 16) {
        std::size_t i = 0;
        for (; i + 16 <= n; i += 16) {
            mask_of(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p + i)), m);
            for (std::size_t k = 0; k < N; ++k) out[k] |= std::uint64_t{m[k]} << i;
        }
        if (i < n) {
            mask_of(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p + n - 16)), m);
            for (std::size_t k = 0; k < N; ++k) out[k] |= std::uint64_t{m[k]} << (n - 16);
        }
        return;
    }
    std::uint64_t lo = 0, hi = 0;  // bytes [0, 8) and [n - 8, n), or the string zero-padded
    std::size_t hi_at = 8;
    if (n >= 8) {
        lo = load_word(p);
        hi = load_word(p + n - 8);
        hi_at = n - 8;
    } else if (n >= 4) {
        std::uint32_t a, b;
        std::memcpy(&a, p, 4);
        std::memcpy(&b, p + n - 4, 4);
        lo = std::uint64_t{a} | std::uint64_t{b} << (8 * (n - 4));
    } else if (n > 0) {
        const auto byte = [p](std::size_t k) { return std::uint64_t{static_cast<unsigned char>(p[k])}; };
        lo = byte(0) | byte(n / 2) << (8 * (n / 2)) | byte(n - 1) << (8 * (n - 1));
    }
    mask_of(_mm_set_epi64x(static_cast<long long>(hi), static_cast<long long>(lo)), m);
    for (std::size_t k = 0; k < N; ++k) out[k] = (m[k] & 0xFFu) | std::uint64_t{m[k] >> 8} << hi_at;
}
#endif

/// scan_short_path returns surely_clean(path) for a path of at most
/// short_path bytes, and sets bit i of slashes for every '/' at path[i].
/// One pass: sixteen bytes at a time with SSE2, else eight (little-endian
/// machines); reads no byte outside path.
inline bool scan_short_path(std::string_view path, std::uint64_t& slashes) noexcept {
    const char* p = path.data();
    const std::size_t n = path.size();
    std::uint64_t s = 0;
    std::uint64_t near = 0;  // '/' or '.': they differ only in the low bit
    if constexpr (std::endian::native == std::endian::little) {
#if defined(__SSE2__)
        const __m128i slash = _mm_set1_epi8('/');
        const __m128i low = _mm_set1_epi8(1);
        std::uint64_t masks[2];
        short_byte_masks(
            path,
            [&](__m128i v, unsigned (&m)[2]) {
                m[0] = static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(v, slash)));
                m[1] = static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(_mm_or_si128(v, low), slash)));
            },
            masks);
        s = masks[0];
        near = masks[1];
#else
        auto add = [&](std::uint64_t w, std::size_t at) {
            s |= byte_mask(bytes_equal(w, '/')) << at;
            near |= byte_mask(bytes_equal(w | byte_ones, '/')) << at;
        };
        if (n >= 8) {
            std::size_t i = 0;
            for (; i + 8 <= n; i += 8) add(load_word(p + i), i);
            if (i < n) add(load_word(p + n - 8), n - 8);
        } else if (n >= 4) {
            std::uint32_t a, b;
            std::memcpy(&a, p, 4);
            std::memcpy(&b, p + n - 4, 4);
            add(std::uint64_t{a} | std::uint64_t{b} << (8 * (n - 4)), 0);
        } else if (n > 0) {
            const auto byte = [p](std::size_t k) { return std::uint64_t{static_cast<unsigned char>(p[k])}; };
            add(byte(0) | byte(n / 2) << (8 * (n / 2)) | byte(n - 1) << (8 * (n - 1)), 0);
        }
#endif
    } else {
        for (std::size_t i = 0; i < n; ++i) {
            s |= std::uint64_t{p[i] == '/'} << i;
            near |= std::uint64_t{p[i] == '/' || p[i] == '.'} << i;
        }
    }
    slashes = s;
    // Rooted, and no '/' followed by '/' or '.'.
    return (s & 1) != 0 && (s & (near >> 1)) == 0;
}

/// strip_host_port_slow is strip_host_port for any host.
std::string_view strip_host_port_slow(std::string_view host) noexcept;

/// strip_host_port returns host without a trailing ":port", as Go's
/// stripHostPort (net.SplitHostPort; unchanged when that would fail).
/// Hosts of up to short_path bytes take one vector pass for ':', '[' and
/// ']' (with SSE2), instead of four searches.
inline std::string_view strip_host_port(std::string_view h) noexcept {
#if defined(__SSE2__)
    if (h.size() - 1 < short_path) {  // 1 to 64 bytes
        const __m128i colon = _mm_set1_epi8(':'), open = _mm_set1_epi8('['), close = _mm_set1_epi8(']');
        std::uint64_t m[3];  // ':', '[', ']'
        short_byte_masks(
            h,
            [&](__m128i v, unsigned (&out)[3]) {
                out[0] = static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(v, colon)));
                out[1] = static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(v, open)));
                out[2] = static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(v, close)));
            },
            m);
        if (m[0] == 0) return h;  // no port
        const std::size_t last_colon = static_cast<std::size_t>(63 - std::countl_zero(m[0]));
        if (h.front() == '[') {
            // "[host]:port": the first ']' right before the last ':', no '['
            // after the first byte and no ']' after the first one.
            if (m[2] == 0) return h;
            const std::size_t close_at = static_cast<std::size_t>(std::countr_zero(m[2]));
            if (close_at + 1 != last_colon || (m[1] & ~std::uint64_t{1}) != 0 || (m[2] >> close_at) != 1) return h;
            return h.substr(1, close_at - 1);
        }
        // "host:port": one ':', no '[' or ']' anywhere.
        if ((m[0] & (m[0] - 1)) != 0 || (m[1] | m[2]) != 0) return h;
        return h.substr(0, last_colon);
    }
#endif
    return strip_host_port_slow(h);
}

}  // namespace ringhttp::mux_detail
