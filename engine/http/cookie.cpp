// Cookies, following Go 1.23's net/http/cookie.go rules (RFC 6265).
#include <ringhttp/cookie.hpp>

#include <cstdio>
#include <string>

#include <ringhttp/request.hpp>
#include <ringhttp/response_writer.hpp>

#include "engine/base/chars.hpp"

namespace ringhttp {
namespace {

std::function<void(std::string_view)>& cookie_log() {
    static std::function<void(std::string_view)> sink;
    return sink;
}

void warn(const std::string& message) {
    if (auto& sink = cookie_log()) {
        sink(message);
        return;
    }
    std::fprintf(stderr, "%s\n", message.c_str());
}

// Go's %q of one byte, enough for the warning text.
std::string quote_byte(unsigned char b) {
    static constexpr char hex[] = "0123456789abcdef";
    std::string s = "'";
    if (b == '\'' || b == '\\') {
        s += '\\';
        s += static_cast<char>(b);
    } else if (b >= 0x20 && b < 0x7f) {
        s += static_cast<char>(b);
    } else {
        s += "\\x";
        s += hex[b >> 4];
        s += hex[b & 15];
    }
    return s + "'";
}

bool is_token(std::string_view s) {
    if (s.empty()) return false;
    for (char c : s)
        if (!chars::is_tchar(static_cast<unsigned char>(c))) return false;
    return true;
}

// RFC 6265 §4.1.1 cookie-octet, plus the space and comma Go tolerates
// (they force quoting when serialized).
bool valid_value_byte(unsigned char b) { return b >= 0x20 && b < 0x7f && b != '"' && b != ';' && b != '\\'; }
bool valid_path_byte(unsigned char b) { return b >= 0x20 && b < 0x7f && b != ';'; }

std::string sanitize(std::string_view field, bool (*valid)(unsigned char), std::string_view v) {
    std::string out;
    out.reserve(v.size());
    bool warned = false;
    for (char c : v) {
        auto b = static_cast<unsigned char>(c);
        if (valid(b)) {
            out.push_back(c);
        } else if (!warned) {
            warned = true;
            warn("ringhttp: invalid byte " + quote_byte(b) + " in " + std::string(field) + "; dropping invalid bytes");
        }
    }
    return out;
}

bool is_cookie_domain_name(std::string_view s) {
    if (s.empty() || s.size() > 255) return false;
    if (s.front() == '.') s.remove_prefix(1);
    char last = '.';
    bool ok = false;  // a letter was seen
    int partlen = 0;
    for (char c : s) {
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) {
            ok = true;
            ++partlen;
        } else if (c >= '0' && c <= '9') {
            ++partlen;
        } else if (c == '-') {
            if (last == '.') return false;
            ++partlen;
        } else if (c == '.') {
            if (last == '.' || last == '-') return false;
            if (partlen > 63 || partlen == 0) return false;
            partlen = 0;
        } else {
            return false;
        }
        last = c;
    }
    return last != '-' && partlen <= 63 && ok;
}

bool is_ipv4(std::string_view s) {
    int parts = 0;
    while (true) {
        std::size_t i = 0;
        int v = 0;
        while (i < s.size() && s[i] >= '0' && s[i] <= '9' && i < 3) v = v * 10 + (s[i++] - '0');
        if (i == 0 || v > 255 || (i > 1 && s[0] == '0')) return false;
        ++parts;
        s.remove_prefix(i);
        if (s.empty()) return parts == 4;
        if (s.front() != '.' || parts == 4) return false;
        s.remove_prefix(1);
    }
}

// Go accepts a domain name or an IP address; an IPv6 literal (with ':') is
// refused since it cannot be a cookie domain.
bool valid_domain(std::string_view d) { return is_cookie_domain_name(d) || is_ipv4(d); }

bool valid_expires(std::chrono::sys_seconds t) {
    // RFC 6265 §5.1.1: the year must not be less than 1601.
    return std::chrono::year_month_day(std::chrono::floor<std::chrono::days>(t)).year() >= std::chrono::year(1601);
}

void append_http_date(std::string& out, std::chrono::sys_seconds t) {
    using namespace std::chrono;
    static constexpr const char* wd[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static constexpr const char* mo[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                         "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    const sys_days day = floor<days>(t);
    const year_month_day ymd(day);
    const hh_mm_ss<seconds> hms(t - day);
    char buf[40];
    int n = std::snprintf(buf, sizeof buf, "%s, %02u %s %04d %02d:%02d:%02d GMT",
                          wd[weekday(day).c_encoding()], static_cast<unsigned>(ymd.day()),
                          mo[static_cast<unsigned>(ymd.month()) - 1], static_cast<int>(ymd.year()),
                          static_cast<int>(hms.hours().count()), static_cast<int>(hms.minutes().count()),
                          static_cast<int>(hms.seconds().count()));
    out.append(buf, static_cast<std::size_t>(n));
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

// Go's readCookies for one line; filter empty means all.
void read_cookies(std::string_view line, std::string_view filter, std::vector<cookie>& out, bool first_only) {
    line = trim(line);
    while (!line.empty()) {
        std::size_t semi = line.find(';');
        std::string_view part = trim(line.substr(0, semi));
        line = semi == std::string_view::npos ? std::string_view{} : line.substr(semi + 1);
        if (part.empty()) continue;
        std::size_t eq = part.find('=');
        std::string_view name = trim(part.substr(0, eq));
        std::string_view val = eq == std::string_view::npos ? std::string_view{} : part.substr(eq + 1);
        if (!is_token(name)) continue;
        if (!filter.empty() && filter != name) continue;
        bool quoted = false;
        if (val.size() > 1 && val.front() == '"' && val.back() == '"') {
            val = val.substr(1, val.size() - 2);
            quoted = true;
        }
        bool ok = true;
        for (char c : val) ok = ok && valid_value_byte(static_cast<unsigned char>(c));
        if (!ok) continue;
        cookie c;
        c.name.assign(name);
        c.value.assign(val);
        c.quoted = quoted;
        out.push_back(std::move(c));
        if (first_only) return;
    }
}

}  // namespace

void set_cookie_log(std::function<void(std::string_view)> sink) { cookie_log() = std::move(sink); }

std::string cookie::to_string() const {
    if (!is_token(name)) return {};
    std::string b;
    b.reserve(name.size() + value.size() + domain.size() + path.size() + 110);
    b += name;
    b += '=';
    std::string v = sanitize("Cookie.Value", valid_value_byte, value);
    // A value with a space or comma is quoted, as Go does, so that old
    // parsers that split on them keep it whole.
    if (!v.empty() && (quoted || v.find_first_of(" ,") != std::string::npos)) {
        b += '"';
        b += v;
        b += '"';
    } else {
        b += v;
    }
    if (!path.empty()) {
        b += "; Path=";
        b += sanitize("Cookie.Path", valid_path_byte, path);
    }
    if (!domain.empty()) {
        if (valid_domain(domain)) {
            // A leading dot is allowed but not sent (RFC 6265 §4.1.2.3).
            b += "; Domain=";
            b += domain.front() == '.' ? std::string_view(domain).substr(1) : std::string_view(domain);
        } else {
            warn("ringhttp: invalid Cookie.Domain \"" + domain + "\"; dropping domain attribute");
        }
    }
    if (expires && valid_expires(*expires)) {
        b += "; Expires=";
        append_http_date(b, *expires);
    }
    if (max_age > 0) {
        b += "; Max-Age=";
        b += std::to_string(max_age);
    } else if (max_age < 0) {
        b += "; Max-Age=0";
    }
    if (http_only) b += "; HttpOnly";
    if (secure) b += "; Secure";
    switch (same_site) {
        case ringhttp::same_site::default_mode: break;
        case ringhttp::same_site::none: b += "; SameSite=None"; break;
        case ringhttp::same_site::lax: b += "; SameSite=Lax"; break;
        case ringhttp::same_site::strict: b += "; SameSite=Strict"; break;
    }
    if (partitioned) b += "; Partitioned";
    return b;
}

std::string cookie::valid() const {
    if (!is_token(name)) return "http: invalid Cookie.Name";
    if (expires && !valid_expires(*expires)) return "http: invalid Cookie.Expires";
    for (char c : value)
        if (!valid_value_byte(static_cast<unsigned char>(c)))
            return "http: invalid byte " + quote_byte(static_cast<unsigned char>(c)) + " in Cookie.Value";
    for (char c : path)
        if (!valid_path_byte(static_cast<unsigned char>(c)))
            return "http: invalid byte " + quote_byte(static_cast<unsigned char>(c)) + " in Cookie.Path";
    if (!domain.empty() && !valid_domain(domain)) return "http: invalid Cookie.Domain";
    if (partitioned && !secure) return "http: partitioned cookies must be set with Secure";
    return {};
}

void set_cookie(response_writer& w, const cookie& c) {
    std::string v = c.to_string();
    if (!v.empty()) w.header().add("Set-Cookie", v);
}

std::vector<cookie> parse_cookie(std::string_view line) {
    std::vector<cookie> out;
    read_cookies(line, {}, out, false);
    return out;
}

std::optional<cookie> request::cookie(std::string_view name) const {
    if (name.empty()) return std::nullopt;  // Go: an empty name never matches
    std::vector<ringhttp::cookie> found;
    for (const header_field& f : header_) {
        if (!ascii_iequals(f.name, "Cookie")) continue;
        read_cookies(f.value, name, found, true);
        if (!found.empty()) return std::move(found.front());
    }
    return std::nullopt;
}

std::vector<cookie> request::cookies() const {
    std::vector<ringhttp::cookie> out;
    for (const header_field& f : header_)
        if (ascii_iequals(f.name, "Cookie")) read_cookies(f.value, {}, out, false);
    return out;
}

}  // namespace ringhttp
