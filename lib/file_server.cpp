// Serving files: Go's FileServer, ServeFile and ServeContent (net/http
// fs.go), with file bytes read through the ring.
#include <ringhttp/file_server.hpp>

#include <dirent.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <charconv>
#include <cstdint>
#include <cstring>
#include <ctime>
#include <fstream>
#include <memory>
#include <random>
#include <string>
#include <unordered_map>
#include <vector>

#include <ringhttp/blocking.hpp>
#include <ringhttp/helpers.hpp>
#include <ringhttp/request.hpp>
#include <ringhttp/response_writer.hpp>
#include <ringhttp/url.hpp>

#include "engine/base/html.hpp"
#include "engine/http/sniff.hpp"

namespace ringhttp {

namespace {

using sys_time = std::chrono::system_clock::time_point;

constexpr std::size_t chunk_size = 64 * 1024;

// ---- Content types: Go's mime.TypeByExtension ---------------------------

// Go's table of built-in types; the system's shared-mime-info globs (or, if
// there are none, mime.types files) add to it, never override it.
struct mime_table {
    std::unordered_map<std::string, std::string> exact, lower;

    static std::string to_lower(std::string_view s) {
        std::string out(s);
        for (char& c : out)
            if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
        return out;
    }

    void set(std::string_view ext, std::string_view type) {
        std::string t(type);
        // Go's setExtensionType: text types default to UTF-8.
        if (t.starts_with("text/") && t.find("charset=") == std::string::npos) t += "; charset=utf-8";
        exact[std::string(ext)] = t;
        lower[to_lower(ext)] = std::move(t);
    }

    bool load_globs(const char* file) {
        std::ifstream in(file);
        if (!in) return false;
        std::string line;
        while (std::getline(in, line)) {
            // weight:type:pattern[:flags]
            if (line.empty() || line[0] == '#') continue;
            const auto a = line.find(':');
            if (a == std::string::npos) continue;
            const auto b = line.find(':', a + 1);
            if (b == std::string::npos) continue;
            auto e = line.find(':', b + 1);
            const std::string_view type(line.data() + a + 1, b - a - 1);
            const std::string_view pat(line.data() + b + 1, (e == std::string::npos ? line.size() : e) - b - 1);
            if (a == 0 || pat.size() < 3 || pat[0] != '*' || pat[1] != '.') continue;
            const std::string_view ext = pat.substr(1);
            if (ext.find_first_of("?*[") != std::string_view::npos) continue;
            if (exact.contains(std::string(ext))) continue;
            set(ext, type);
        }
        return true;
    }

    void load_types(const char* file) {
        std::ifstream in(file);
        std::string line;
        while (std::getline(in, line)) {
            std::vector<std::string_view> fields;
            std::size_t i = 0;
            while (i < line.size()) {
                while (i < line.size() && std::isspace(static_cast<unsigned char>(line[i]))) ++i;
                std::size_t j = i;
                while (j < line.size() && !std::isspace(static_cast<unsigned char>(line[j]))) ++j;
                if (j > i) fields.emplace_back(line.data() + i, j - i);
                i = j;
            }
            if (fields.size() <= 1 || fields[0][0] == '#') continue;
            for (std::size_t k = 1; k < fields.size(); ++k) {
                if (fields[k][0] == '#') break;
                // Built by appending: GCC 12 warns (-Wrestrict, a false
                // positive) on "." + std::string in release builds.
                std::string ext(1, '.');
                ext += fields[k];
                set(ext, fields[0]);
            }
        }
    }

