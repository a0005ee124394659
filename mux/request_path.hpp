// ringhttp mux: a request path split into the segments the trie matches,
// plus the small string helpers routing needs on every request.
#pragma once

#include <cstdint>
#include <cstring>
#include <memory>
#include <string_view>

namespace ringhttp::mux_detail {

/// hash_bytes is the hash of trie keys and request segments (not seeded:
/// only registered keys decide the table layout, so a client cannot make a
/// lookup scan longer than the longest page).
inline std::uint64_t hash_bytes(std::string_view s) noexcept {
    constexpr std::uint64_t mul = 0x9E3779B97F4A7C15ull;
    const char* p = s.data();
    const std::size_t n = s.size();
    auto load64 = [](const char* q) {
        std::uint64_t v;
        std::memcpy(&v, q, 8);
        return v;
    };
    auto load32 = [](const char* q) {
        std::uint32_t v;
        std::memcpy(&v, q, 4);
        return std::uint64_t{v};
    };
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
inline bool same_key(std::string_view a, std::string_view b) noexcept {
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

/// strip_host_port returns host without a trailing ":port", as Go's
/// stripHostPort (net.SplitHostPort; unchanged when that would fail).
std::string_view strip_host_port(std::string_view host) noexcept;

}  // namespace ringhttp::mux_detail
