#include <ringhttp/serve_mux.hpp>

#include <algorithm>
#include <bit>
#include <cstring>
#include <limits>
#include <memory>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include <ringhttp/helpers.hpp>
#include <ringhttp/status.hpp>
#include <ringhttp/url.hpp>

#include "engine/base/rcu.hpp"
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
// for "//" (the trailing-slash redirect of an absolute-form target with an
// empty path, "http://h"), which Go's url.Parse reads as an empty host and
// Redirect turns into "/"; redirect() would take it for a scheme-relative
// URL. Cleaning twice changes nothing.
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

// Go's trailing-slash redirect: 301 to the cleaned URL path + "/".
void redirect_with_slash(const url& u, lookup& out) {
    out.kind = outcome::redirect;
    out.redirect_pattern = clean_path(u.path) + "/";
    out.location = location_for(out.redirect_pattern, u.raw_query);
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
    redirect_with_slash(*u, out);
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

bool has_hosts(const snapshot& s) noexcept { return s.hosts; }

constexpr std::uint64_t empty_hash = hash_bytes({});
constexpr std::uint64_t get_hash = hash_bytes("GET");

// Room for path + "/" in the trailing-slash probe; longer paths are walked.
constexpr std::size_t slash_probe_bytes = 256;

// One group of patterns: those of one host, or those without a host.
struct pattern_group {
    std::string_view host;  // empty: the patterns without a host
    std::uint64_t hash;
    int has_patterns;       // 0: none, 1: some, -1: not yet known
};

// A request's method and its hash (0 unless some indexed pattern has a method).
struct method_key {
    std::string_view text;
    std::uint64_t hash;
};

// The pattern of group g filed in index under key, in Go's order within one
// group: the method, GET for HEAD, no method. Out of line, with few
// arguments: find_indexed has many probe sites, and inlining every one
// would bloat it past what the compiler inlines below.
[[gnu::noinline]] const pattern* find_in_group(const path_index& index, const pattern_group& g, const method_key& m,
                                               std::string_view key, std::uint64_t key_hash) noexcept {
    if (index.with_method != 0) {
        if (const pattern* p = match_indexed(index, g.host, g.hash, m.text, m.hash, key, key_hash)) return p;
        if (m.text == "HEAD")
            if (const pattern* p = match_indexed(index, g.host, g.hash, "GET", get_hash, key, key_hash)) return p;
    }
    return match_indexed(index, g.host, g.hash, {}, empty_hash, key, key_hash);
}

// One request's probes of the path indexes, for find_indexed.
struct index_probe {
    const snapshot& s;
    const method_key& method;
    std::string_view path;
    bool is_short;
    std::uint64_t slashes;      // bit i: a '/' at path[i] (a short path)
    bool try_exact;
    std::uint64_t path_hash;
    bool try_last;
    std::size_t last_slash;
    std::uint64_t prefix_hash;  // of path.substr(0, last_slash)
    bool try_subtree;

    const pattern* find(const path_index& index, const pattern_group& g, std::string_view key,
                        std::uint64_t key_hash) const noexcept {
        return find_in_group(index, g, method, key, key_hash);
    }

    // The length of the longest prefix of path shorter than below that ends
    // in '/' and has a length some subtree has, or 0.
    [[gnu::always_inline]] std::size_t subtree_prefix(std::size_t below) const noexcept {
        const std::uint64_t tree_lengths = s.subtree.lengths;
        if (is_short) {
            // Bit i: the prefix of length i + 1 (length_bit's last bit stands
            // for every length from 63 on).
            const std::uint64_t lengths = (tree_lengths >> 1) | (tree_lengths & length_bit(63));
            const std::uint64_t shorter = below > 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << (below - 1)) - 1;
            const std::uint64_t m = slashes & lengths & shorter;
            return m == 0 ? 0 : static_cast<std::size_t>(64 - std::countl_zero(m));
        }
        for (std::size_t i = below - 1; i-- > 0;)
            if (path[i] == '/' && (tree_lengths & length_bit(i + 1)) != 0) return i + 1;
        return 0;
    }

    [[gnu::always_inline]] bool has_patterns(pattern_group& g) const noexcept {
        if (g.has_patterns < 0) g.has_patterns = s.root->children.find(g.host, g.hash) != nullptr ? 1 : 0;
        return g.has_patterns == 1;
    }

    // The most specific indexed pattern of group g that matches path, into
    // out; returns the index it is filed in (none: no match). The caller
    // learns the kind from here, not from the pattern, whose cache line a
    // routing decision need not touch.
    [[gnu::always_inline]] pattern::index_kind match_group(pattern_group& g, index_lookup& out) const noexcept {
        if (g.has_patterns == 0) return pattern::index_kind::none;
        if (try_exact)
            if (const pattern* p = find(s.exact, g, path, path_hash)) {
                out = {index_lookup::result::matched, static_cast<std::uint32_t>(path.size()), p};
                return pattern::index_kind::exact;
            }
        if (try_last)
            if (const pattern* p = find(s.last_wildcard, g, path.substr(0, last_slash), prefix_hash)) {
                out = {index_lookup::result::matched, static_cast<std::uint32_t>(last_slash + 1), p};
                return pattern::index_kind::last_wildcard;
            }
        if (try_subtree && has_patterns(g))
            for (std::size_t len = subtree_prefix(path.size() + 1); len != 0; len = subtree_prefix(len)) {
                const std::string_view key = path.substr(0, len);
                if (const pattern* p = find(s.subtree, g, key, hash_bytes(key))) {
                    out = {index_lookup::result::matched, static_cast<std::uint32_t>(len), p};
                    return pattern::index_kind::subtree;
                }
            }
        return pattern::index_kind::none;
    }

    // Whether group g has a pattern that matches path + "/" exactly (Go's
    // trailing-slash redirect): a {$} pattern or a subtree of its own.
    [[gnu::always_inline]] bool slash_exact(pattern_group& g, std::string_view with_slash, std::uint64_t hash,
                                            bool exact, bool subtree) const noexcept {
        if (g.has_patterns == 0 || !has_patterns(g)) return false;
        return (exact && find(s.exact, g, with_slash, hash) != nullptr) ||
               (subtree && find(s.subtree, g, with_slash, hash) != nullptr);
    }
};

}  // namespace

