#include "engine/http/target.hpp"

#include <array>
#include <cstring>

#include "engine/base/chars.hpp"

namespace ringhttp::engine {
namespace {

constexpr std::array<bool, 256> make_host_table() {
    std::array<bool, 256> t{};
    for (int c = '0'; c <= '9'; ++c) t[c] = true;
    for (int c = 'a'; c <= 'z'; ++c) t[c] = true;
    for (int c = 'A'; c <= 'Z'; ++c) t[c] = true;
    for (char c : std::string_view("!$%&'()*+,-.:;=[]_~")) t[static_cast<unsigned char>(c)] = true;
    return t;
}
constexpr auto host_table = make_host_table();

// Go's shouldEscape(c, encodePath) == false: bytes a path keeps unescaped.
constexpr std::array<bool, 256> make_path_table() {
    std::array<bool, 256> t{};
    for (int c = '0'; c <= '9'; ++c) t[c] = true;
    for (int c = 'a'; c <= 'z'; ++c) t[c] = true;
    for (int c = 'A'; c <= 'Z'; ++c) t[c] = true;
    for (char c : std::string_view("-_.~$&+,/:;=@")) t[static_cast<unsigned char>(c)] = true;
    return t;
}
constexpr auto path_table = make_path_table();
constexpr bool path_keeps(unsigned char c) noexcept { return path_table[c]; }

// Sets u.path and u.raw_path from the encoded path p, as Go's URL.setPath.
const char* set_path(std::string_view p, url& u, detail::arena& storage) {
    // The common path has only bytes kept as they are: no escapes, no RawPath.
    std::size_t i = 0;
    while (i < p.size() && path_keeps(static_cast<unsigned char>(p[i]))) ++i;
    if (i == p.size()) {
        u.path = p;
        u.raw_path = {};
        return nullptr;
    }
    if (p.find('%', i) == std::string_view::npos) {
        u.path = p;
        u.raw_path = p;
        return nullptr;
    }
    char* out = storage.allocate(p.size());
    std::size_t n = 0;
    for (std::size_t i = 0; i < p.size(); ++i) {
        if (p[i] != '%') {
            out[n++] = p[i];
            continue;
        }
        if (i + 2 >= p.size() || !chars::is_hex(static_cast<unsigned char>(p[i + 1])) ||
            !chars::is_hex(static_cast<unsigned char>(p[i + 2])))
            return "invalid URL escape";
        out[n++] = static_cast<char>(chars::hex_value(static_cast<unsigned char>(p[i + 1])) << 4 |
                                     chars::hex_value(static_cast<unsigned char>(p[i + 2])));
        i += 2;
    }
    u.path = {out, n};
    // raw_path stays empty only if escaping the decoded path gives p back.
    static constexpr char hex[] = "0123456789ABCDEF";
    std::size_t j = 0;
    bool same = true;
    for (std::size_t i = 0; i < n && same; ++i) {
        auto c = static_cast<unsigned char>(out[i]);
        if (path_keeps(c)) {
            same = j < p.size() && p[j] == out[i];
            j += 1;
        } else {
            same = j + 2 < p.size() && p[j] == '%' && p[j + 1] == hex[c >> 4] && p[j + 2] == hex[c & 15];
            j += 3;
        }
    }
    u.raw_path = (same && j == p.size()) ? std::string_view{} : p;
    return nullptr;
}

const char* set_path_and_query(std::string_view rest, url& u, detail::arena& storage) {
    std::size_t q = rest.find('?');
    if (q != std::string_view::npos) {
        u.raw_query = rest.substr(q + 1);
        rest = rest.substr(0, q);
    }
    return set_path(rest, u, storage);
}

bool valid_scheme(std::string_view s) noexcept {
    if (s.empty()) return false;
    auto alpha = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); };
    if (!alpha(s.front())) return false;
    for (char c : s)
        if (!alpha(c) && !chars::is_digit(static_cast<unsigned char>(c)) && c != '+' && c != '-' && c != '.')
            return false;
    return true;
}

}  // namespace

bool valid_host(std::string_view host) noexcept {
    for (char c : host)
        if (!host_table[static_cast<unsigned char>(c)]) return false;
    return true;
}

bool valid_host_port(std::string_view host) noexcept {
    // RFC 9110 §7.2: Host = uri-host [ ":" port ], port = *DIGIT; an IPv6
    // literal is in brackets. Go checks bytes only and lets "h:abc" or
    // "h:1:2" through; we answer those 400 as RFC 9112 §3.2 requires.
    std::string_view port;
    if (!host.empty() && host.front() == '[') {
        const std::size_t close = host.find(']');
        if (close == std::string_view::npos) return false;
        const std::string_view rest = host.substr(close + 1);
        if (rest.empty()) return true;
        if (rest.front() != ':') return false;
        port = rest.substr(1);
    } else {
        const std::size_t colon = host.find(':');
        if (colon == std::string_view::npos) return true;
        port = host.substr(colon + 1);
    }
    for (char c : port)
        if (!chars::is_digit(static_cast<unsigned char>(c))) return false;
    return true;
}

const char* parse_target(std::string_view method, std::string_view target, url& u, detail::arena& storage) {
    u = url{};
    if (target.empty()) return "empty request target";
    if (target.front() == '/') return set_path_and_query(target, u, storage);
    if (target == "*") {
        // RFC 9112 §3.2.4: the asterisk form is meant for a server-wide
        // OPTIONS; other methods reach the handler as in Go (serve_mux answers
        // them 400).
        u.path = target;
        return nullptr;
    }
    if (method == "CONNECT") {
        // RFC 9112 §3.2.3: authority-form, uri-host ":" port, only for CONNECT.
        if (target.find_first_of("/?@") != std::string_view::npos || !valid_host(target) || !valid_host_port(target))
            return "invalid CONNECT authority";
        u.host = target;
        return nullptr;
    }
    // RFC 9112 §3.2.2: absolute-form, an absolute-URI (RFC 3986 §4.3):
    // scheme ":" hier-part [ "?" query ], here with an authority ("//"): the
    // form a request to an origin takes (RFC 9110 §4.2.1: an http URI with no
    // host MUST be rejected as invalid). Without one, "example.com:80" would
    // read as scheme "example.com" and a rootless path (Go serves it, and
    // serve_mux redirects it to "/"), when it is authority-form, which RFC
    // 9112 §3.2.3 keeps for CONNECT: 400.
    std::size_t colon = target.find(':');
    if (colon == std::string_view::npos || !valid_scheme(target.substr(0, colon))) return "invalid URI for request";
    std::string_view rest = target.substr(colon + 1);
    if (!rest.starts_with("//")) return "authority-form target without CONNECT";
    u.scheme = target.substr(0, colon);
    rest.remove_prefix(2);
    std::size_t end = rest.find_first_of("/?");
    std::string_view authority = rest.substr(0, end);
    // Userinfo is dropped, as Go does (RFC 9110 §4.2.4 deprecates it).
    if (std::size_t at = authority.rfind('@'); at != std::string_view::npos) authority.remove_prefix(at + 1);
    if (!valid_host(authority) || !valid_host_port(authority)) return "invalid host in request URI";
    u.host = authority;
    if (end == std::string_view::npos) return nullptr;
    return set_path_and_query(rest.substr(end), u, storage);
}

}  // namespace ringhttp::engine
