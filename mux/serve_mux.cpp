#include <ringhttp/serve_mux.hpp>

#include <algorithm>
#include <memory>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include <ringhttp/helpers.hpp>
#include <ringhttp/status.hpp>
#include <ringhttp/url.hpp>

#include "engine/rcu.hpp"
#include "mux/lookup.hpp"
#include "mux/pattern.hpp"
#include "mux/request_path.hpp"
#include "mux/routing_trie.hpp"

namespace ringhttp {
namespace mux_detail {

struct registry {
    std::vector<std::unique_ptr<pattern>> patterns;
};

namespace {

// Scratch for escaping a path that is not already in escaped form. Only
// used during a lookup, which never suspends, so one per thread suffices.
std::string& escape_scratch() {
    thread_local std::string s;
    return s;
}

bool ends_with_slash(std::string_view p) noexcept { return !p.empty() && p.back() == '/'; }

// Go's exactMatch: a match is inexact only when a multi wildcard took a
// non-empty rest. Decided from what the walk saw, without reading the pattern.
bool exact(const pattern* p, const match_info& info, const request_path& path) noexcept {
    if (p == nullptr) return false;
    if (!info.via_multi) return true;
    std::string_view esc = path.source();
    if (!esc.empty() && esc.back() != '/') return false;
    // The multi is the pattern's last segment, at index multi_at.
    return info.multi_at + 1 == path.slash_count();
}

// The target of a redirect to path (unescaped) and query: Go's
// url.URL{Path: path, RawQuery: query}.String(), already cleaned as Go's
// Redirect cleans a target without scheme or host. Cleaning here matters
// for "//" (a CONNECT with an empty path), which Go's url.Parse reads as an
// empty host and Redirect turns into "/"; redirect() would take it for a
// scheme-relative URL. Cleaning twice changes nothing.
std::string location_for(std::string_view path, std::string_view query) {
    std::string escaped;
    path_escape(path, escaped);
    std::string out = clean_path(escaped);
    if (!query.empty()) {
        out.push_back('?');
        out.append(query);
    }
    return out;
}

// Go's matchOrRedirect: the match for host, method and path; when u is
// given and the match is not exact, a pattern matching path + "/" exactly
// turns the answer into a 301 to the cleaned URL path + "/". One walk
// answers both (routing_trie.hpp, match).
const pattern* match_or_redirect(const snapshot& s, std::string_view host, std::string_view method,
                                 const request_path& path, const url* u, lookup& out) {
    match_info info;
    info.probe = u != nullptr && !ends_with_slash(path.source());
    const pattern* p = match(s, host, method, path, &info);
    if (!info.probe || !info.slash_exact || exact(p, info, path)) return p;
    out.kind = outcome::redirect;
    out.redirect_pattern = clean_path(u->path) + "/";
    out.location = location_for(out.redirect_pattern, u->raw_query);
    return nullptr;
}

void find_methods(const snapshot& s, std::string_view host, request_path& path, lookup& out) {
    std::vector<std::string_view> methods;
    allowed_methods(s, host, path, methods);
    // As the match tried path + "/" too, so does the search for methods.
    if (!ends_with_slash(path.source()) && path.push_slash()) {
        allowed_methods(s, host, path, methods);
        path.pop_slash();
    }
    if (methods.empty()) {
        out.kind = outcome::not_found;
        return;
    }
    if (std::find(methods.begin(), methods.end(), "GET") != methods.end()) methods.emplace_back("HEAD");
    std::sort(methods.begin(), methods.end());
    methods.erase(std::unique(methods.begin(), methods.end()), methods.end());
    out.kind = outcome::method_not_allowed;
    for (std::string_view m : methods) {
        if (!out.allow.empty()) out.allow += ", ";
        out.allow += m;
    }
}

// Splits the request's path as Go's mux does: the segments of its escaped
// form (URL.EscapedPath), each unescaped.
void split_path(const url& u, std::size_t limit, request_path& path) {
    // Usually the escaped form is escape(path): then the decoded path has the
    // same segments (request_path::assign_decoded) and is split as it is.
    if (u.raw_path.empty() && (u.path.empty() || u.path.front() == '/')) {
        path.assign_decoded(u.path, limit);
        return;
    }
    path.assign(u.escaped_path(escape_scratch()), limit);
}

// Go 1.23's ServeMux.findHandler, on one snapshot.
void find_in(const snapshot& s, const request& r, request_path& path, lookup& out) {
    const url& u = r.url();
    const std::size_t limit = std::size_t{s.max_depth} + 1;
    split_path(u, limit, path);
    const std::string_view method = r.method();
    // Without host patterns the host plays no part (root's children are hosts).
    const bool hosts = s.root != nullptr && s.root->children.count != 0;
    std::string_view host;
    const pattern* p = nullptr;
    if (method == "CONNECT") {
        // CONNECT paths are not cleaned; the trailing-slash redirect looks
        // at the URL's authority, the match itself at the Host header, and
        // neither strips a port.
        host = u.host;
        match_or_redirect(s, host, method, path, &u, out);
        if (out.kind == outcome::redirect) return;
        p = match(s, r.host(), method, path);
    } else {
        if (hosts) host = strip_host_port(r.host());
        if (!path.clean()) {
            // Go cleans the escaped path and matches the result.
            out.cleaned = clean_path(path.decoded() ? u.escaped_path(escape_scratch()) : path.source());
            path.assign(out.cleaned, limit);
        }
        p = match_or_redirect(s, host, method, path, &u, out);
        if (out.kind == outcome::redirect) return;
        if (!out.cleaned.empty()) {
            // The cleaned path is already in escaped form and Go escapes it
            // again for Location ("/a/../b%20c" -> "/b%2520c"); kept as is.
            out.kind = outcome::redirect;
            out.matched = p;
            out.redirect_pattern = p != nullptr ? p->text : std::string();
            out.location = location_for(out.cleaned, u.raw_query);
            return;
        }
    }
    if (p != nullptr) {
        out.kind = outcome::matched;
        out.matched = p;
        return;
    }
    find_methods(s, host, path, out);
}

// Go's pathUnescape: decoded, or the raw text when an escape is malformed.
std::string_view unescape_or_keep(std::string_view raw, std::string& buf) {
    if (raw.find('%') == std::string_view::npos) return raw;
    buf.clear();
    if (!path_unescape(raw, buf)) return raw;
    return buf;
}

}  // namespace

void assign_path_values(request& r, const pattern& p, const request_path& path) {
    std::string buf;
    for (std::size_t i = 0; i < p.segments.size(); ++i) {
        const segment& s = p.segments[i];
        if (s.kind == segment_kind::single) {
            r.set_path_value(s.text, path[i].text);
        } else if (s.kind == segment_kind::multi && !s.text.empty()) {
            // The rest of the path after the '/' that starts segment i.
            std::string_view rest = path.source().substr(path[i].offset + 1);
            r.set_path_value(s.text, path.decoded() ? rest : unescape_or_keep(rest, buf));
        }
    }
}

void access::find(const serve_mux& m, const request& r, request_path& path, lookup& out) {
    rcu::read_guard guard;
    find_in(*rcu::dereference(m.current_), r, path, out);
}

std::size_t access::pattern_count(const serve_mux& m) {
    rcu::read_guard guard;
    return rcu::dereference(m.current_)->patterns;
}

}  // namespace mux_detail

namespace {

using mux_detail::lookup;
using mux_detail::outcome;

void reply_method_not_allowed(response_writer& w, std::string_view allow) {
    w.header().set("Allow", allow);
    error(w, status_text(status_method_not_allowed), status_method_not_allowed);
}

void retire_version(mux_detail::version_delta&& delta) {
    auto garbage = std::make_unique<mux_detail::version_delta>();
    garbage->old_nodes = std::move(delta.old_nodes);
    garbage->old_arrays = std::move(delta.old_arrays);
    garbage->old_snapshot = delta.old_snapshot;
    rcu::retire(garbage.get(), [](void* g) {
        auto* d = static_cast<mux_detail::version_delta*>(g);
        d->free_old();
        delete d;
    });
    garbage.release();
}

}  // namespace

serve_mux::serve_mux()
    : current_(new mux_detail::snapshot{}), registry_(std::make_unique<mux_detail::registry>()) {}

serve_mux::~serve_mux() {
    // No request may be in this mux any more (as for any object being
    // destroyed); earlier versions still queued in the RCU domain share
    // nothing with the current one and are freed there.
    mux_detail::destroy(current_.load(std::memory_order_acquire));
}

void serve_mux::handle(std::string_view pattern_text, handler_ptr h) {
    if (pattern_text.empty()) throw std::invalid_argument("http: invalid pattern");
    if (!h) throw std::invalid_argument("http: nil handler");
    std::unique_ptr<mux_detail::pattern> p = mux_detail::parse_pattern(pattern_text);
    p->handler = std::move(h);

    std::lock_guard lock(write_mu_);
    const mux_detail::snapshot* old = current_.load(std::memory_order_relaxed);  // only writers store it
    std::vector<const mux_detail::pattern*> candidates;
    mux_detail::possible_conflicts(*old, *p, candidates);
    for (const mux_detail::pattern* other : candidates)
        if (mux_detail::conflicts(*p, *other))
            throw std::invalid_argument(mux_detail::conflict_message(*p, *other));

    registry_->patterns.reserve(registry_->patterns.size() + 1);
    mux_detail::version_delta delta;
    const mux_detail::snapshot* next = mux_detail::add_pattern(old, p.get(), delta);
    registry_->patterns.push_back(std::move(p));
    rcu::publish(current_, next);
    retire_version(std::move(delta));
}

route serve_mux::handler(const request& r) const {
    mux_detail::request_path path;
    lookup res;
    mux_detail::access::find(*this, r, path, res);
    switch (res.kind) {
        case outcome::matched:
            return {res.matched->handler, res.matched->text};
        case outcome::redirect:
            return {redirect_handler(res.location, status_moved_permanently), std::move(res.redirect_pattern)};
        case outcome::method_not_allowed:
            return {make_handler([allow = std::move(res.allow)](response_writer& w, request&) {
                        reply_method_not_allowed(w, allow);
                    }),
                    {}};
        case outcome::not_found:
            break;
    }
    return {not_found_handler(), {}};
}

void serve_mux::serve_http(response_writer& w, request& r) const {
    // "OPTIONS *" and other asterisk-form requests have no path to route.
    if (r.request_uri() == "*") {
        if (r.proto_at_least(1, 1)) w.header().set("Connection", "close");
        w.write_header(status_bad_request);
        return;
    }
    mux_detail::request_path path;
    lookup res;
    mux_detail::access::find(*this, r, path, res);
    switch (res.kind) {
        case outcome::matched:
            // The pattern record outlives the request (patterns are never
            // removed); path values are copied into the request.
            r.set_pattern(res.matched->text);
            mux_detail::assign_path_values(r, *res.matched, path);
            res.matched->handler->serve_http(w, r);
            return;
        case outcome::redirect:
            r.set_pattern(r.storage().copy(res.redirect_pattern));
            redirect(w, r, res.location, status_moved_permanently);
            return;
        case outcome::method_not_allowed:
            r.set_pattern({});
            reply_method_not_allowed(w, res.allow);
            return;
        case outcome::not_found:
            break;
    }
    r.set_pattern({});
    not_found(w, r);
}

serve_mux& default_serve_mux() {
    // Never destroyed: ring threads may still route during static destruction.
    static serve_mux* mux = new serve_mux;
    return *mux;
}

void handle(std::string_view pattern, handler_ptr h) { default_serve_mux().handle(pattern, std::move(h)); }

}  // namespace ringhttp
