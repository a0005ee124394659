// Forms: Go's url.Values / ParseQuery (net/url), Request.ParseForm family
// (net/http/request.go) and multipart.Reader.ReadForm (mime/multipart).
#include <ringhttp/form.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdlib>
#include <string>

#include <ringhttp/blocking.hpp>
#include <ringhttp/request.hpp>
#include <ringhttp/url.hpp>

#include "engine/base/chars.hpp"

namespace ringhttp {

namespace detail {
/// form_state is what the ParseForm family stores in a request.
struct form_state {
    bool form_parsed = false;
    bool post_parsed = false;
    url_values form;
    url_values post_form;
    std::unique_ptr<multipart_form> multipart;

    void clear() noexcept {
        form_parsed = post_parsed = false;
        form.clear();
        post_form.clear();
        multipart.reset();
    }
};
}  // namespace detail

namespace {

constexpr std::int64_t max_form_size = 10 << 20;         // Go's parsePostForm: "10 MB is a lot of text"
constexpr std::int64_t default_max_memory = 32 << 20;    // Go's defaultMaxMemory
constexpr std::int64_t reserved_value_memory = 10 << 20; // readForm's extra 10 MB for non-file data
constexpr int max_parts = 1000;                          // Go's multipartmaxparts default
constexpr std::int64_t max_mime_headers = 10000;         // Go's multipartmaxheaders default

class form_category_impl final : public std::error_category {
public:
    const char* name() const noexcept override { return "ringhttp.form"; }
    std::string message(int ev) const override {
        switch (static_cast<form_errc>(ev)) {
            case form_errc::bad_query: return "invalid URL query";
            case form_errc::post_too_large: return "http: POST too large";
            case form_errc::bad_media_type: return "mime: invalid media parameter";
            case form_errc::not_multipart: return "request Content-Type isn't multipart/form-data";
            case form_errc::missing_boundary: return "no multipart boundary param in Content-Type";
            case form_errc::message_too_large: return "multipart: message too large";
            case form_errc::bad_multipart: return "multipart: malformed body";
            case form_errc::missing_file: return "http: no such file";
        }
        return "unknown form error";
    }
};

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

bool is_token(std::string_view s) {
    if (s.empty()) return false;
    for (char c : s)
        if (!chars::is_tchar(static_cast<unsigned char>(c))) return false;
    return true;
}

std::string lower(std::string_view s) {
    std::string out(s);
    for (char& c : out)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
    return out;
}

/// A media type and its parameters (mime.ParseMediaType, without RFC 2231).
struct media_type {
    std::string type;
    std::vector<std::pair<std::string, std::string>> params;
    std::string_view param(std::string_view key) const {
        for (const auto& [k, v] : params)
            if (k == key) return v;
        return {};
    }
};

bool parse_media_type(std::string_view v, media_type& out) {
    std::size_t semi = v.find(';');
    std::string_view t = trim(v.substr(0, semi));
    std::size_t slash = t.find('/');
    // RFC 9110 §8.3.1: type "/" subtype, both tokens; Go also accepts a bare
    // token (as in Content-Disposition).
    if (slash == std::string_view::npos ? !is_token(t) : !is_token(t.substr(0, slash)) || !is_token(t.substr(slash + 1)))
        return false;
    out.type = lower(t);
    std::string_view rest = semi == std::string_view::npos ? std::string_view{} : v.substr(semi);
    while (true) {
        rest = trim(rest);
        if (rest.empty()) return true;
        if (rest.front() != ';') return false;
        rest = trim(rest.substr(1));
        if (rest.empty()) return true;  // a trailing ';' is tolerated
        std::size_t eq = rest.find('=');
        if (eq == std::string_view::npos) return false;
        std::string_view key = trim(rest.substr(0, eq));
        if (!is_token(key)) return false;
        rest = trim(rest.substr(eq + 1));
        std::string value;
        if (!rest.empty() && rest.front() == '"') {
            std::size_t i = 1;
            bool closed = false;
            for (; i < rest.size(); ++i) {
                char c = rest[i];
                if (c == '\\' && i + 1 < rest.size()) {
                    value.push_back(rest[++i]);
                } else if (c == '"') {
                    closed = true;
                    ++i;
                    break;
                } else {
                    value.push_back(c);
                }
            }
            if (!closed) return false;
            rest.remove_prefix(i);
        } else {
            std::size_t i = 0;
            while (i < rest.size() && chars::is_tchar(static_cast<unsigned char>(rest[i]))) ++i;
            if (i == 0) return false;
            value.assign(rest.substr(0, i));
            rest.remove_prefix(i);
        }
        std::string k = lower(key);
        for (const auto& p : out.params)
            if (p.first == k) return false;  // Go: duplicate parameter name
        out.params.emplace_back(std::move(k), std::move(value));
    }
}

// filepath.Base, for the file names clients send.
std::string base_name(std::string_view p) {
    if (p.empty()) return ".";
    while (p.size() > 1 && p.back() == '/') p.remove_suffix(1);
    if (p == "/") return "/";
    std::size_t slash = p.rfind('/');
    return std::string(slash == std::string_view::npos ? p : p.substr(slash + 1));
}

/// multipart_reader parses a multipart/form-data body as it streams in
/// (RFC 7578, RFC 2046 §5.1.1), Go's multipart.Reader + ReadForm.
class multipart_reader {
public:
    multipart_reader(body_reader& body, std::string_view boundary)
        : body_(body), dash_boundary_("--" + std::string(boundary)), delimiter_("\n--" + std::string(boundary)) {}

