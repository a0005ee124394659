#include <ringhttp/helpers.hpp>

#include <algorithm>
#include <memory>
#include <new>
#include <type_traits>
#include <string>

#include <ringhttp/response_controller.hpp>
#include <ringhttp/status.hpp>

#include "engine/base/html.hpp"

namespace ringhttp {
namespace {

// path.Clean keeping the result rooted; clean_path adds the trailing-slash
// rule on top, which redirect() handles itself.
std::string clean_rooted(std::string_view p) {
    std::string c = clean_path(p);
    if (c.size() > 1 && c.back() == '/' && !(p.size() > 0 && p.back() == '/')) c.pop_back();
    return c;
}

// Go's url.Parse decides whether a redirect target is relative: a scheme
// ("x:" before any '/', '?' or '#') or a "//host" prefix makes it absolute.
bool has_scheme_or_host(std::string_view u) {
    if (u.starts_with("//")) {
        // "//host/..." names a host; "//" followed by a path has an empty one.
        return u.size() > 2 && u[2] != '/' && u[2] != '?' && u[2] != '#';
    }
    for (std::size_t i = 0; i < u.size(); ++i) {
        char c = u[i];
        bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
        if (alpha) continue;
        if (i > 0 && ((c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.')) continue;
        return c == ':' && i > 0;
    }
    return false;
}

std::string hex_escape_non_ascii(std::string_view s) {
    static constexpr char hex[] = "0123456789ABCDEF";
    std::string out;
    out.reserve(s.size());
    for (char ch : s) {
        auto c = static_cast<unsigned char>(ch);
        if (c >= 0x80) {
            out.push_back('%');
            out.push_back(hex[c >> 4]);
            out.push_back(hex[c & 15]);
        } else {
            out.push_back(ch);
        }
    }
    return out;
}

std::string html_escape(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    engine::html_escape_append(s, out);
    return out;
}

class redirect_to final : public handler {
public:
    redirect_to(std::string_view target, int code) : target_(target), code_(code) {}
    void serve_http(response_writer& w, request& r) const override { redirect(w, r, target_, code_); }

private:
    std::string target_;
    int code_;
};

class prefix_stripper final : public handler {
public:
    prefix_stripper(std::string_view prefix, handler_ptr h) : prefix_(prefix), next_(std::move(h)) {}
    void serve_http(response_writer& w, request& r) const override {
        url& u = r.url();
        const url saved = u;
        bool path_has = u.path.starts_with(prefix_);
        bool raw_ok = u.raw_path.empty() || u.raw_path.starts_with(prefix_);
        if (!path_has || !raw_ok) {
            not_found(w, r);
            return;
        }
        u.path.remove_prefix(prefix_.size());
        if (!u.raw_path.empty()) u.raw_path.remove_prefix(prefix_.size());
        // Restore the caller's view of the request even if the handler throws.
        struct restore {
            url& u;
            const url& saved;
            ~restore() { u = saved; }
        } guard{u, saved};
        next_->serve_http(w, r);
    }

private:
    std::string prefix_;
    handler_ptr next_;
};

// Go's maxBytesReader: passes at most n bytes through, then fails.
class limited_body final : public body_reader {
public:
    limited_body(body_reader& inner, response_writer& w, std::int64_t n) : inner_(inner), w_(w), left_(n) {}
    io_result read(std::span<char> buf) override {
        if (error_) return {0, error_};
        if (buf.empty()) return {0, {}};
        if (left_ <= 0) {
            // At the limit: one more byte means the body is too large.
            char probe;
            io_result r = inner_.read({&probe, 1});
            if (r.n == 0) return r;  // the end of the body, or its error
            error_ = errc::body_too_large;
            if (writer_control* c = w_.control()) c->close_after_response();
            return {0, error_};
        }
        io_result r = inner_.read(buf.first(static_cast<std::size_t>(std::min<std::int64_t>(left_, static_cast<std::int64_t>(buf.size())))));
        left_ -= static_cast<std::int64_t>(r.n);
        return r;
    }

private:
    body_reader& inner_;
    response_writer& w_;
    std::int64_t left_;
    std::error_code error_;
};

}  // namespace

void max_bytes_reader(response_writer& w, request& r, std::int64_t n) {
    static_assert(std::is_trivially_destructible_v<std::error_code>);
    // Lives in the request's storage: gone, without a destructor call, with it.
    void* mem = r.storage().allocate(sizeof(limited_body));
    r.set_body(*new (mem) limited_body(r.body(), w, n));
}

void error(response_writer& w, std::string_view message, int code) {
    ringhttp::header& h = w.header();
    h.del("Content-Length");
    h.set("Content-Type", "text/plain; charset=utf-8");
    h.set("X-Content-Type-Options", "nosniff");
    w.write_header(code);
    std::string line;
    line.reserve(message.size() + 1);
    line.append(message).push_back('\n');
    w.write(line);
}

void not_found(response_writer& w, request&) { error(w, "404 page not found", status_not_found); }

void redirect(response_writer& w, request& r, std::string_view target, int code) {
    std::string location(target);
    if (!has_scheme_or_host(location)) {
        std::string_view old_path = r.url().path;
        if (old_path.empty()) old_path = "/";
        if (location.empty() || location.front() != '/') {
            // Relative: resolve against the directory of the request path.
            std::string_view dir = old_path.substr(0, old_path.rfind('/') + 1);
            location.insert(0, dir);
        }
        std::string query;
        if (std::size_t q = location.find('?'); q != std::string::npos) {
            query = location.substr(q);
            location.resize(q);
        }
        bool trailing = !location.empty() && location.back() == '/';
        location = clean_rooted(location);
        if (trailing && location.back() != '/') location.push_back('/');
        location += query;
    }
    ringhttp::header& h = w.header();
    const bool had_content_type = h.has("Content-Type");
    h.set("Location", hex_escape_non_ascii(location));
    if (!had_content_type && (r.method() == "GET" || r.method() == "HEAD"))
        h.set("Content-Type", "text/html; charset=utf-8");
    w.write_header(code);
    // A short HTML body for old user agents, GET only (RFC 9110 §15.4).
    if (!had_content_type && r.method() == "GET") {
        std::string body = "<a href=\"" + html_escape(location) + "\">" + std::string(status_text(code)) + "</a>.\n\n";
        w.write(body);
    }
}

handler_ptr not_found_handler() {
    static const handler_ptr h = make_handler([](response_writer& w, request& r) { not_found(w, r); });
    return h;
}

handler_ptr redirect_handler(std::string_view target, int code) {
    return std::make_shared<const redirect_to>(target, code);
}

handler_ptr strip_prefix(std::string_view prefix, handler_ptr h) {
    if (prefix.empty()) return h;
    return std::make_shared<const prefix_stripper>(prefix, std::move(h));
}

}  // namespace ringhttp