// The path indexes stand in for Go's walk (docs/MUX.md, "The path
// indexes") for a non-CONNECT request whose path is clean and splits as its
// decoded form does (an empty raw path):
//
// - An exact or last-wildcard hit is Go's answer whatever else is
//   registered: within one host and method the literal-first walk reaches
//   it before anything else that matches; across methods, a pattern of an
//   earlier-tried method that matches but is not found by an earlier probe
//   would conflict with the hit. If nothing is hit but the request's host
//   has patterns, the walk decides (host patterns come first).
// - Subtree hits and the trailing-slash redirect need more: that no
//   complex pattern (one in no index) can match the path, or the path +
//   "/" (same first segment), which the snapshot's complex_filter tells
//   from the first segment. Then only indexed patterns match, and Go's
//   answer is, under the request's host and then without a host (the first
//   group with a match decides): an exact pattern, a last-wildcard one,
//   the longest subtree that is a prefix of the path — for each, the
//   method, GET for HEAD, no method. A match is inexact only when it is a
//   subtree that is not the whole path; then, for a path not ending in
//   '/', Go redirects when the first group with any match for path + "/"
//   has path + "/" itself (a {$} pattern or a subtree): groups before the
//   matched one have no other match for it, and the matched one matches it
//   at least with the same subtree.
//
// Anything else (no match, which may be a 405; CONNECT; an escaped,
// unclean or overlong path) is left to the walk.
index_lookup find_indexed(const snapshot& s, const request& r) noexcept {
    if (s.exact.table.count + s.last_wildcard.table.count + s.subtree.table.count == 0) return {};
    const std::string_view method = r.method();
    if (method == "CONNECT") return {};
    const url& u = r.url();
    if (!u.raw_path.empty()) return {};
    const std::string_view path = u.path;
    const std::size_t n = path.size();
    if (n > std::numeric_limits<std::uint32_t>::max()) return {};  // index_lookup::value_at must fit
    method_key m{method, 0};
    index_probe q{s, m, path, n <= short_path, 0, false, 0, false, 0, 0, false};
    if (q.is_short ? !scan_short_path(path, q.slashes) : !surely_clean(path)) return {};
    q.last_slash = q.is_short ? static_cast<std::size_t>(63 - std::countl_zero(q.slashes)) : path.rfind('/');

    // May a complex pattern match? Its first segment tells.
    bool whole = true;
    if (!s.complex.empty()) {
        std::size_t second = n;  // the '/' after the first segment, or n
        if (q.is_short) {
            if (const std::uint64_t rest = q.slashes & ~std::uint64_t{1}; rest != 0)
                second = static_cast<std::size_t>(std::countr_zero(rest));
        } else {
            second = std::min(path.find('/', 1), n);
        }
        // "/" is one segment, the trailing slash "/".
        const std::string_view first = n == 1 ? path : path.substr(1, second - 1);
        whole = !s.complex.may_match(hash_bytes(first));
    }
    q.try_exact = s.exact.table.count != 0 && (s.exact.lengths & length_bit(n)) != 0;
    // R = L/s: L for the last-wildcard index (s must be a real segment).
    q.try_last = s.last_wildcard.table.count != 0 && q.last_slash + 1 < n &&
                 (s.last_wildcard.lengths & length_bit(q.last_slash)) != 0;
    q.try_subtree = whole && s.subtree.table.count != 0;
    if (!q.try_exact && !q.try_last && !whole) return {};
    if ((s.exact.with_method | s.last_wildcard.with_method | s.subtree.with_method) != 0)
        m.hash = hash_bytes(method);
    if (q.try_exact) q.path_hash = hash_bytes(path);
    if (q.try_last) q.prefix_hash = hash_bytes(path.substr(0, q.last_slash));

    pattern_group host{{}, empty_hash, 0};
    pattern_group hostless{{}, empty_hash, 1};
    if (has_hosts(s)) {
        host.host = strip_host_port(r.host());
        if (!host.host.empty()) {
            host.hash = hash_bytes(host.host);
            host.has_patterns = -1;
        }
    }
    index_lookup res;
    const pattern_group* matched_in = nullptr;
    pattern::index_kind hit = q.match_group(host, res);
    if (hit != pattern::index_kind::none) {
        matched_in = &host;
    } else if (!whole && host.has_patterns != 0 && q.has_patterns(host)) {
        return {};  // the host's own patterns, walked, come before hostless ones
    } else if (hit = q.match_group(hostless, res); hit != pattern::index_kind::none) {
        matched_in = &hostless;
    }
    // An exact or last-wildcard match is exact (Go's exactMatch), and so is
    // any match of a path ending in '/': no redirect to consider.
    if ((matched_in != nullptr && hit != pattern::index_kind::subtree) || path.back() == '/') return res;
    if (!whole) return {};
    // path + "/" matches exactly only as a {$} pattern or a subtree of its own.
    const bool exact = s.exact.table.count != 0 && (s.exact.lengths & length_bit(n + 1)) != 0;
    const bool subtree = s.subtree.table.count != 0 && (s.subtree.lengths & length_bit(n + 1)) != 0;
    if (!exact && !subtree) return res;
    if (n + 1 > slash_probe_bytes) return {};
    char buf[slash_probe_bytes];
    std::memcpy(buf, path.data(), n);
    buf[n] = '/';
    const std::string_view with_slash(buf, n + 1);
    const std::uint64_t hash = hash_bytes(with_slash);
    // The first group with a match for path + "/" decides: the matched
    // group matches it at least with the same subtree.
    if (q.slash_exact(host, with_slash, hash, exact, subtree)) return {index_lookup::result::slash_redirect, 0, nullptr};
    if (matched_in != &host && q.slash_exact(hostless, with_slash, hash, exact, subtree))
        return {index_lookup::result::slash_redirect, 0, nullptr};
    return res;
}