    std::error_code read_form(std::int64_t max_memory, multipart_form& form) {
        std::int64_t max_file_memory = max_memory;
        std::int64_t max_memory_bytes = max_memory + reserved_value_memory;
        if (max_memory_bytes <= 0) max_memory_bytes = max_memory < 0 ? 0 : INT64_MAX;
        std::int64_t headers_left = max_mime_headers;
        int parts_left = max_parts;
        if (std::error_code ec = skip_preamble()) return ec;
        while (!done_) {
            ringhttp::header h;
            std::int64_t header_bytes = 0;
            if (std::error_code ec = read_part_header(h, header_bytes, headers_left, max_memory_bytes)) return ec;
            if (parts_left-- <= 0) return form_errc::message_too_large;
            std::string name, filename;
            media_type disp;
            if (parse_media_type(h.get("Content-Disposition"), disp) && disp.type == "form-data") {
                name.assign(disp.param("name"));
                std::string_view fn = disp.param("filename");
                if (!fn.empty()) filename = base_name(fn);
            }
            constexpr std::int64_t map_entry_overhead = 200;
            constexpr std::int64_t file_header_size = 100;
            if (name.empty()) {
                if (std::error_code ec = read_part_body(nullptr, INT64_MAX, nullptr)) return ec;
                continue;
            }
            max_memory_bytes -= static_cast<std::int64_t>(name.size()) + map_entry_overhead;
            if (max_memory_bytes < 0) return form_errc::message_too_large;
            if (filename.empty()) {
                std::string value;
                bool over = false;
                if (std::error_code ec = read_part_body(&value, max_memory_bytes, &over)) return ec;
                if (over) return form_errc::message_too_large;
                max_memory_bytes -= static_cast<std::int64_t>(value.size());
                form.value.add(name, value);
                continue;
            }
            max_memory_bytes -= header_bytes + map_entry_overhead + file_header_size;
            if (max_memory_bytes < 0) return form_errc::message_too_large;
            file_header fh;
            fh.filename = std::move(filename);
            fh.header = std::move(h);
            bool over = false;
            if (std::error_code ec = read_part_body(&fh.content, max_file_memory, &over, &form, &fh)) return ec;
            if (fh.fd < 0) {
                fh.size = static_cast<std::int64_t>(fh.content.size());
                max_file_memory -= fh.size;
                max_memory_bytes -= fh.size;
            }
            form.file[name].push_back(std::move(fh));
        }
        return {};
    }

private:
    body_reader& body_;
    std::string dash_boundary_;  // "--boundary"
    std::string delimiter_;      // "\n--boundary"; a preceding '\r' is part of it too
    std::string buf_;
    std::size_t pos_ = 0;
    bool eof_ = false;
    bool done_ = false;
    std::error_code read_error_;

