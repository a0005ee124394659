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
    std::size_t n = s.size();
    std::uint64_t h = 0x6A09E667F3BCC909ull ^ (n * mul);
    auto load32 = [](const char* q) {
        std::uint32_t v;
        std::memcpy(&v, q, 4);
        return std::uint64_t{v};
    };
    for (; n > 8; n -= 8, p += 8) {
        std::uint64_t w;
        std::memcpy(&w, p, 8);
        h = (h ^ w) * mul;
        h ^= h >> 32;
    }
    std::uint64_t w = 0;
    if (n >= 4) {
        w = load32(p) | load32(p + n - 4) << 32;
    } else if (n > 0) {
        w = std::uint64_t{static_cast<unsigned char>(p[0])} |
            std::uint64_t{static_cast<unsigned char>(p[n / 2])} << 8 |
            std::uint64_t{static_cast<unsigned char>(p[n - 1])} << 16;
    }
    h = (h ^ w) * mul;
    h ^= h >> 29;
    h *= 0xBF58476D1CE4E5B9ull;
    h ^= h >> 32;
    return h;
}

/// path_segment is one request path segment as the trie sees it.
struct path_segment {
    std::string_view text;  ///< unescaped (raw when its escapes are malformed); "/" for a trailing slash
    std::uint64_t hash;     ///< hash_bytes(text)
    std::size_t offset;     ///< index in the escaped path of the '/' that starts it
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

    std::string_view escaped() const noexcept { return escaped_; }
    /// clean reports whether the path equals Go's cleanPath of itself.
    bool clean() const noexcept { return clean_; }
    /// at_end reports whether a node at depth i has consumed the whole path.
    bool at_end(std::size_t i) const noexcept { return complete_ && i == size_; }
    const path_segment& operator[](std::size_t i) const noexcept { return segs_[i]; }
    /// slash_count is the number of '/' in the escaped path.
    std::size_t slash_count() const noexcept;

    /// push_slash makes this the path plus a trailing '/' (Go's trailing-slash
    /// redirect probe). Returns false, changing nothing, when the path has more
    /// segments than any pattern (then no pattern can match it exactly).
    bool push_slash() noexcept;
    void pop_slash() noexcept;

private:
    static constexpr std::size_t inline_segments = 32;
    static constexpr std::size_t inline_bytes = 256;

    std::string_view escaped_;
    path_segment* segs_ = inline_segs_;
    std::size_t size_ = 0;
    std::size_t capacity_ = inline_segments;
    bool complete_ = true;
    bool clean_ = true;
    path_segment inline_segs_[inline_segments];
    std::unique_ptr<path_segment[]> heap_segs_;
    char inline_buf_[inline_bytes];
    std::unique_ptr<char[]> heap_buf_;
};

/// strip_host_port returns host without a trailing ":port", as Go's
/// stripHostPort (net.SplitHostPort; unchanged when that would fail).
std::string_view strip_host_port(std::string_view host) noexcept;

}  // namespace ringhttp::mux_detail
