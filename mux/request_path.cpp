#include "mux/request_path.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <cstring>

namespace ringhttp::mux_detail {
namespace {

int hex_digit(char c) noexcept {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

// Decodes raw into out (room for raw.size() bytes); returns the decoded
// length, or -1 when an escape is malformed (Go then keeps the raw text).
std::ptrdiff_t unescape_into(std::string_view raw, char* out) noexcept {
    std::size_t n = 0;
    for (std::size_t i = 0; i < raw.size(); ++i) {
        if (raw[i] != '%') {
            out[n++] = raw[i];
            continue;
        }
        if (i + 2 >= raw.size()) return -1;
        int hi = hex_digit(raw[i + 1]);
        int lo = hex_digit(raw[i + 2]);
        if (hi < 0 || lo < 0) return -1;
        out[n++] = static_cast<char>(hi << 4 | lo);
        i += 2;
    }
    return static_cast<std::ptrdiff_t>(n);
}

const std::uint64_t slash_hash = hash_bytes("/");

bool dot_segment(const char* p, std::size_t n) noexcept {
    return (n == 1 && p[0] == '.') || (n == 2 && p[0] == '.' && p[1] == '.');
}

}  // namespace

void request_path::reserve(std::size_t limit) {
    if (limit + 1 > capacity_) {
        heap_segs_ = std::make_unique<path_segment[]>(limit + 1);
        segs_ = heap_segs_.get();
        capacity_ = limit + 1;
    }
}

namespace {

// The index of the first '/' in p[from, n), or n. Eight bytes at a time on
// little-endian machines, the last window overlapping what was scanned.
std::size_t next_slash(const char* p, std::size_t from, std::size_t n) noexcept {
    if constexpr (std::endian::native == std::endian::little) {
        std::size_t i = from;
        for (; i + 8 <= n; i += 8)
            if (const std::uint64_t m = bytes_equal(load_word(p + i), '/'); m != 0)
                return i + static_cast<std::size_t>(std::countr_zero(m) / 8);
        if (i >= n) return n;
        if (n >= 8) {
            const std::size_t base = n - 8;  // window [n - 8, n), bytes below i masked off
            const std::uint64_t m = bytes_equal(load_word(p + base), '/') & (~std::uint64_t{0} << (8 * (i - base)));
            return m != 0 ? base + static_cast<std::size_t>(std::countr_zero(m) / 8) : n;
        }
        from = i;
    }
    while (from < n && p[from] != '/') ++from;
    return from;
}

}  // namespace

void request_path::assign_decoded(std::string_view path, std::size_t limit) {
    source_ = path;
    decoded_ = true;
    size_ = 0;
    complete_ = true;
    reserve(limit);
    const std::size_t n = path.size();
    const char* p = path.data();
    clean_ = n != 0;  // rooted by precondition
    // start: index of the '/' before the current segment. A '/' that ends
    // the path is the segment "/".
    for (std::size_t start = 0; start < n;) {
        const std::size_t end = next_slash(p, start + 1, n);
        const std::size_t len = end - start - 1;
        const char* text = p + start + 1;
        if (len <= 2) {
            if (len == 0) {
                if (end == n) {  // the trailing slash
                    if (size_ < limit) {
                        push(std::string_view(p + start, 1), slash_hash, start);
                    } else {
                        complete_ = false;
                    }
                    break;
                }
                clean_ = false;  // "//"
            } else if (dot_segment(text, len)) {
                clean_ = false;
            }
        }
        if (size_ < limit) {
            const std::string_view seg(text, len);
            push(seg, hash_bytes(seg), start);
        } else {
            complete_ = false;
            if (!clean_) break;  // nothing more to learn
        }
        start = end;
    }
}

void request_path::assign(std::string_view escaped, std::size_t limit) {
    source_ = escaped;
    decoded_ = false;
    size_ = 0;
    complete_ = true;
    reserve(limit);
    const bool has_escape = escaped.find('%') != std::string_view::npos;
    char* buf = nullptr;
    std::size_t used = 0;
    if (has_escape) {
        if (escaped.size() <= inline_bytes) {
            buf = inline_buf_;
        } else {
            heap_buf_ = std::make_unique<char[]>(escaped.size());
            buf = heap_buf_.get();
        }
    }
    // Clean (Go's cleanPath(p) == p): rooted, no empty segment but a final
    // one (trailing slash), no "." or ".." segment.
    clean_ = !escaped.empty() && escaped.front() == '/';
    std::size_t pos = 0;  // start of the unconsumed rest, which begins with its separator
    while (pos < escaped.size()) {
        if (pos + 1 == escaped.size() && escaped[pos] == '/') {
            if (size_ < limit) {
                push(std::string_view(escaped.data() + pos, 1), slash_hash, pos);
            } else {
                complete_ = false;
            }
            break;
        }
        const std::size_t start = pos + 1;
        const std::size_t end = std::min(escaped.find('/', start), escaped.size());
        std::string_view raw = escaped.substr(start, end - start);
        if (raw.empty() || raw == "." || raw == "..") clean_ = false;
        if (size_ < limit) {
            std::string_view text = raw;
            if (has_escape && raw.find('%') != std::string_view::npos) {
                std::ptrdiff_t n = unescape_into(raw, buf + used);
                if (n >= 0) {
                    text = std::string_view(buf + used, static_cast<std::size_t>(n));
                    used += static_cast<std::size_t>(n);
                }
            }
            push(text, hash_bytes(text), pos);
        } else {
            complete_ = false;
            if (!clean_) break;  // nothing more to learn
        }
        pos = end;
    }
}

bool surely_clean(std::string_view path) noexcept {
    const char* p = path.data();
    const std::size_t n = path.size();
    if (n == 0 || p[0] != '/') return false;
    if constexpr (std::endian::native == std::endian::little) {
        if (n >= 8) {
            // Windows of eight bytes overlapping by one, the last ending at
            // the path's end, so that every pair of neighbours is seen. '.'
            // and '/' differ only in the low bit: one test finds both.
            auto bad_pair = [](std::uint64_t w) {
                const std::uint64_t next = (w >> 8) | byte_ones;  // byte k + 1, low bit set
                return (bytes_equal(w, '/') & bytes_equal(next, '/') & 0x0080808080808080ull) != 0;
            };
            std::size_t i = 0;
            for (; i + 8 <= n; i += 7)
                if (bad_pair(load_word(p + i))) return false;
            return i + 1 >= n || !bad_pair(load_word(p + n - 8));
        }
    }
    for (std::size_t i = 0; i + 1 < n; ++i)
        if (p[i] == '/' && (p[i + 1] == '/' || p[i + 1] == '.')) return false;
    return true;
}

std::size_t request_path::slash_count() const noexcept {
    return static_cast<std::size_t>(std::count(source_.begin(), source_.end(), '/'));
}

bool request_path::push_slash() noexcept {
    if (!complete_) return false;
    static constexpr char slash[] = "/";
    push(std::string_view(slash, 1), slash_hash, source_.size());
    return true;
}

void request_path::pop_slash() noexcept { --size_; }

std::string_view strip_host_port_slow(std::string_view h) noexcept {
    const std::size_t colon = h.rfind(':');
    if (colon == std::string_view::npos) return h;
    std::string_view host;
    std::size_t no_open_from = 0;   // no '[' may appear from here
    std::size_t no_close_from = 0;  // no ']' may appear from here
    if (h.front() == '[') {
        // "[host]:port": the first ']' must sit right before the last ':'.
        const std::size_t close = h.find(']');
        if (close == std::string_view::npos || close + 1 != colon) return h;
        host = h.substr(1, close - 1);
        no_open_from = 1;
        no_close_from = close + 1;
    } else {
        host = h.substr(0, colon);
        if (host.find(':') != std::string_view::npos) return h;  // too many colons
    }
    if (h.find('[', no_open_from) != std::string_view::npos) return h;
    if (h.find(']', no_close_from) != std::string_view::npos) return h;
    return host;
}

}  // namespace ringhttp::mux_detail