    mime_table() {
        static constexpr std::pair<const char*, const char*> builtin[] = {
            {".avif", "image/avif"}, {".css", "text/css; charset=utf-8"}, {".gif", "image/gif"},
            {".htm", "text/html; charset=utf-8"}, {".html", "text/html; charset=utf-8"},
            {".jpeg", "image/jpeg"}, {".jpg", "image/jpeg"}, {".js", "text/javascript; charset=utf-8"},
            {".json", "application/json"}, {".mjs", "text/javascript; charset=utf-8"},
            {".pdf", "application/pdf"}, {".png", "image/png"}, {".svg", "image/svg+xml"},
            {".wasm", "application/wasm"}, {".webp", "image/webp"}, {".xml", "text/xml; charset=utf-8"},
        };
        for (auto [e, t] : builtin) exact[e] = lower[e] = t;
        if (load_globs("/usr/local/share/mime/globs2") || load_globs("/usr/share/mime/globs2")) return;
        for (const char* f : {"/etc/mime.types", "/etc/apache2/mime.types", "/etc/apache/mime.types",
                              "/etc/httpd/conf/mime.types"})
            load_types(f);
    }
};

std::string_view type_by_extension(std::string_view ext) {
    static const mime_table table;  // read once, then shared read-only by every ring
    if (ext.empty()) return {};
    thread_local std::string key;
    key.assign(ext);
    if (auto it = table.exact.find(key); it != table.exact.end()) return it->second;
    key = mime_table::to_lower(ext);
    auto it = table.lower.find(key);
    return it == table.lower.end() ? std::string_view{} : std::string_view(it->second);
}

// filepath.Ext: the suffix from the last dot of the last element.
std::string_view extension(std::string_view name) {
    for (std::size_t i = name.size(); i-- > 0;) {
        if (name[i] == '/') break;
        if (name[i] == '.') return name.substr(i);
    }
    return {};
}

// ---- Content sources -----------------------------------------------------

// source is what serve_content sends: bytes in memory or an open file.
struct source {
    std::string_view mem;
    int fd = -1;