namespace {

// lookup_from records what the path indexes decided; false if nothing.
bool lookup_from(const index_lookup& f, const request& r, lookup& out) {
    switch (f.kind) {
        case index_lookup::result::matched:
            out.kind = outcome::matched;
            out.matched = f.matched;
            out.from_index = true;
            out.value = f.value(r.url().path);
            return true;
        case index_lookup::result::slash_redirect:
            redirect_with_slash(r.url(), out);
            return true;
        case index_lookup::result::none:
            break;
    }
    return false;
}

// Go 1.23's ServeMux.findHandler, on one snapshot: the path indexes when
// try_index and they decide, else the walk.
void find_in(const snapshot& s, const request& r, request_path& path, lookup& out, bool try_index) {
    const url& u = r.url();
    if (try_index && lookup_from(find_indexed(s, r), r, out)) return;
    // Without host patterns the host plays no part (root's children are hosts).
    const bool hosts = has_hosts(s);
    const std::size_t limit = std::size_t{s.max_depth} + 1;
    split_path(u, limit, path);
    const std::string_view method = r.method();
    std::string_view host;
    const pattern* p = nullptr;
    if (method == "CONNECT") {
        // A 2xx answer to CONNECT turns the connection into a tunnel (RFC
        // 9110 §9.3.6), so a CONNECT is never redirected (Go sends "CONNECT
        // host:443" to "/" with its trailing-slash redirect, and a tunnel
        // client follows no redirect). Its path is not cleaned; the match
        // and the 405's methods look at the URL's authority (r.host() is
        // that authority for an authority-form target), neither stripping a
        // port (as Go).
        host = u.host;
        if (u.path.empty()) {
            // Authority-form (RFC 9112 §3.2.3): matched as the path "/", by a
            // pattern registered for CONNECT only ("CONNECT /", "CONNECT
            // host:443/"), whose handler may hijack the connection for the
            // tunnel. Anything else would answer it as an ordinary request
            // and seem to open a tunnel: 405, Allow naming the methods "/"
            // has (maybe none).
            path.assign_decoded("/", limit);
            p = match_method(s, r.host(), method, path);
            if (p == nullptr) {
                find_methods(s, host, path, out);
                out.kind = outcome::method_not_allowed;
                return;
            }
        } else {
            // Origin-form ("CONNECT /_goRPC_", Go's net/rpc): routed as
            // any method, without the redirect.
            p = match(s, r.host(), method, path);
        }
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
    if (!p.has_values) return;
    if (res.from_index) {
        // Not split: an indexed pattern's one wildcard is its last segment,
        // and its value a view of the decoded path (no unescaping).
        r.set_path_value(p.segments.back().text, res.value);
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

void access::find(const serve_mux& m, const request& r, request_path& path, lookup& out, bool try_index) {
    rcu::read_guard guard;
    find_in(*rcu::dereference(m.current_), r, path, out, try_index);
}

index_lookup access::find_indexed(const serve_mux& m, const request& r) noexcept {
    rcu::read_guard guard;
    return mux_detail::find_indexed(*rcu::dereference(m.current_), r);
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

// serve_http for what the path indexes left to the walk (f.kind none; the
// walk looks at the current snapshot, which may be newer than f's), or
// answered with a trailing-slash redirect.
[[gnu::noinline]] void serve_walked(const serve_mux& mux, response_writer& w, request& r,
                                    const mux_detail::index_lookup& f) {
    mux_detail::request_path path;
    lookup res;
    if (f.kind == mux_detail::index_lookup::result::slash_redirect) {
        mux_detail::redirect_with_slash(r.url(), res);
    } else {
        mux_detail::access::find(mux, r, path, res, false);
    }
    switch (res.kind) {
        case outcome::matched:
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
    // Most requests: the path indexes decide (no path splitting, no lookup
    // record). The pattern record outlives the request (patterns are never
    // removed); path values are copied into the request.
    const mux_detail::index_lookup f = mux_detail::access::find_indexed(*this, r);
    if (f.kind == mux_detail::index_lookup::result::matched) {
        const mux_detail::pattern& p = *f.matched;
        r.set_pattern(p.text);
        if (p.has_values) r.set_path_value(p.segments.back().text, f.value(r.url().path));
        p.handler->serve_http(w, r);
        return;
    }
    serve_walked(*this, w, r, f);
}

serve_mux& default_serve_mux() {
    // Never destroyed: ring threads may still route during static destruction.
    static serve_mux* mux = new serve_mux;
    return *mux;
}

const handler& detail::default_handler() { return default_serve_mux(); }

void handle(std::string_view pattern, handler_ptr h) { default_serve_mux().handle(pattern, std::move(h)); }

}  // namespace ringhttp