    // fill reads more body bytes; false at the end of the body or on error.
    bool fill() {
        if (eof_) return false;
        if (pos_ > 0 && pos_ >= buf_.size() / 2) {
            buf_.erase(0, pos_);
            pos_ = 0;
        }
        std::size_t old = buf_.size();
        buf_.resize(old + 32768);
        io_result r = body_.read({buf_.data() + old, 32768});
        buf_.resize(old + r.n);
        if (r.ec) {
            eof_ = true;
            if (r.ec != errc::eof) read_error_ = r.ec;
        }
        return r.n > 0 || !eof_;
    }

    std::error_code eof_error() const { return read_error_ ? read_error_ : make_error_code(form_errc::bad_multipart); }

    // read_line returns the next line without its LF (and CR), or false at
    // the end; a line longer than limit is an error.
    bool read_line(std::string& line, std::size_t limit) {
        for (;;) {
            std::size_t nl = buf_.find('\n', pos_);
            if (nl != std::string::npos) {
                std::size_t end = nl > pos_ && buf_[nl - 1] == '\r' ? nl - 1 : nl;
                line.assign(buf_, pos_, end - pos_);
                pos_ = nl + 1;
                return true;
            }
            if (buf_.size() - pos_ > limit) return false;
            if (!fill()) return false;
        }
    }

    // boundary_line classifies a line: 1 a delimiter, 2 the close delimiter, 0 neither.
    int boundary_line(std::string_view line) const {
        if (!line.starts_with(dash_boundary_)) return 0;
        std::string_view rest = line.substr(dash_boundary_.size());
        int kind = 1;
        if (rest.starts_with("--")) {
            rest.remove_prefix(2);
            kind = 2;
        }
        // RFC 2046 §5.1.1: transport padding (linear white space) may follow.
        return trim(rest).empty() ? kind : 0;
    }

    std::error_code skip_preamble() {
        std::string line;
        for (;;) {
            if (!read_line(line, 1 << 20)) return eof_error();
            int kind = boundary_line(line);
            if (kind == 1) return {};
            if (kind == 2) {
                done_ = true;
                return {};
            }
        }
    }

    std::error_code read_part_header(ringhttp::header& h, std::int64_t& bytes, std::int64_t& headers_left,
                                     std::int64_t memory_left) {
        std::string line;
        for (;;) {
            if (!read_line(line, 64 * 1024)) return eof_ ? eof_error() : make_error_code(form_errc::message_too_large);
            if (line.empty()) return {};
            bytes += static_cast<std::int64_t>(line.size());
            if (bytes > memory_left || --headers_left < 0) return form_errc::message_too_large;
            std::size_t colon = line.find(':');
            if (colon == std::string::npos || !is_token(std::string_view(line).substr(0, colon)))
                return form_errc::bad_multipart;
            h.add(std::string_view(line).substr(0, colon), trim(std::string_view(line).substr(colon + 1)));
        }
    }

