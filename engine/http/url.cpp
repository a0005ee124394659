#include <ringhttp/url.hpp>

#include <string_view>

#include "engine/base/chars.hpp"

namespace ringhttp {
namespace {

// Go's shouldEscape(c, encodePath): unreserved characters and the sub-delims
// and ':' '@' that a path may carry stay; '?' and everything else is escaped.
constexpr bool path_keeps(unsigned char c) noexcept {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
    switch (c) {
        case '-': case '_': case '.': case '~':
        case '$': case '&': case '+': case ',': case '/': case ':': case ';': case '=': case '@':
            return true;
        default:
            return false;
    }
}

// Go's validEncoded(s, encodePath): what may appear in a RawPath as sent.
constexpr bool valid_encoded_byte(unsigned char c) noexcept {
    switch (c) {
        case '!': case '$': case '&': case '\'': case '(': case ')': case '*': case '+': case ',':
        case ';': case '=': case ':': case '@': case '[': case ']': case '%':
            return true;
        default:
            return path_keeps(c);
    }
}

bool unescape(std::string_view in, std::string& out, bool plus_is_space) {
    out.reserve(out.size() + in.size());
    for (std::size_t i = 0; i < in.size(); ++i) {
        char c = in[i];
        if (c == '%') {
            if (i + 2 >= in.size()) return false;
            auto h = static_cast<unsigned char>(in[i + 1]);
            auto l = static_cast<unsigned char>(in[i + 2]);
            if (!chars::is_hex(h) || !chars::is_hex(l)) return false;
            out.push_back(static_cast<char>(chars::hex_value(h) << 4 | chars::hex_value(l)));
            i += 2;
        } else if (c == '+' && plus_is_space) {
            out.push_back(' ');
        } else {
            out.push_back(c);
        }
    }
    return true;
}

}  // namespace

bool path_unescape(std::string_view in, std::string& out) { return unescape(in, out, false); }
bool query_unescape(std::string_view in, std::string& out) { return unescape(in, out, true); }

void path_escape(std::string_view in, std::string& out) {
    static constexpr char hex[] = "0123456789ABCDEF";
    out.reserve(out.size() + in.size());
    for (char ch : in) {
        auto c = static_cast<unsigned char>(ch);
        if (path_keeps(c)) {
            out.push_back(ch);
        } else {
            out.push_back('%');
            out.push_back(hex[c >> 4]);
            out.push_back(hex[c & 15]);
        }
    }
}

std::string_view url::escaped_path(std::string& scratch) const {
    if (!raw_path.empty()) {
        bool valid = true;
        for (char c : raw_path) valid = valid && valid_encoded_byte(static_cast<unsigned char>(c));
        if (valid) {
            std::string decoded;
            if (path_unescape(raw_path, decoded) && decoded == path) return raw_path;
        }
    }
    if (path == "*") return path;
    bool plain = true;
    for (char c : path) plain = plain && path_keeps(static_cast<unsigned char>(c));
    if (plain) return path;
    scratch.clear();
    path_escape(path, scratch);
    return scratch;
}

std::string url::request_uri() const {
    std::string scratch;
    std::string out(escaped_path(scratch));
    if (out.empty()) out.push_back('/');
    if (!raw_query.empty()) {
        out.push_back('?');
        out.append(raw_query);
    }
    return out;
}

namespace {

// path.Clean from Go's path package: lexical processing of "." and "..",
// repeated slashes removed, no trailing slash except for the root.
std::string clean(std::string_view p) {
    if (p.empty()) return ".";
    const bool rooted = p.front() == '/';
    std::string out;
    out.reserve(p.size());
    if (rooted) out.push_back('/');
    std::size_t dotdot = out.size();  // where ".." can no longer backtrack
    std::size_t r = 0;
    const std::size_t n = p.size();
    while (r < n) {
        if (p[r] == '/') {
            ++r;
        } else if (p[r] == '.' && (r + 1 == n || p[r + 1] == '/')) {
            ++r;
        } else if (p[r] == '.' && p[r + 1] == '.' && (r + 2 == n || p[r + 2] == '/')) {
            r += 2;
            if (out.size() > dotdot) {
                std::size_t w = out.size() - 1;
                while (w > dotdot && out[w] != '/') --w;
                out.resize(w);
            } else if (!rooted) {
                if (!out.empty()) out.push_back('/');
                out.append("..");
                dotdot = out.size();
            }
        } else {
            if ((rooted && out.size() != 1) || (!rooted && !out.empty())) out.push_back('/');
            while (r < n && p[r] != '/') out.push_back(p[r++]);
        }
    }
    if (out.empty()) return ".";
    return out;
}

}  // namespace

std::string clean_path(std::string_view p) {
    if (p.empty()) return "/";
    std::string rooted;
    if (p.front() != '/') {
        rooted.reserve(p.size() + 1);
        rooted.push_back('/');
        rooted.append(p);
        p = rooted;
    }
    std::string np = clean(p);
    if (p.back() == '/' && np != "/") np.push_back('/');
    return np;
}

}  // namespace ringhttp
