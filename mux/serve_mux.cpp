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

bool has_hosts(const snapshot& s) noexcept { return s.root != nullptr && s.root->children.count != 0; }

}  // namespace

// The path indexes (routing_trie.hpp, match_indexed) for a clean request
// whose path splits as its decoded form does. Returns null when the walk
// must decide: no indexed pattern, or the request's host has patterns of
// its own but none indexed for this path (they come before any pattern
// without a host). On a last-wildcard hit, value is the last segment.
const pattern* find_indexed(const snapshot& s, const request& r, std::string_view& value) noexcept {
    const bool any_exact = s.exact.table.count != 0;
    const bool any_last = s.last_wildcard.table.count != 0;
    if ((!any_exact && !any_last) || r.method() == "CONNECT") return nullptr;
    const url& u = r.url();
    const std::string_view path = u.path;
    const bool try_exact = any_exact && (s.exact.lengths & length_bit(path.size())) != 0;
    // R = L/s: L for the last-wildcard index (s must be a real segment).
    std::size_t last_slash = 0;
    bool try_last = false;
    if (any_last) {
        last_slash = path.rfind('/');
        try_last = last_slash != std::string_view::npos && last_slash + 1 < path.size() &&
                   (s.last_wildcard.lengths & length_bit(last_slash)) != 0;
    }
    if ((!try_exact && !try_last) || !u.raw_path.empty() || !surely_clean(path)) return nullptr;

    static const std::uint64_t empty_hash = hash_bytes({});
    static const std::uint64_t get_hash = hash_bytes("GET");
    const std::string_view method = r.method();
    const std::uint64_t method_hash = s.exact.with_method + s.last_wildcard.with_method != 0 ? hash_bytes(method) : 0;
    const std::uint64_t path_hash = try_exact ? hash_bytes(path) : 0;
    const std::string_view prefix = try_last ? path.substr(0, last_slash) : std::string_view();
    const std::uint64_t prefix_hash = try_last ? hash_bytes(prefix) : 0;

    // Go's order within one host: the method, GET for HEAD, no method; the
    // exact index before the last-wildcard one (routing_trie.hpp).
    auto probe_index = [&](const path_index& index, std::string_view host, std::uint64_t host_hash,
                           std::string_view key, std::uint64_t key_hash) -> const pattern* {
        if (index.with_method != 0) {
            if (const pattern* p = match_indexed(index, {host, host_hash, method, method_hash, key, key_hash})) return p;
            if (method == "HEAD")
                if (const pattern* p = match_indexed(index, {host, host_hash, "GET", get_hash, key, key_hash})) return p;
        }
        return match_indexed(index, {host, host_hash, {}, empty_hash, key, key_hash});
    };
    auto probe = [&](std::string_view host, std::uint64_t host_hash) -> const pattern* {
        if (try_exact)
            if (const pattern* p = probe_index(s.exact, host, host_hash, path, path_hash)) return p;
        if (try_last)
            if (const pattern* p = probe_index(s.last_wildcard, host, host_hash, prefix, prefix_hash)) {
                value = path.substr(last_slash + 1);
                return p;
            }
        return nullptr;
    };
    if (has_hosts(s)) {
        const std::string_view host = strip_host_port(r.host());
        if (!host.empty()) {
            const std::uint64_t host_hash = hash_bytes(host);
            // A hit means the host has patterns, and host patterns come first.
            if (const pattern* p = probe(host, host_hash)) return p;
            // The host's own patterns, if any, are walked before hostless ones.
            if (s.root->children.find(host, host_hash) != nullptr) return nullptr;
        }
    }
    return probe({}, empty_hash);
}

namespace {

// Go 1.23's ServeMux.findHandler, on one snapshot.
void find_in(const snapshot& s, const request& r, request_path& path, lookup& out) {
    const url& u = r.url();
    if (const pattern* p = find_indexed(s, r, out.last_segment)) {
        out.kind = outcome::matched;  // exact: no redirect to consider
        out.matched = p;
        out.from_index = true;
        return;
    }
    // Without host patterns the host plays no part (root's children are hosts).
    const bool hosts = has_hosts(s);
    const std::size_t limit = std::size_t{s.max_depth} + 1;
    split_path(u, limit, path);
    const std::string_view method = r.method();
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

void assign_path_values(request& r, const lookup& res, const request_path& path) {
    const pattern& p = *res.matched;
    if (res.from_index) {
        // Not split: an exact pattern has no wildcard, a last-wildcard one
        // takes the last segment (a decoded path: no unescaping).
        if (p.indexed == pattern::index_kind::last_wildcard) r.set_path_value(p.segments.back().text, res.last_segment);
        return;
    }
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

const snapshot& access::current(const serve_mux& m) { return *m.current_.load(std::memory_order_acquire); }

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
            mux_detail::assign_path_values(r, res, path);
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