    // read_part_body reads the part's content up to its delimiter. Bytes go
    // to out (or nowhere), at most limit of them; past the limit *over is set
    // and, with a form and file header given, the content moves to the
    // form's temporary file instead.
    std::error_code read_part_body(std::string* out, std::int64_t limit, bool* over, multipart_form* form = nullptr,
                                   file_header* fh = nullptr) {
        std::int64_t total = 0;
        auto emit = [&](std::string_view data) -> std::error_code {
            total += static_cast<std::int64_t>(data.size());
            if (out == nullptr) return {};
            if (fh != nullptr && fh->fd >= 0) return spill(*form, *fh, data);
            if (total > limit) {
                if (form == nullptr) {
                    *over = true;
                    return {};
                }
                // Go's readForm: past max_memory the file goes to disk, whole.
                std::error_code ec = start_spill(*form, *fh);
                if (!ec) ec = spill(*form, *fh, *out);
                out->clear();
                out->shrink_to_fit();
                if (!ec) ec = spill(*form, *fh, data);
                return ec;
            }
            if (over == nullptr || !*over) out->append(data);
            return {};
        };
        for (;;) {
            std::size_t i = buf_.find(delimiter_, pos_);
            while (i != std::string::npos) {
                // The delimiter counts only when the rest of its line is
                // "--" or padding: check that line is all here.
                std::size_t after = i + delimiter_.size();
                std::size_t nl = buf_.find('\n', after);
                if (nl == std::string::npos) {
                    // Need more bytes to decide, unless the "padding" is
                    // already too long for a delimiter line.
                    if (buf_.size() - after <= 256) break;
                    i = buf_.find(delimiter_, i + 1);
                    continue;
                }
                std::string_view rest(buf_.data() + i + 1, nl - i - 1);
                if (!rest.empty() && rest.back() == '\r') rest.remove_suffix(1);
                int kind = boundary_line(rest);
                if (kind != 0) {
                    std::size_t end = i > pos_ && buf_[i - 1] == '\r' ? i - 1 : i;
                    if (std::error_code ec = emit(std::string_view(buf_).substr(pos_, end - pos_))) return ec;
                    pos_ = nl + 1;
                    if (kind == 2) done_ = true;
                    return {};
                }
                i = buf_.find(delimiter_, i + 1);
            }
            // Hand out what cannot be the start of a delimiter, keep the rest.
            std::size_t keep = delimiter_.size() + 1 + 256;  // "\r" + delimiter + padding
            if (i != std::string::npos) keep = std::max(keep, buf_.size() - i + 1);
            if (buf_.size() - pos_ > keep) {
                std::size_t n = buf_.size() - pos_ - keep;
                if (std::error_code ec = emit(std::string_view(buf_).substr(pos_, n))) return ec;
                pos_ += n;
            }
            if (!fill()) return eof_error();
        }
    }

    static std::error_code start_spill(multipart_form& form, file_header& fh) {
        if (form.temp_fd < 0) {
            int fd = run_blocking([]() -> int {
                const char* dir = std::getenv("TMPDIR");
                std::string path = std::string(dir != nullptr && *dir != '\0' ? dir : "/tmp") + "/multipart-XXXXXX";
                int f = ::mkostemp(path.data(), O_CLOEXEC);
                if (f >= 0) ::unlink(path.c_str());  // gone with its last descriptor
                return f < 0 ? -errno : f;
            });
            if (fd < 0) return {-fd, std::system_category()};
            form.temp_fd = fd;
        }
        fh.fd = form.temp_fd;
        fh.offset = ::lseek(form.temp_fd, 0, SEEK_END);
        fh.size = 0;
        return {};
    }

