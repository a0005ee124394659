#include "mux/pattern.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>
#include <unordered_set>

#include <ringhttp/url.hpp>

namespace ringhttp::mux_detail {
namespace {

// RFC 9110 §5.6.2 tchar: what a method (a token) may contain.
bool is_tchar(unsigned char c) noexcept {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
    return std::string_view("!#$%&'*+-.^_`|~").find(static_cast<char>(c)) != std::string_view::npos;
}

bool valid_method(std::string_view m) noexcept {
    return !m.empty() && std::all_of(m.begin(), m.end(), [](char c) { return is_tchar(static_cast<unsigned char>(c)); });
}

// Decodes one UTF-8 sequence at s[i]; returns the code point and advances i,
// or returns -1 (and advances by one byte) for an invalid sequence.
long decode_rune(std::string_view s, std::size_t& i) noexcept {
    auto b = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
    unsigned char c = b(i);
    if (c < 0x80) return static_cast<long>(s[i++]);
    int len = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC2 ? 2 : 0;
    if (len == 0 || c > 0xF4 || i + static_cast<std::size_t>(len) > s.size()) {
        ++i;
        return -1;
    }
    long cp = c & (0x7F >> len);
    for (int k = 1; k < len; ++k) {
        unsigned char cc = b(i + static_cast<std::size_t>(k));
        if ((cc & 0xC0) != 0x80) {
            ++i;
            return -1;
        }
        cp = (cp << 6) | (cc & 0x3F);
    }
    static constexpr long min_for_len[] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < min_for_len[len] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
        ++i;
        return -1;
    }
    i += static_cast<std::size_t>(len);
    return cp;
}

// Go requires a wildcard name to be an identifier: a Unicode letter or '_',
// then letters, digits and '_'. ASCII is exact; beyond ASCII this keeps a
// small approximation of Unicode's letter class (docs/MUX.md, "Limits").
bool is_letter_rune(long r) noexcept {
    if (r < 0x80) return (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z');
    if (r < 0xC0) return r == 0xAA || r == 0xB5 || r == 0xBA;
    if (r == 0xD7 || r == 0xF7) return false;
    if (r >= 0x2000 && r <= 0x2BFF) return false;  // punctuation, symbols, arrows, math, boxes
    if (r >= 0x3000 && r <= 0x3003) return false;  // CJK spaces and punctuation
    return true;
}

bool valid_wildcard_name(std::string_view name) noexcept {
    if (name.empty()) return false;
    bool first = true;
    for (std::size_t i = 0; i < name.size();) {
        long r = decode_rune(name, i);
        bool ok = r == '_' || is_letter_rune(r) || (!first && r >= '0' && r <= '9');
        if (r < 0 || !ok) return false;
        first = false;
    }
    return true;
}

// Go's pathUnescape: the decoded text, or the input when it is malformed.
std::string unescape_or_keep(std::string_view s) {
    std::string out;
    if (!path_unescape(s, out)) return std::string(s);
    return out;
}

[[noreturn]] void fail(std::string_view s, std::size_t offset, std::string_view why) {
    throw std::invalid_argument("parsing " + go_quote(s) + ": at offset " + std::to_string(offset) + ": " +
                                std::string(why));
}

relation inverse(relation r) noexcept {
    if (r == relation::more_general) return relation::more_specific;
    if (r == relation::more_specific) return relation::more_general;
    return r;
}

// The relation of two patterns whose parts relate as first and then second.
relation combine(relation first, relation second) noexcept {
    switch (first) {
        case relation::equivalent: return second;
        case relation::disjoint: return relation::disjoint;
        case relation::overlaps: return second == relation::disjoint ? relation::disjoint : relation::overlaps;
        case relation::more_general:
        case relation::more_specific:
            if (second == relation::equivalent) return first;
            if (second == inverse(first)) return relation::overlaps;
            return second;
    }
    return relation::disjoint;
}

bool is_dollar(const segment& s) noexcept { return s.is_literal() && s.text == "/"; }

relation compare_segments(const segment& a, const segment& b) noexcept {
    if (a.is_multi() || b.is_multi()) {
        if (a.is_multi() && b.is_multi()) return relation::equivalent;
        return a.is_multi() ? relation::more_general : relation::more_specific;
    }
    if (a.is_wild() && b.is_wild()) return relation::equivalent;
    // A one-segment wildcard never matches the trailing slash that {$} stands for.
    if (a.is_wild()) return is_dollar(b) ? relation::disjoint : relation::more_general;
    if (b.is_wild()) return is_dollar(a) ? relation::disjoint : relation::more_specific;
    return a.text == b.text ? relation::equivalent : relation::disjoint;
}

// Appends a path piece that segment s matches.
void write_segment(std::string& out, const segment& s) {
    out.push_back('/');
    if (!s.is_multi() && s.text != "/") out += s.text;
}

void write_rest(std::string& out, const std::vector<segment>& segs, std::size_t from) {
    for (std::size_t i = from; i < segs.size(); ++i) write_segment(out, segs[i]);
}

// A path that both a and b match (they overlap).
std::string common_path(const pattern& a, const pattern& b) {
    std::string out;
    const std::size_t n = std::min(a.segments.size(), b.segments.size());
    for (std::size_t i = 0; i < n; ++i)
        write_segment(out, a.segments[i].is_wild() ? b.segments[i] : a.segments[i]);
    write_rest(out, a.segments.size() > n ? a.segments : b.segments, n);
    return out;
}

// A path that a matches and b does not (one exists when they overlap).
std::string difference_path(const pattern& a, const pattern& b) {
    std::string out;
    const std::size_t n = std::min(a.segments.size(), b.segments.size());
    for (std::size_t i = 0; i < n; ++i) {
        const segment& sa = a.segments[i];
        const segment& sb = b.segments[i];
        if (sa.is_multi()) {
            // From here a matches anything; b differs by needing a trailing
            // slash (a non-empty rest after {$} distinguishes the two).
            out.push_back('/');
            if (!sb.is_multi() && is_dollar(sb)) out += sa.text.empty() ? std::string("x") : sa.text;
            return out;
        }
        if (sa.is_wild() && sb.is_literal() && sa.text == sb.text) {
            // A wildcard named like the literal it must avoid: alter the literal.
            out.push_back('/');
            out += sb.text;
            out.push_back('x');
        } else {
            write_segment(out, sa);
        }
    }
    write_rest(out, a.segments.size() > n ? a.segments : b.segments, n);
    return out;
}

std::string describe_conflict(const pattern& a, const pattern& b) {
    const relation m = compare_methods(a, b);
    const relation p = compare_paths(a, b);
    const relation all = combine(m, p);
    if (all == relation::equivalent) return a.text + " matches the same requests as " + b.text;
    if (p == relation::overlaps) {
        return a.text + " and " + b.text + " both match some paths, like " + go_quote(common_path(a, b)) +
               ".\nBut neither is more specific than the other.\n" + a.text + " matches " +
               go_quote(difference_path(a, b)) + ", but " + b.text + " doesn't.\n" + b.text + " matches " +
               go_quote(difference_path(b, a)) + ", but " + a.text + " doesn't.";
    }
    if (m == relation::more_general && p == relation::more_specific)
        return a.text + " matches more methods than " + b.text + ", but has a more specific path pattern";
    return a.text + " matches fewer methods than " + b.text + ", but has a more general path pattern";
}

}  // namespace

std::string go_quote(std::string_view s) {
    static constexpr char hex[] = "0123456789abcdef";
    std::string out = "\"";
    for (std::size_t i = 0; i < s.size();) {
        const std::size_t start = i;
        long r = decode_rune(s, i);
        if (r < 0) {
            auto c = static_cast<unsigned char>(s[start]);
            out += "\\x";
            out.push_back(hex[c >> 4]);
            out.push_back(hex[c & 15]);
            continue;
        }
        switch (r) {
            case '"': out += "\\\""; continue;
            case '\\': out += "\\\\"; continue;
            case '\a': out += "\\a"; continue;
            case '\b': out += "\\b"; continue;
            case '\f': out += "\\f"; continue;
            case '\n': out += "\\n"; continue;
            case '\r': out += "\\r"; continue;
            case '\t': out += "\\t"; continue;
            case '\v': out += "\\v"; continue;
            default: break;
        }
        if (r < 0x20 || r == 0x7F) {
            out += "\\x";
            out.push_back(hex[r >> 4]);
            out.push_back(hex[r & 15]);
        } else if ((r >= 0x80 && r <= 0xA0) || r == 0xAD) {
            out += "\\u00";
            out.push_back(hex[r >> 4]);
            out.push_back(hex[r & 15]);
        } else {
            out.append(s.substr(start, i - start));
        }
    }
    out.push_back('"');
    return out;
}

std::unique_ptr<pattern> parse_pattern(std::string_view s) {
    if (s.empty()) fail(s, 0, "empty pattern");
    auto p = std::make_unique<pattern>();
    p->text = std::string(s);

    // "METHOD rest": the method ends at the first space or tab, and any run
    // of blanks may follow it. Go reports later offsets as if there were one.
    std::string_view rest = s;
    std::size_t offset = 0;
    if (std::size_t blank = s.find_first_of(" \t"); blank != std::string_view::npos) {
        std::string_view method = s.substr(0, blank);
        if (!method.empty() && !valid_method(method)) fail(s, 0, "invalid method " + go_quote(method));
        p->method = std::string(method);
        rest = s.substr(blank + 1);
        rest.remove_prefix(std::min(rest.find_first_not_of(" \t"), rest.size()));
        offset = method.size() + 1;
    }
    const std::size_t slash = rest.find('/');
    if (slash == std::string_view::npos) fail(s, offset, "host/path missing /");
    p->host = std::string(rest.substr(0, slash));
    if (std::size_t brace = p->host.find('{'); brace != std::string::npos)
        fail(s, offset + brace, "host contains '{' (missing initial '/'?)");
    offset += slash;
    std::string_view path = rest.substr(slash);

    // Requests are cleaned before matching (CONNECT aside), so such a
    // pattern could never match; without a method Go keeps it for
    // compatibility with patterns written before Go 1.22.
    if (!p->method.empty() && p->method != "CONNECT" && path != clean_path(path))
        fail(s, offset, "non-CONNECT pattern with unclean path can never match");

    std::unordered_set<std::string_view> names;
    while (!path.empty()) {
        path.remove_prefix(1);  // the '/' before this segment
        offset = s.size() - path.size();
        if (path.empty()) {
            p->segments.push_back({segment_kind::multi, {}});  // trailing slash: anonymous rest
            break;
        }
        const std::size_t end = std::min(path.find('/'), path.size());
        std::string_view seg = path.substr(0, end);
        path.remove_prefix(end);
        const std::size_t brace = seg.find('{');
        if (brace == std::string_view::npos) {
            p->segments.push_back({segment_kind::literal, unescape_or_keep(seg)});
            continue;
        }
        if (brace != 0) fail(s, offset, "bad wildcard segment (must start with '{')");
        if (seg.back() != '}') fail(s, offset, "bad wildcard segment (must end with '}')");
        std::string_view name = seg.substr(1, seg.size() - 2);
        if (name == "$") {
            if (!path.empty()) fail(s, offset, "{$} not at end");
            p->segments.push_back({segment_kind::literal, "/"});
            break;
        }
        const bool multi = name.ends_with("...");
        if (multi) {
            name.remove_suffix(3);
            if (!path.empty()) fail(s, offset, "{...} wildcard not at end");
        }
        if (name.empty()) fail(s, offset, "empty wildcard");
        if (!valid_wildcard_name(name)) fail(s, offset, "bad wildcard name " + go_quote(name));
        if (!names.insert(name).second) fail(s, offset, "duplicate wildcard name " + go_quote(name));
        p->segments.push_back({multi ? segment_kind::multi : segment_kind::single, std::string(name)});
    }
    p->has_values = std::any_of(p->segments.begin(), p->segments.end(),
                                [](const segment& seg) { return seg.is_wild() && !seg.text.empty(); });
    // The path indexes: the one path an all-literal pattern matches, the
    // literal path before a last {name}, or a subtree's literal path and '/'.
    const std::size_t n = p->segments.size();
    const bool last_wild = n > 0 && p->segments.back().kind == segment_kind::single;
    const bool last_multi = n > 0 && p->segments.back().is_multi();
    const bool dollar = n > 0 && p->segments.back().is_literal() && p->segments.back().text == "/";
    const std::size_t literals = last_wild || last_multi || dollar ? n - 1 : n;
    bool plain = n > 0;
    std::string key_path;
    for (std::size_t i = 0; i < literals && plain; ++i) {
        const segment& seg = p->segments[i];
        plain = seg.is_literal() && !seg.text.empty() && seg.text != "." && seg.text != ".." &&
                seg.text.find('/') == std::string::npos;
        key_path.push_back('/');
        key_path += seg.text;
    }
    // (An index entry keeps the sizes of host and method in 16 bits.)
    if (plain && p->host.size() <= 0xFFFF && p->method.size() <= 0xFFFF) {
        // "/a/{$}" matches "/a/" and "/{$}" matches "/"; the subtree "/a/"
        // matches the paths that begin with "/a/", and "/" all of them.
        if (dollar || last_multi) key_path.push_back('/');
        p->indexed = last_wild    ? pattern::index_kind::last_wildcard
                     : last_multi ? pattern::index_kind::subtree
                                  : pattern::index_kind::exact;
        p->index_key = p->host;
        p->index_key.push_back('\0');
        p->index_key += p->method;
        p->index_key.push_back('\0');
        p->index_key += key_path;
    }
    return p;
}

relation compare_methods(const pattern& a, const pattern& b) noexcept {
    if (a.method == b.method) return relation::equivalent;
    if (a.method.empty()) return relation::more_general;
    if (b.method.empty()) return relation::more_specific;
    if (a.method == "GET" && b.method == "HEAD") return relation::more_general;
    if (a.method == "HEAD" && b.method == "GET") return relation::more_specific;
    return relation::disjoint;
}

relation compare_paths(const pattern& a, const pattern& b) noexcept {
    const auto& sa = a.segments;
    const auto& sb = b.segments;
    // Without a trailing multi, a pattern matches only paths of its own length.
    if (sa.size() != sb.size() && !a.ends_in_multi() && !b.ends_in_multi()) return relation::disjoint;
    relation r = relation::equivalent;
    const std::size_t n = std::min(sa.size(), sb.size());
    for (std::size_t i = 0; i < n && r != relation::disjoint; ++i) r = combine(r, compare_segments(sa[i], sb[i]));
    if (r == relation::disjoint || sa.size() == sb.size()) return r;
    // The shorter one must end in a multi that swallows the longer one's rest.
    if (sa.size() < sb.size()) return a.ends_in_multi() ? combine(r, relation::more_general) : relation::disjoint;
    return b.ends_in_multi() ? combine(r, relation::more_specific) : relation::disjoint;
}

bool conflicts(const pattern& a, const pattern& b) noexcept {
    // Different hosts never conflict: either they match different requests,
    // or one has no host and the one with a host takes precedence.
    if (a.host != b.host) return false;
    const relation m = compare_methods(a, b);
    if (m == relation::disjoint) return false;
    const relation all = combine(m, compare_paths(a, b));
    return all == relation::equivalent || all == relation::overlaps;
}

std::string conflict_message(const pattern& a, const pattern& b) {
    return "pattern " + go_quote(a.text) + " conflicts with pattern " + go_quote(b.text) + ":\n" +
           describe_conflict(a, b);
}

}  // namespace ringhttp::mux_detail