    // read_at fills up to n bytes at off; returns the count or -errno.
    long read_at(char* buf, std::size_t n, std::int64_t off) const {
        if (fd < 0) {
            if (off >= static_cast<std::int64_t>(mem.size())) return 0;
            const std::size_t k = std::min(n, mem.size() - static_cast<std::size_t>(off));
            std::memcpy(buf, mem.data() + off, k);
            return static_cast<long>(k);
        }
        return detail::read_file_at(fd, buf, n, off);
    }
};

// A per-thread free list of chunk buffers: handlers on one ring interleave
// while their reads are in flight, so each needs its own buffer, and a warm
// ring allocates none.
struct chunk_buffer {
    std::unique_ptr<char[]> buf;
    static std::vector<std::unique_ptr<char[]>>& pool() {
        thread_local std::vector<std::unique_ptr<char[]>> p;
        return p;
    }
    chunk_buffer() {
        auto& p = pool();
        if (p.empty()) {
            buf.reset(new char[chunk_size]);
        } else {
            buf = std::move(p.back());
            p.pop_back();
        }
    }
    ~chunk_buffer() {
        auto& p = pool();
        if (p.size() < 64) p.push_back(std::move(buf));
    }
    char* data() const noexcept { return buf.get(); }
};

// copy_range writes length bytes of src from start to w; false if reading or
// writing failed (the client is gone, or the file shrank).
bool copy_range(response_writer& w, const source& src, std::int64_t start, std::int64_t length) {
    if (length <= 0) return true;
    if (src.fd < 0) return !w.write(src.mem.substr(static_cast<std::size_t>(start), static_cast<std::size_t>(length))).ec;
    chunk_buffer chunk;
    while (length > 0) {
        const std::size_t want = static_cast<std::size_t>(std::min<std::int64_t>(length, chunk_size));
        const long n = src.read_at(chunk.data(), want, start);
        if (n <= 0) return false;
        if (w.write(std::string_view(chunk.data(), static_cast<std::size_t>(n))).ec) return false;
        start += n;
        length -= n;
    }
    return true;
}

// ---- Times: Go's http.TimeFormat and ParseTime ---------------------------

constexpr const char* day_names[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
constexpr const char* long_day_names[] = {"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"};
constexpr const char* month_names[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                       "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

std::int64_t unix_seconds(sys_time t) {
    return std::chrono::floor<std::chrono::seconds>(t.time_since_epoch()).count();
}

// Go's isZeroTime: the zero time or the Unix epoch means "unknown".
bool is_zero_time(sys_time t) { return t == sys_time{}; }

std::string format_http_time(sys_time t) {
    const std::time_t secs = static_cast<std::time_t>(unix_seconds(t));
    std::tm tm{};
    ::gmtime_r(&secs, &tm);
    char buf[64];
    std::snprintf(buf, sizeof buf, "%s, %02d %s %04d %02d:%02d:%02d GMT", day_names[tm.tm_wday], tm.tm_mday,
                  month_names[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
    return buf;
}

struct time_parser {
    std::string_view s;
    bool ok = true;

    bool lit(std::string_view l) {
        if (!ok || !s.starts_with(l)) return ok = false;
        s.remove_prefix(l.size());
        return true;
    }
    int digits(std::size_t n) {
        if (!ok || s.size() < n) return ok = false, 0;
        int v = 0;
        for (std::size_t i = 0; i < n; ++i) {
            if (s[i] < '0' || s[i] > '9') return ok = false, 0;
            v = v * 10 + (s[i] - '0');
        }
        s.remove_prefix(n);
        return v;
    }
    template <std::size_t N>
    int name(const char* const (&names)[N]) {
        for (std::size_t i = 0; ok && i < N; ++i)
            if (s.starts_with(names[i])) {
                s.remove_prefix(std::strlen(names[i]));
                return static_cast<int>(i);
            }
        ok = false;
        return 0;
    }
    void zone() {  // Go's MST: an upper-case abbreviation, read as UTC here
        std::size_t n = 0;
        while (n < s.size() && s[n] >= 'A' && s[n] <= 'Z') ++n;
        if (n < 3) ok = false;
        else s.remove_prefix(n);
    }
};

bool make_time(int year, int mon, int day, int h, int m, int sec, sys_time& out) {
    static constexpr int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (day < 1 || day > mdays[mon]) return false;
    const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    if (mon == 1 && day == 29 && !leap) return false;
    if (h > 23 || m > 59 || sec > 59) return false;
    std::tm tm{};
    tm.tm_year = year - 1900;
    tm.tm_mon = mon;
    tm.tm_mday = day;
    tm.tm_hour = h;
    tm.tm_min = m;
    tm.tm_sec = sec;
    out = sys_time{std::chrono::seconds{::timegm(&tm)}};
    return true;
}

// parse_http_time accepts Go's three layouts: TimeFormat (IMF-fixdate),
// RFC 850 and ANSI C's asctime (RFC 9110 §5.6.7).
bool parse_http_time(std::string_view text, sys_time& out) {
    {
        time_parser p{text};
        p.name(day_names);
        p.lit(", ");
        const int day = p.digits(2);
        p.lit(" ");
        const int mon = p.name(month_names);
        p.lit(" ");
        const int year = p.digits(4);
        p.lit(" ");
        const int h = p.digits(2);
        p.lit(":");
        const int m = p.digits(2);
        p.lit(":");
        const int sec = p.digits(2);
        p.lit(" GMT");
        if (p.ok && p.s.empty()) return make_time(year, mon, day, h, m, sec, out);
    }
    {
        time_parser p{text};
        p.name(long_day_names);
        p.lit(", ");
        const int day = p.digits(2);
        p.lit("-");
        const int mon = p.name(month_names);
        p.lit("-");
        const int yy = p.digits(2);
        p.lit(" ");
        const int h = p.digits(2);
        p.lit(":");
        const int m = p.digits(2);
        p.lit(":");
        const int sec = p.digits(2);
        p.lit(" ");
        p.zone();
        // Go's two-digit years: 69-99 are 19xx, 00-68 are 20xx.
        if (p.ok && p.s.empty()) return make_time(yy >= 69 ? 1900 + yy : 2000 + yy, mon, day, h, m, sec, out);
    }
    {
        time_parser p{text};
        p.name(day_names);
        p.lit(" ");
        const int mon = p.name(month_names);
        p.lit(" ");
        int day = 0;
        if (p.ok && p.s.starts_with(' ')) {
            p.s.remove_prefix(1);
            day = p.digits(1);
        } else if (p.ok && p.s.size() >= 2 && p.s[1] >= '0' && p.s[1] <= '9') {
            day = p.digits(2);
        } else {
            day = p.digits(1);
        }
        p.lit(" ");
        const int h = p.digits(2);
        p.lit(":");
        const int m = p.digits(2);
        p.lit(":");
        const int sec = p.digits(2);
        p.lit(" ");
        const int year = p.digits(4);
        if (p.ok && p.s.empty()) return make_time(year, mon, day, h, m, sec, out);
    }
    return false;
}

// ---- Conditional requests (RFC 9110 §13) ---------------------------------

enum class cond { none, yes, no };

std::string_view trim_ows(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

// scan_etag returns the entity-tag at the start of s (RFC 9110 §8.8.3) and
// what follows it, or an empty tag.
std::pair<std::string_view, std::string_view> scan_etag(std::string_view s) {
    s = trim_ows(s);
    std::size_t start = s.starts_with("W/") ? 2 : 0;
    if (s.size() - start < 2 || s[start] != '"') return {};
    for (std::size_t i = start + 1; i < s.size(); ++i) {
        const auto c = static_cast<unsigned char>(s[i]);
        if (c == 0x21 || (c >= 0x23 && c <= 0x7e) || c >= 0x80) continue;
        if (c == '"') return {s.substr(0, i + 1), s.substr(i + 1)};
        return {};
    }
    return {};
}

bool etag_strong_match(std::string_view a, std::string_view b) { return a == b && !a.empty() && a[0] == '"'; }

bool etag_weak_match(std::string_view a, std::string_view b) {
    if (a.starts_with("W/")) a.remove_prefix(2);
    if (b.starts_with("W/")) b.remove_prefix(2);
    return a == b;
}

// match_list walks a comma-separated list of entity-tags; on_tag returns
// true to stop with a match. Returns yes on '*' or a match, no otherwise.
template <class F>
cond match_list(std::string_view list, F on_tag) {
    for (;;) {
        list = trim_ows(list);
        if (list.empty()) break;
        if (list[0] == ',') {
            list.remove_prefix(1);
            continue;
        }
        if (list[0] == '*') return cond::yes;
        auto [tag, rest] = scan_etag(list);
        if (tag.empty()) break;
        if (on_tag(tag)) return cond::yes;
        list = rest;
    }
    return cond::no;
}

bool get_or_head(const request& r) { return r.method() == "GET" || r.method() == "HEAD"; }

cond check_if_match(response_writer& w, const request& r) {
    const auto im = r.header().get("If-Match");
    if (im.empty()) return cond::none;
    const auto etag = w.header().get("Etag");
    return match_list(im, [&](std::string_view t) { return etag_strong_match(t, etag); });
}

cond check_if_unmodified_since(const request& r, sys_time modtime) {
    const auto ius = r.header().get("If-Unmodified-Since");
    sys_time t;
    if (ius.empty() || is_zero_time(modtime) || !parse_http_time(ius, t)) return cond::none;
    return unix_seconds(modtime) <= unix_seconds(t) ? cond::yes : cond::no;
}

cond check_if_none_match(response_writer& w, const request& r) {
    const auto inm = r.header().get("If-None-Match");
    if (inm.empty()) return cond::none;
    const auto etag = w.header().get("Etag");
    // A match (or '*') means the condition is false.
    return match_list(inm, [&](std::string_view t) { return etag_weak_match(t, etag); }) == cond::yes ? cond::no
                                                                                                      : cond::yes;
}

cond check_if_modified_since(const request& r, sys_time modtime) {
    if (!get_or_head(r)) return cond::none;
    const auto ims = r.header().get("If-Modified-Since");
    sys_time t;
    if (ims.empty() || is_zero_time(modtime) || !parse_http_time(ims, t)) return cond::none;
    return unix_seconds(modtime) <= unix_seconds(t) ? cond::no : cond::yes;
}

cond check_if_range(response_writer& w, const request& r, sys_time modtime) {
    if (!get_or_head(r)) return cond::none;
    const auto ir = r.header().get("If-Range");
    if (ir.empty()) return cond::none;
    if (auto [tag, rest] = scan_etag(ir); !tag.empty())
        return etag_strong_match(tag, w.header().get("Etag")) ? cond::yes : cond::no;
    sys_time t;
    if (modtime == sys_time{} || !parse_http_time(ir, t)) return cond::no;
    return unix_seconds(t) == unix_seconds(modtime) ? cond::yes : cond::no;
}

void set_last_modified(response_writer& w, sys_time modtime) {
    if (!is_zero_time(modtime)) w.header().set("Last-Modified", format_http_time(modtime));
}

void write_not_modified(response_writer& w) {
    // RFC 9110 §15.4.5: a 304 carries no representation metadata that
    // would describe a body; Last-Modified goes when an ETag validates.
    auto& h = w.header();
    h.del("Content-Type");
    h.del("Content-Length");
    h.del("Content-Encoding");
    if (!h.get("Etag").empty()) h.del("Last-Modified");
    w.write_header(304);
}

// check_preconditions answers a failed precondition itself (true) or
// returns the Range header still to honour in range.
bool check_preconditions(response_writer& w, const request& r, sys_time modtime, std::string_view& range) {
    cond c = check_if_match(w, r);
    if (c == cond::none) c = check_if_unmodified_since(r, modtime);
    if (c == cond::no) {
        w.write_header(412);
        return true;
    }
    switch (check_if_none_match(w, r)) {
        case cond::no:
            if (get_or_head(r)) write_not_modified(w);
            else w.write_header(412);
            return true;
        case cond::none:
            if (check_if_modified_since(r, modtime) == cond::no) {
                write_not_modified(w);
                return true;
            }
            break;
        case cond::yes: break;
    }
    range = r.header().get("Range");
    if (!range.empty() && check_if_range(w, r, modtime) == cond::no) range = {};
    return false;
}

// serve_error is Go 1.23's serveError: validators and encodings of the
// resource do not describe an error body.
void serve_error(response_writer& w, std::string_view text, int code) {
    auto& h = w.header();
    h.del("Cache-Control");
    h.del("Content-Encoding");
    h.del("Etag");
    h.del("Last-Modified");
    error(w, text, code);
}

// ---- Ranges (RFC 9110 §14) -----------------------------------------------

struct byte_range {
    std::int64_t start, length;
};

// parse_int is Go's strconv.ParseInt(s, 10, 64): an optional sign, digits.
bool parse_int(std::string_view s, std::int64_t& out) {
    if (!s.empty() && s[0] == '+') s.remove_prefix(1);
    if (s.empty()) return false;
    const auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    return ec == std::errc{} && p == s.data() + s.size();
}

enum class range_error { none, invalid, no_overlap };

range_error parse_range(std::string_view s, std::int64_t size, std::vector<byte_range>& out) {
    out.clear();
    if (s.empty()) return range_error::none;
    if (!s.starts_with("bytes=")) return range_error::invalid;
    s.remove_prefix(6);
    bool no_overlap = false;
    while (true) {
        const auto comma = s.find(',');
        std::string_view ra = trim_ows(s.substr(0, comma));
        if (!ra.empty()) {
            const auto dash = ra.find('-');
            if (dash == std::string_view::npos) return range_error::invalid;
            const auto first = trim_ows(ra.substr(0, dash));
            const auto last = trim_ows(ra.substr(dash + 1));
            byte_range r{};
            bool skip = false;
            if (first.empty()) {
                // A suffix range: the last N bytes (RFC 9110 §14.1.1).
                std::int64_t n = 0;
                if (last.empty() || last[0] == '-' || !parse_int(last, n) || n < 0) return range_error::invalid;
                if (n > size) n = size;
                r.start = size - n;
                r.length = size - r.start;
            } else {
                std::int64_t i = 0;
                if (!parse_int(first, i) || i < 0) return range_error::invalid;
                if (i >= size) {
                    no_overlap = true;
                    skip = true;
                } else {
                    r.start = i;
                    if (last.empty()) {
                        r.length = size - r.start;
                    } else {
                        std::int64_t j = 0;
                        if (!parse_int(last, j) || r.start > j) return range_error::invalid;
                        if (j >= size) j = size - 1;
                        r.length = j - r.start + 1;
                    }
                }
            }
            if (!skip) out.push_back(r);
        }
        if (comma == std::string_view::npos) break;
        s.remove_prefix(comma + 1);
    }
    if (no_overlap && out.empty()) return range_error::no_overlap;
    return range_error::none;
}

std::string content_range(const byte_range& r, std::int64_t size) {
    return "bytes " + std::to_string(r.start) + "-" + std::to_string(r.start + r.length - 1) + "/" +
           std::to_string(size);
}

std::string part_head(bool first, std::string_view boundary, const byte_range& r, std::string_view ctype,
                      std::int64_t size) {
    std::string s = first ? "--" : "\r\n--";
    s += boundary;
    s += "\r\nContent-Range: ";
    s += content_range(r, size);
    s += "\r\nContent-Type: ";
    s += ctype;
    s += "\r\n\r\n";
    return s;
}

std::string make_boundary() {
    // Go's multipart.Writer: 30 random bytes in hex.
    thread_local std::mt19937_64 rng{std::random_device{}()};
    static constexpr char hex[] = "0123456789abcdef";
    std::string b(60, '0');
    for (std::size_t i = 0; i < 60; i += 16) {
        std::uint64_t v = rng();
        for (std::size_t k = i; k < std::min<std::size_t>(i + 16, 60); ++k, v >>= 4) b[k] = hex[v & 15];
    }
    return b;
}

void serve_content_impl(response_writer& w, request& r, std::string_view name, sys_time modtime,
                        std::int64_t size, const source& src) {
    set_last_modified(w, modtime);
    std::string_view range_req;
    if (check_preconditions(w, r, modtime, range_req)) return;
    // Range points into the request, which outlives this call.

    int code = 200;
    std::string ctype;
    auto& h = w.header();
    if (!h.has("Content-Type")) {
        ctype = type_by_extension(extension(name));
        if (ctype.empty()) {
            // Sniff the first 512 bytes to tell UTF-8 text from binary.
            char buf[engine::sniff_len];
            std::size_t got = 0;
            while (got < sizeof buf) {
                const long n = src.read_at(buf + got, sizeof buf - got, static_cast<std::int64_t>(got));
                if (n <= 0) break;
                got += static_cast<std::size_t>(n);
            }
            ctype = engine::detect_content_type(std::string_view(buf, got));
        }
        h.set("Content-Type", ctype);
    } else {
        ctype = h.get("Content-Type");
    }

    std::vector<byte_range> ranges;
    switch (parse_range(range_req, size, ranges)) {
        case range_error::none: break;
        case range_error::no_overlap:
            if (size == 0) {
                // An empty file ignores Range: some clients send one on
                // every request (Go's rule).
                ranges.clear();
                break;
            }
            h.set("Content-Range", "bytes */" + std::to_string(size));
            serve_error(w, "invalid range: failed to overlap", 416);
            return;
        case range_error::invalid:
            serve_error(w, "invalid range", 416);
            return;
    }
    std::int64_t sum = 0;
    for (const auto& ra : ranges) sum += ra.length;
    // More bytes than the whole file: an attack or a broken client; serve it all.
    if (sum > size) ranges.clear();

    std::int64_t send_size = size;
    std::string boundary;
    if (ranges.size() == 1) {
        send_size = ranges[0].length;
        code = 206;
        h.set("Content-Range", content_range(ranges[0], size));
    } else if (ranges.size() > 1) {
        code = 206;
        boundary = make_boundary();
        send_size = 0;
        for (std::size_t i = 0; i < ranges.size(); ++i)
            send_size += static_cast<std::int64_t>(part_head(i == 0, boundary, ranges[i], ctype, size).size()) +
                         ranges[i].length;
        send_size += static_cast<std::int64_t>(4 + boundary.size() + 4);  // "\r\n--" boundary "--\r\n"
        h.set("Content-Type", "multipart/byteranges; boundary=" + boundary);
    }
    h.set("Accept-Ranges", "bytes");
    // Go keeps Content-Length off a response the handler re-encodes itself.
    if (!ranges.empty() || h.get("Content-Encoding").empty()) h.set("Content-Length", std::to_string(send_size));
    w.write_header(code);
    if (r.method() == "HEAD") return;

    if (ranges.size() <= 1) {
        const std::int64_t start = ranges.empty() ? 0 : ranges[0].start;
        copy_range(w, src, start, send_size);
        return;
    }
    for (std::size_t i = 0; i < ranges.size(); ++i) {
        if (w.write(part_head(i == 0, boundary, ranges[i], ctype, size)).ec) return;
        if (!copy_range(w, src, ranges[i].start, ranges[i].length)) return;
    }
    w.write("\r\n--" + boundary + "--\r\n");
}

// ---- Directories ---------------------------------------------------------

// dir_list writes Go's listing: sorted names, directories with a trailing
// slash, each linked by its escaped path.
void dir_list(response_writer& w, int dirfd) {
    struct entry {
        std::string name;
        bool dir;
    };
    std::vector<entry> entries;
    const int fd = ::openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    DIR* d = fd < 0 ? nullptr : ::fdopendir(fd);
    if (d == nullptr) {
        if (fd >= 0) ::close(fd);
        error(w, "Error reading directory", 500);
        return;
    }
    while (dirent* e = ::readdir(d)) {
        const std::string_view n(e->d_name);
        if (n == "." || n == "..") continue;
        bool is_dir = e->d_type == DT_DIR;
        if (e->d_type == DT_UNKNOWN) {
            struct stat st{};
            is_dir = ::fstatat(::dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode);
        }
        entries.push_back({std::string(n), is_dir});
    }
    ::closedir(d);
    std::sort(entries.begin(), entries.end(), [](const entry& a, const entry& b) { return a.name < b.name; });

    w.header().set("Content-Type", "text/html; charset=utf-8");
    std::string out = "<!doctype html>\n<meta name=\"viewport\" content=\"width=device-width\">\n<pre>\n";
    for (auto& e : entries) {
        if (e.dir) e.name += '/';
        out += "<a href=\"";
        // Go's url.URL{Path: name}.String(): a colon in the first segment
        // would read as a scheme, so such a name gets "./" in front.
        const auto colon = e.name.find(':');
        if (colon != std::string::npos && e.name.find('/') > colon) out += "./";
        path_escape(e.name, out);
        out += "\">";
        engine::html_escape_append(e.name, out);
        out += "</a>\n";
        if (out.size() >= chunk_size) {
            w.write(out);
            out.clear();
        }
    }
    out += "</pre>\n";
    w.write(out);
}

// ---- Opening files -------------------------------------------------------

struct file_ref {
    int fd = -1;
    ~file_ref() {
        if (fd >= 0) ::close(fd);
    }
};

// path.Clean for slash-separated paths (Go's lexical rules).
std::string go_path_clean(std::string_view p) {
    if (p.empty()) return ".";
    const bool rooted = p[0] == '/';
    std::vector<std::string_view> parts;
    std::size_t i = 0;
    while (i < p.size()) {
        std::size_t j = p.find('/', i);
        if (j == std::string_view::npos) j = p.size();
        const auto seg = p.substr(i, j - i);
        if (seg.empty() || seg == ".") {
        } else if (seg == "..") {
            if (!parts.empty() && parts.back() != "..") parts.pop_back();
            else if (!rooted) parts.push_back(seg);
        } else {
            parts.push_back(seg);
        }
        i = j + 1;
    }
    std::string out = rooted ? "/" : "";
    for (std::size_t k = 0; k < parts.size(); ++k) {
        if (k) out += '/';
        out += parts[k];
    }
    return out.empty() ? "." : out;
}

std::string_view base_name(std::string_view p) {  // path.Base
    if (p.empty()) return ".";
    while (p.size() > 1 && p.back() == '/') p.remove_suffix(1);
    if (p == "/") return "/";
    const auto s = p.rfind('/');
    return s == std::string_view::npos ? p : p.substr(s + 1);
}

void local_redirect(response_writer& w, request& r, std::string target) {
    if (!r.url().raw_query.empty()) {
        target += '?';
        target += r.url().raw_query;
    }
    w.header().set("Location", target);
    w.write_header(301);
}

// open_error maps an open or stat failure as Go's toHTTPError does.
void open_error(response_writer& w, int err) {
    switch (err) {
        case ENOENT:
        case ENOTDIR:
        case EXDEV:  // a symlink out of root: as if absent (stricter than Go)
            serve_error(w, "404 page not found", 404);
            return;
        case EACCES:
        case EPERM:
            serve_error(w, "403 Forbidden", 403);
            return;
        default: serve_error(w, "500 Internal Server Error", 500);
    }
}

// opener opens a slash path relative to dirfd, confined to it or not.
struct opener {
    int dirfd;
    bool confined;

    int open(const std::string& rel, int& err) const {
        if (rel.find('\0') != std::string::npos) {
            err = EINVAL;  // Go: "invalid or unsafe file path"
            return -1;
        }
        int fd;
        if (confined) {
            open_how how{};
            how.flags = O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK;
            // RFC 9110 §17.3 / Go's path handling: never outside root, even
            // through a symlink.
            how.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS;
            // EAGAIN: a concurrent rename made the kernel unsure of ".."; retry a little.
            int tries = 0;
            do {
                fd = static_cast<int>(::syscall(SYS_openat2, dirfd, rel.c_str(), &how, sizeof how));
            } while (fd < 0 && errno == EAGAIN && ++tries < 8);
        } else {
            fd = ::openat(dirfd, rel.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
        }
        err = fd < 0 ? errno : 0;
        if (fd >= 0) {
            // O_NONBLOCK only kept a FIFO from stalling the open.
            const int fl = ::fcntl(fd, F_GETFL);
            if (fl >= 0) ::fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
        }
        return fd;
    }
};

sys_time mod_time(const struct stat& st) {
    return sys_time{std::chrono::duration_cast<sys_time::duration>(std::chrono::seconds{st.st_mtim.tv_sec} +
                                                                    std::chrono::nanoseconds{st.st_mtim.tv_nsec})};
}

// serve_path is Go's serveFile: name is the cleaned path below the opener's
// directory ("/" for the directory itself).
void serve_path(response_writer& w, request& r, const opener& fs, const std::string& name, bool redirect) {
    constexpr std::string_view index_page = "/index.html";
    const std::string_view url = r.url().path;
    if (url.ends_with(index_page)) {
        local_redirect(w, r, "./");
        return;
    }
    std::string rel = name.size() > 1 ? name.substr(1) : std::string(".");
    int err = 0;
    file_ref f{fs.open(rel, err)};
    struct stat st{};
    if (f.fd < 0) {
        open_error(w, err);
        return;
    }
    if (::fstat(f.fd, &st) != 0) {
        open_error(w, errno);
        return;
    }
    if (redirect) {
        if (S_ISDIR(st.st_mode)) {
            if (url.empty() || url.back() != '/') {
                local_redirect(w, r, std::string(base_name(url)) + "/");
                return;
            }
        } else if (!url.empty() && url.back() == '/') {
            const auto base = base_name(url);
            if (base == "/" || base == ".") {
                serve_error(w, "http: attempting to traverse a non-directory", 500);
                return;
            }
            local_redirect(w, r, "../" + std::string(base));
            return;
        }
    }
    std::string file_name(base_name(name));
    if (S_ISDIR(st.st_mode)) {
        if (url.empty() || url.back() != '/') {
            local_redirect(w, r, std::string(base_name(url)) + "/");
            return;
        }
        int ierr = 0;
        const std::string index_rel = (rel == "." ? std::string() : rel + "/") + "index.html";
        file_ref ff{fs.open(index_rel, ierr)};
        struct stat ist{};
        if (ff.fd >= 0 && ::fstat(ff.fd, &ist) == 0) {
            std::swap(f.fd, ff.fd);
            st = ist;
            file_name = "index.html";
        }
    }
    if (S_ISDIR(st.st_mode)) {
        if (check_if_modified_since(r, mod_time(st)) == cond::no) {
            write_not_modified(w);
            return;
        }
        set_last_modified(w, mod_time(st));
        dir_list(w, f.fd);
        return;
    }
    serve_content_impl(w, r, file_name, mod_time(st), st.st_size, source{{}, f.fd});
}

class file_handler final : public handler {
public:
    explicit file_handler(std::string root) : root_(std::move(root)) {
        if (root_.empty()) root_ = ".";
        root_fd_ = ::open(root_.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
    }
    ~file_handler() override {
        if (root_fd_ >= 0) ::close(root_fd_);
    }
    file_handler(const file_handler&) = delete;
    file_handler& operator=(const file_handler&) = delete;

    void serve_http(response_writer& w, request& r) const override {
        if (root_fd_ < 0) {
            // Go opens root per request; a root that is missing at start
            // answers like a missing file.
            serve_error(w, "404 page not found", 404);
            return;
        }
        std::string upath(r.url().path);
        if (!upath.starts_with('/')) upath.insert(upath.begin(), '/');
        serve_path(w, r, opener{root_fd_, true}, go_path_clean(upath), true);
    }

private:
    std::string root_;
    int root_fd_ = -1;
};

bool contains_dot_dot(std::string_view v) {
    if (v.find("..") == std::string_view::npos) return false;
    std::size_t i = 0;
    while (i <= v.size()) {
        std::size_t j = v.find_first_of("/\\", i);
        if (j == std::string_view::npos) j = v.size();
        if (v.substr(i, j - i) == "..") return true;
        i = j + 1;
    }
    return false;
}

}  // namespace

handler_ptr file_server(std::string root) { return std::make_shared<const file_handler>(std::move(root)); }

void serve_file(response_writer& w, request& r, std::string_view path) {
    if (contains_dot_dot(r.url().path)) {
        serve_error(w, "invalid URL path", 400);
        return;
    }
    // Go's filepath.Split then Dir(dir).Open(file).
    const auto slash = path.rfind('/');
    std::string dir = slash == std::string_view::npos ? "." : std::string(path.substr(0, slash + 1));
    const std::string file(slash == std::string_view::npos ? path : path.substr(slash + 1));
    file_ref dfd{::open(dir.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC)};
    if (dfd.fd < 0) {
        open_error(w, errno);
        return;
    }
    serve_path(w, r, opener{dfd.fd, false}, go_path_clean("/" + file), false);
}

void serve_content(response_writer& w, request& r, std::string_view name, sys_time modtime,
                   std::string_view content) {
    serve_content_impl(w, r, name, modtime, static_cast<std::int64_t>(content.size()), source{content, -1});
}

void serve_content_fd(response_writer& w, request& r, std::string_view name, sys_time modtime, int fd,
                      std::int64_t size) {
    if (size < 0) {
        serve_error(w, "negative content size computed", 500);
        return;
    }
    serve_content_impl(w, r, name, modtime, size, source{{}, fd});
}

}  // namespace ringhttp