    // spill appends to the temporary file on the blocking pool: a slow disk
    // must not stall the ring.
    static std::error_code spill(multipart_form& form, file_header& fh, std::string_view data) {
        if (data.empty()) return {};
        int err = run_blocking([&]() -> int {
            std::string_view d = data;
            while (!d.empty()) {
                ssize_t n = ::pwrite(form.temp_fd, d.data(), d.size(), fh.offset + fh.size);
                if (n < 0) {
                    if (errno == EINTR) continue;
                    return errno;
                }
                fh.size += n;
                d.remove_prefix(static_cast<std::size_t>(n));
            }
            return 0;
        });
        return err != 0 ? std::error_code(err, std::system_category()) : std::error_code{};
    }
};

bool is_form_method(std::string_view m) { return m == "POST" || m == "PUT" || m == "PATCH"; }

}  // namespace

// url_values

std::string_view url_values::get(std::string_view key) const noexcept {
    for (const auto& [k, v] : pairs_)
        if (k == key) return v;
    return {};
}

bool url_values::has(std::string_view key) const noexcept {
    for (const auto& p : pairs_)
        if (p.first == key) return true;
    return false;
}

std::vector<std::string_view> url_values::all(std::string_view key) const {
    std::vector<std::string_view> out;
    for (const auto& [k, v] : pairs_)
        if (k == key) out.push_back(v);
    return out;
}

void url_values::set(std::string_view key, std::string_view value) {
    del(key);
    add(key, value);
}

void url_values::add(std::string_view key, std::string_view value) { pairs_.emplace_back(key, value); }

void url_values::del(std::string_view key) {
    std::erase_if(pairs_, [&](const auto& p) { return p.first == key; });
}

std::string url_values::encode() const {
    // Go's QueryEscape: unreserved bytes stay, space becomes '+'.
    auto escape = [](std::string_view s, std::string& out) {
        static constexpr char hex[] = "0123456789ABCDEF";
        for (char ch : s) {
            auto c = static_cast<unsigned char>(ch);
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
                c == '.' || c == '~') {
                out.push_back(ch);
            } else if (c == ' ') {
                out.push_back('+');
            } else {
                out.push_back('%');
                out.push_back(hex[c >> 4]);
                out.push_back(hex[c & 15]);
            }
        }
    };
    std::vector<const std::pair<std::string, std::string>*> sorted;
    sorted.reserve(pairs_.size());
    for (const auto& p : pairs_) sorted.push_back(&p);
    std::stable_sort(sorted.begin(), sorted.end(), [](auto* a, auto* b) { return a->first < b->first; });
    std::string out;
    for (const auto* p : sorted) {
        if (!out.empty()) out.push_back('&');
        escape(p->first, out);
        out.push_back('=');
        escape(p->second, out);
    }
    return out;
}

const std::error_category& form_category() noexcept {
    static const form_category_impl category;
    return category;
}

int form_error_status(std::error_code ec) noexcept {
    if (ec == form_errc::post_too_large || ec == form_errc::message_too_large || ec == errc::body_too_large) return 413;
    if (ec == errc::timeout) return 408;
    return 400;
}

std::error_code parse_query(std::string_view query, url_values& out) {
    std::error_code err;
    std::string key, value;
    while (!query.empty()) {
        std::size_t amp = query.find('&');
        std::string_view part = query.substr(0, amp);
        query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
        // Go 1.17+: ';' no longer separates pairs; such a pair is an error.
        if (part.find(';') != std::string_view::npos) {
            if (!err) err = form_errc::bad_query;
            continue;
        }
        if (part.empty()) continue;
        std::size_t eq = part.find('=');
        key.clear();
        value.clear();
        if (!query_unescape(part.substr(0, eq), key) ||
            (eq != std::string_view::npos && !query_unescape(part.substr(eq + 1), value))) {
            if (!err) err = form_errc::bad_query;
            continue;
        }
        out.add(key, value);
    }
    return err;
}

std::error_code file_header::read_all(std::string& out) const {
    if (fd < 0) {
        out += content;
        return {};
    }
    std::size_t old = out.size();
    out.resize(old + static_cast<std::size_t>(size));
    std::int64_t done = 0;
    int err = run_blocking([&]() -> int {
        while (done < size) {
            ssize_t n = ::pread(fd, out.data() + old + done, static_cast<std::size_t>(size - done), offset + done);
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) return n < 0 ? errno : EIO;
            done += n;
        }
        return 0;
    });
    if (err != 0) {
        out.resize(old);
        return {err, std::system_category()};
    }
    return {};
}

void multipart_form::remove_all() noexcept {
    file.clear();
    if (temp_fd >= 0) {
        ::close(temp_fd);
        temp_fd = -1;
    }
}

void detail::release_form_files(form_state& forms) noexcept {
    if (forms.multipart) forms.multipart->remove_all();
}

// request's form methods

void detail::reset_forms(form_state& forms) noexcept { forms.clear(); }

detail::form_state& request::forms() {
    if (forms_ == nullptr) forms_ = std::make_shared<detail::form_state>();
    return *forms_;
}

std::error_code request::parse_form() {
    detail::form_state& st = forms();
    std::error_code err;
    if (!st.post_parsed) {
        st.post_parsed = true;
        if (is_form_method(method_)) {
            std::string_view ct = header_.get("Content-Type");
            // RFC 9110 §8.3: a missing type may be treated as octet-stream.
            media_type mt;
            if (ct.empty()) {
                mt.type = "application/octet-stream";
            } else if (!parse_media_type(ct, mt)) {
                err = form_errc::bad_media_type;
                mt.type.clear();
            }
            if (mt.type == "application/x-www-form-urlencoded") {
                std::string bodytext;
                std::array<char, 16384> chunk;
                for (;;) {
                    io_result r = body().read(chunk);
                    bodytext.append(chunk.data(), r.n);
                    if (static_cast<std::int64_t>(bodytext.size()) > max_form_size) {
                        err = form_errc::post_too_large;
                        break;
                    }
                    if (r.ec == errc::eof) break;
                    if (r.ec) {
                        if (!err) err = r.ec;
                        break;
                    }
                }
                if (!err) err = parse_query(bodytext, st.post_form);
            }
        }
    }
    if (!st.form_parsed) {
        st.form_parsed = true;
        st.form = st.post_form;
        std::error_code e = parse_query(url_.raw_query, st.form);
        if (!err) err = e;
    }
    return err;
}

std::error_code request::parse_multipart_form(std::int64_t max_memory) {
    detail::form_state& st = forms();
    std::error_code parse_form_err;
    if (!st.form_parsed) parse_form_err = parse_form();
    if (st.multipart) return {};
    std::string_view ct = header_.get("Content-Type");
    media_type mt;
    if (ct.empty() || !parse_media_type(ct, mt) || mt.type != "multipart/form-data") return form_errc::not_multipart;
    std::string_view boundary = mt.param("boundary");
    if (boundary.empty()) return form_errc::missing_boundary;
    auto f = std::make_unique<ringhttp::multipart_form>();
    multipart_reader reader(body(), boundary);
    if (std::error_code ec = reader.read_form(max_memory, *f)) return ec;
    for (const auto& [k, v] : f->value) {
        st.form.add(k, v);
        st.post_form.add(k, v);
    }
    st.multipart = std::move(f);
    return parse_form_err;
}

std::string_view request::form_value(std::string_view key) {
    if (!forms().form_parsed) (void)parse_multipart_form(default_max_memory);
    return forms().form.get(key);
}

std::string_view request::post_form_value(std::string_view key) {
    if (!forms().post_parsed) (void)parse_multipart_form(default_max_memory);
    return forms().post_form.get(key);
}

const url_values& request::form() { return forms().form; }

const url_values& request::post_form() { return forms().post_form; }

multipart_form* request::multipart() { return forms().multipart.get(); }

const file_header* request::form_file(std::string_view key, std::error_code* ec) {
    std::error_code e;
    if (!forms().multipart) e = parse_multipart_form(default_max_memory);
    if (!e) {
        if (multipart_form* f = forms().multipart.get()) {
            auto it = f->file.find(key);
            if (it != f->file.end() && !it->second.empty()) return &it->second.front();
        }
        e = form_errc::missing_file;
    }
    if (ec != nullptr) *ec = e;
    return nullptr;
}

}  // namespace ringhttp
