// The path indexes (find_indexed in mux/serve_mux.cpp) against the walk and
// against a plain model of Go 1.23's findHandler, on random route sets and
// random requests: legacy-only sets (the seed's kind: no method, no
// wildcard but a subtree's trailing '/', hosts allowed) and mixed sets
// (methods, {x}, {x...}, {$}, wildcards in the middle, empty and dot
// segments), with paths that need trailing-slash and clean-path redirects,
// hosts with ports, escaped paths and paths longer than the short-path scan.
#include <catch2/catch_test_macros.hpp>

#include <algorithm>
#include <memory>
#include <optional>
#include <random>
#include <set>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include <ringhttp/helpers.hpp>
#include <ringhttp/httptest.hpp>
#include <ringhttp/serve_mux.hpp>
#include <ringhttp/status.hpp>
#include <ringhttp/url.hpp>

#include "mux/lookup.hpp"
#include "mux/pattern.hpp"
#include "mux/request_path.hpp"

using namespace ringhttp;
using mux_detail::outcome;
using mux_detail::pattern;
using mux_detail::segment;

namespace {

handler_ptr noop() {
    return make_handler([](response_writer&, request&) {});
}

// ---- A plain model of Go 1.23's ServeMux.findHandler (non-CONNECT) ----
//
// Written from Go's routingNode.match / matchPath / exactMatch and
// ServeMux.findHandler / matchOrRedirect / matchingMethods, over the list of
// registered patterns instead of a tree: among the patterns that match,
// the first group (the request's host, then no host) with a match, in it
// the first method (the request's, GET for HEAD, none) with a match, and
// among those the first in the tree's depth-first order (at the first
// segment where two differ, a literal before a wildcard before a multi).

std::string go_path_unescape(std::string_view s) {
    std::string out;
    if (!path_unescape(s, out)) return std::string(s);
    return out;
}

// Go's firstSegment.
std::pair<std::string, std::string_view> first_segment(std::string_view path) {
    if (path == "/") return {"/", {}};
    path.remove_prefix(1);
    const std::size_t i = std::min(path.find('/'), path.size());
    return {go_path_unescape(path.substr(0, i)), path.substr(i)};
}

struct model_match {
    const pattern* p = nullptr;
    std::vector<int> order;  // per segment: 0 literal, 1 wildcard, 2 multi
    std::vector<std::pair<std::string, std::string>> values;
};

// Whether p's path matches the escaped path as Go's tree walk finds it. An
// empty literal segment is the tree's wildcard child, as in Go.
bool path_matches(const pattern& p, std::string_view path, model_match& m) {
    m.p = &p;
    m.order.clear();
    m.values.clear();
    std::string_view rest = path;
    for (const segment& seg : p.segments) {
        if (rest.empty()) return false;
        if (seg.is_multi()) {
            m.order.push_back(2);
            if (!seg.text.empty()) m.values.emplace_back(seg.text, go_path_unescape(rest.substr(1)));
            return true;
        }
        auto [s, next] = first_segment(rest);
        rest = next;
        if (seg.is_literal() && !seg.text.empty()) {
            if (seg.text != s) return false;
            m.order.push_back(0);
        } else {
            if (s == "/") return false;
            m.order.push_back(1);
            if (!seg.text.empty() && !seg.is_literal()) m.values.emplace_back(seg.text, s);
        }
    }
    return rest.empty();
}

std::optional<model_match> model_lookup(const std::vector<const pattern*>& patterns, std::string_view host,
                                        std::string_view method, std::string_view path) {
    std::vector<std::string_view> hosts;
    if (!host.empty()) hosts.push_back(host);
    hosts.emplace_back();
    std::vector<std::string_view> methods = {method};
    if (method == "HEAD") methods.emplace_back("GET");
    methods.emplace_back();
    for (std::string_view h : hosts) {
        for (std::string_view m : methods) {
            std::optional<model_match> best;
            model_match cur;
            for (const pattern* p : patterns) {
                if (p->host != h || p->method != m || !path_matches(*p, path, cur)) continue;
                if (!best || cur.order < best->order) best = cur;
            }
            if (best) return best;
        }
    }
    return std::nullopt;
}

bool model_exact(const std::optional<model_match>& m, std::string_view path) {
    if (!m) return false;
    if (!m->p->ends_in_multi()) return true;
    if (!path.empty() && path.back() != '/') return false;
    return m->p->segments.size() == static_cast<std::size_t>(std::count(path.begin(), path.end(), '/'));
}

std::string model_location(std::string_view path, std::string_view query) {
    std::string escaped;
    path_escape(path, escaped);
    std::string out = clean_path(escaped);
    if (!query.empty()) out += "?" + std::string(query);
    return out;
}

struct answer {
    outcome kind = outcome::not_found;
    std::string pattern;   // matched pattern, or a redirect's pattern
    std::string location;  // redirect
    std::string allow;     // 405
    std::vector<std::pair<std::string, std::string>> values;  // matched, sorted
    bool operator==(const answer&) const = default;
};

answer model_find(const std::vector<const pattern*>& patterns, const request& r) {
    answer a;
    const url& u = r.url();
    const std::string escaped = u.escaped_path();
    const std::string path = clean_path(escaped);
    const std::string_view host = mux_detail::strip_host_port(r.host());
    const std::string_view method = r.method();
    std::optional<model_match> n = model_lookup(patterns, host, method, path);
    if (!model_exact(n, path) && !path.ends_with('/')) {
        const std::string with_slash = path + "/";
        if (model_exact(model_lookup(patterns, host, method, with_slash), with_slash)) {
            a.kind = outcome::redirect;
            a.pattern = clean_path(u.path) + "/";
            a.location = model_location(a.pattern, u.raw_query);
            return a;
        }
    }
    if (path != escaped) {
        a.kind = outcome::redirect;
        a.pattern = n ? n->p->text : std::string();
        a.location = model_location(path, u.raw_query);
        return a;
    }
    if (n) {
        a.kind = outcome::matched;
        a.pattern = n->p->text;
        a.values = n->values;
        std::sort(a.values.begin(), a.values.end());
        return a;
    }
    std::set<std::string> allowed;
    auto collect = [&](std::string_view p) {
        // Patterns with a method, of the request's host or of none.
        for (const pattern* pat : patterns) {
            model_match m;
            if (pat->method.empty() || (!pat->host.empty() && pat->host != host)) continue;
            if (path_matches(*pat, p, m)) allowed.insert(pat->method);
        }
    };
    collect(path);
    if (!path.ends_with('/')) collect(path + "/");
    if (allowed.count("GET") != 0) allowed.insert("HEAD");
    if (allowed.empty()) return a;
    a.kind = outcome::method_not_allowed;
    for (const std::string& m : allowed) {
        if (!a.allow.empty()) a.allow += ", ";
        a.allow += m;
    }
    return a;
}

// ---- serve_mux's answers ----

answer from_lookup(const mux_detail::lookup& res, const mux_detail::request_path& path, const request& r) {
    answer a;
    a.kind = res.kind;
    switch (res.kind) {
        case outcome::matched: {
            a.pattern = res.matched->text;
            // The values assign_path_values gives, read back from a copy of r.
            auto copy = httptest::new_request(r.method(), r.request_uri());
            mux_detail::assign_path_values(*copy, res, path);
            for (const segment& s : res.matched->segments)
                if (s.is_wild() && !s.text.empty()) a.values.emplace_back(s.text, copy->path_value(s.text));
            std::sort(a.values.begin(), a.values.end());
            break;
        }
        case outcome::redirect:
            a.pattern = res.redirect_pattern;
            a.location = res.location;
            break;
        case outcome::method_not_allowed: a.allow = res.allow; break;
        case outcome::not_found: break;
    }
    return a;
}

answer lookup_answer(const serve_mux& mux, const request& r, bool try_index) {
    mux_detail::request_path path;
    mux_detail::lookup res;
    mux_detail::access::find(mux, r, path, res, try_index);
    return from_lookup(res, path, r);
}

// serve_http's answer, read from the response and the request.
answer served(const serve_mux& mux, std::string_view method, std::string_view target, std::string_view host,
              const answer& like) {
    auto r = httptest::new_request(method, target);
    r->set_host(host);
    httptest::response_recorder w;
    mux.serve_http(w, *r);
    answer a;
    switch (w.code) {
        case 200: a.kind = outcome::matched; break;
        case 301: a.kind = outcome::redirect; break;
        case 405: a.kind = outcome::method_not_allowed; break;
        default: a.kind = outcome::not_found; break;
    }
    a.pattern = r->pattern();
    a.allow = w.result_header().get("Allow");
    if (a.kind == outcome::redirect) {
        // What redirect() makes of the lookup's Location.
        auto r2 = httptest::new_request(method, target);
        r2->set_host(host);
        httptest::response_recorder w2;
        redirect(w2, *r2, like.location, status_moved_permanently);
        a.location = w.result_header().get("Location") == w2.result_header().get("Location") ? like.location
                                                                                              : "served differently";
    }
    for (const auto& [name, value] : like.values) a.values.emplace_back(name, r->path_value(name));
    return a;
}

std::string describe(const answer& a) {
    static const char* kinds[] = {"matched", "redirect", "405", "404"};
    std::string s = std::string(kinds[static_cast<int>(a.kind)]) + " [" + a.pattern + "]";
    if (!a.location.empty()) s += " -> " + a.location;
    if (!a.allow.empty()) s += " allow " + a.allow;
    for (const auto& [k, v] : a.values) s += " " + k + "=" + v;
    return s;
}

// ---- random route sets and requests ----

// Short, spaced and long segments: "a b" is escaped in requests; the long
// ones make prefixes of 63 and 64 bytes ("/" word "/"), where the scan's
// length bits end, and paths longer than the 64-byte scan (and than the
// 256-byte trailing-slash probe, several in a row).
const char* const words[] = {"a", "b", "c", "user", "a b", "x",
                             "long-segment-0123456789-abcdefghijklmnopqrstuvwxyz-0123456789",
                             "long-segment-0123456789-abcdefghijklmnopqrstuvwxyz-0123456789A"};

std::string random_word(std::mt19937& rng) {
    const unsigned k = rng() % 20;
    if (k < 17) return words[k % 6];
    return words[6 + k % 2];
}

std::string legacy_pattern(std::mt19937& rng) {
    static const char* hosts[] = {"", "", "", "", "h.example", "g.example"};
    std::string p = hosts[rng() % 6];
    const int n = static_cast<int>(rng() % 4);
    for (int i = 0; i < n; ++i) p += "/" + random_word(rng);
    if (n == 0 || rng() % 2 == 0) p += "/";
    return p;
}

std::string mixed_pattern(std::mt19937& rng) {
    if (rng() % 3 == 0) return legacy_pattern(rng);
    static const char* methods[] = {"", "", "", "GET ", "HEAD ", "POST ", "CONNECT "};
    static const char* hosts[] = {"", "", "", "h.example", "h.example"};
    std::string p = std::string(methods[rng() % 7]) + hosts[rng() % 5];
    const bool method = p.find(' ') != std::string::npos;
    const int n = static_cast<int>(rng() % 4);
    int wild = 0;
    for (int i = 0; i < n; ++i) {
        const unsigned k = rng() % (i == 0 ? 16 : 12);  // a first wildcard less often
        if (k < 8 || k >= 12) {
            // Mostly "a", "b" and "c", so that patterns overlap more often.
            p += "/" + (rng() % 2 ? std::string(words[rng() % 3]) : random_word(rng));
        } else if (k < 10) {
            p += "/{w" + std::to_string(wild++) + "}";
        } else if (k == 10 && !method) {
            p += rng() % 2 ? "/" : "/..";  // an empty or a dot segment (unclean: no method)
        } else {
            p += "/%61%2Fb";  // a literal holding '/'
        }
    }
    switch (rng() % 6) {
        case 0: p += "/"; break;
        case 1: p += "/{$}"; break;
        case 2: p += "/{rest...}"; break;
        case 3: p += "/{last}"; break;
        default:
            if (n == 0) p += "/";
            break;
    }
    return p;
}

std::string random_target(std::mt19937& rng) {
    std::string t;
    const int n = rng() % 20 == 0 ? 6 : static_cast<int>(rng() % 5);
    for (int i = 0; i < n; ++i) {
        const unsigned k = rng() % 40;
        std::string w = k == 0 ? "d" : random_word(rng);
        for (std::size_t sp; (sp = w.find(' ')) != std::string::npos;) w.replace(sp, 1, "%20");
        if (k == 1) w = "%61";    // escaped "a": the URL keeps a raw path
        if (k == 2) w = "a%2Fb";  // a '/' inside a segment
        if (k == 3) w = ".";
        if (k == 4) w = "..";
        if (k == 5) w = "";       // "//"
        if (k == 6) w = ".hidden";
        t += "/" + w;
    }
    if (t.empty() || rng() % 3 == 0) t += "/";
    if (rng() % 10 == 0) t += "?q=1&r=%2F";
    return t;
}

struct tally {
    long requests = 0;
    long by_index = 0;          // answered by the path indexes
    long subtree_hits = 0;      // ... with a subtree pattern
    long slash_redirects = 0;   // ... with a trailing-slash redirect
    long redirects = 0;         // all redirects
};

void cross_check(bool legacy, std::uint32_t seed, int rounds, int requests, tally& t) {
    std::mt19937 rng(seed);
    static const char* req_methods[] = {"GET", "GET", "HEAD", "POST", "PUT"};
    static const char* req_hosts[] = {"localhost", "h.example", "h.example:8080", "g.example", "[::1]:8080",
                                      "H.example"};
    for (int round = 0; round < rounds; ++round) {
        serve_mux mux;
        std::vector<std::string> texts;
        const int count = 1 + static_cast<int>(rng() % 12);
        for (int i = 0; i < count; ++i) {
            std::string p = legacy ? legacy_pattern(rng) : mixed_pattern(rng);
            try {
                mux.handle(p, noop());
                texts.push_back(p);
            } catch (const std::invalid_argument&) {
            }
        }
        // The model's patterns, parsed alike.
        std::vector<std::unique_ptr<pattern>> parsed;
        std::vector<const pattern*> patterns;
        for (const std::string& p : texts) {
            parsed.push_back(mux_detail::parse_pattern(p));
            patterns.push_back(parsed.back().get());
        }
        std::string listing;
        for (const std::string& p : texts) listing += " [" + p + "]";
        for (int k = 0; k < requests; ++k) {
            const std::string target = random_target(rng);
            const char* method = req_methods[rng() % 5];
            const char* host = req_hosts[rng() % 6];
            auto r = httptest::new_request(method, target);
            r->set_host(host);
            INFO("patterns" << listing);
            INFO(method << " " << target << " host " << host);
            const mux_detail::index_lookup f = mux_detail::access::find_indexed(mux, *r);
            const answer indexed = lookup_answer(mux, *r, true);
            const answer walked = lookup_answer(mux, *r, false);
            const answer model = model_find(patterns, *r);
            INFO("index " << describe(indexed) << " / walk " << describe(walked) << " / Go model " << describe(model));
            REQUIRE(indexed == walked);
            REQUIRE(walked == model);
            REQUIRE(served(mux, method, target, host, indexed) == indexed);
            ++t.requests;
            if (indexed.kind == outcome::redirect) ++t.redirects;
            if (legacy) {
                // The indexes answer every match and trailing-slash redirect
                // of a legacy set for a clean path in its decoded form.
                const std::string_view path = r->url().path;
                const bool slash_redirect = indexed.kind == outcome::redirect && indexed.pattern == std::string(path) + "/";
                if (r->url().raw_path.empty() && mux_detail::surely_clean(path) && path.size() < 255 &&
                    (indexed.kind == outcome::matched || slash_redirect))
                    REQUIRE(f.kind != mux_detail::index_lookup::result::none);
            }
            if (f.kind == mux_detail::index_lookup::result::none) continue;
            ++t.by_index;
            if (f.kind == mux_detail::index_lookup::result::slash_redirect) ++t.slash_redirects;
            else if (f.matched->indexed == pattern::index_kind::subtree) ++t.subtree_hits;
        }
    }
}

}  // namespace

TEST_CASE("serve_mux: the model of Go's findHandler agrees with the routing table's examples", "[mux][index]") {
    // A sanity check of the model itself on cases checked against Go.
    serve_mux mux;
    std::vector<std::unique_ptr<pattern>> parsed;
    std::vector<const pattern*> patterns;
    for (const char* p : {"/index.html", "GET /static/", "example.com/", "example.com/{$}",
                          "/b/{bucket}/o/{objectname...}"}) {
        mux.handle(p, noop());
        parsed.push_back(mux_detail::parse_pattern(p));
        patterns.push_back(parsed.back().get());
    }
    auto model = [&](const char* method, const char* target, const char* host = "localhost") {
        auto r = httptest::new_request(method, target);
        r->set_host(host);
        return model_find(patterns, *r);
    };
    CHECK(model("GET", "/static/css/site.css").pattern == "GET /static/");
    CHECK(model("POST", "/static/logo.png").allow == "GET, HEAD");
    CHECK(model("GET", "/static").location == "/static/");
    CHECK(model("GET", "/", "example.com").pattern == "example.com/{$}");
    CHECK(model("GET", "/index.html", "example.com").pattern == "example.com/");
    const answer b = model("GET", "/b/mybucket/o/path/to/object");
    CHECK(b.values == std::vector<std::pair<std::string, std::string>>{{"bucket", "mybucket"},
                                                                        {"objectname", "path/to/object"}});
    CHECK(model("GET", "/b/mybucket/o").location == "/b/mybucket/o/");
    CHECK(model("GET", "/a/../index.html").location == "/index.html");
}

TEST_CASE("serve_mux: on legacy route sets the path indexes answer as the walk and Go do", "[mux][index]") {
    tally t;
    cross_check(true, 1923, 2000, 80, t);
    INFO(t.requests << " requests, " << t.by_index << " by the indexes, " << t.subtree_hits << " subtree hits, "
                    << t.slash_redirects << " trailing-slash redirects by the indexes, " << t.redirects
                    << " redirects");
    CHECK(t.requests == 2000 * 80);
    CHECK(t.by_index > t.requests / 2);
    CHECK(t.subtree_hits > t.requests / 4);
    CHECK(t.slash_redirects > 500);
}

TEST_CASE("serve_mux: on mixed route sets the path indexes answer as the walk and Go do", "[mux][index]") {
    tally t;
    cross_check(false, 2023, 2000, 80, t);
    INFO(t.requests << " requests, " << t.by_index << " by the indexes, " << t.subtree_hits << " subtree hits, "
                    << t.slash_redirects << " trailing-slash redirects by the indexes, " << t.redirects
                    << " redirects");
    CHECK(t.requests == 2000 * 80);
    CHECK(t.by_index > t.requests / 5);
    CHECK(t.subtree_hits > t.requests / 20);
    CHECK(t.slash_redirects > 200);
}

TEST_CASE("serve_mux: the seed's routes are answered by the path indexes", "[mux][index]") {
    serve_mux mux;
    mux.handle("/", noop());
    mux.handle("/user/", noop());
    struct want {
        const char* target;
        const char* pattern;  // null: a trailing-slash redirect
    };
    for (const want& c : {want{"/", "/"}, want{"/user/x", "/user/"}, want{"/anything", "/"}, want{"/user/", "/user/"},
                          want{"/user", nullptr}, want{"/user/a/b/c", "/user/"}, want{"/users", "/"}}) {
        INFO(c.target);
        auto r = httptest::new_request("GET", c.target);
        const mux_detail::index_lookup f = mux_detail::access::find_indexed(mux, *r);
        if (c.pattern == nullptr) {
            CHECK(f.kind == mux_detail::index_lookup::result::slash_redirect);
        } else {
            REQUIRE(f.kind == mux_detail::index_lookup::result::matched);
            CHECK(f.matched->text == c.pattern);
        }
    }
    // An unclean or escaped path, or CONNECT, goes to the walk.
    for (const char* target : {"/a/../user/x", "/user//x", "/%75ser/x"}) {
        INFO(target);
        auto r = httptest::new_request("GET", target);
        CHECK(mux_detail::access::find_indexed(mux, *r).kind == mux_detail::index_lookup::result::none);
    }
}

TEST_CASE("serve_mux: a complex pattern that may match keeps subtrees to the walk", "[mux][index]") {
    serve_mux mux;
    mux.handle("/", noop());
    mux.handle("/items/", noop());
    mux.handle("/items/{id}/edit", noop());
    using result = mux_detail::index_lookup::result;
    auto indexed = [&](const char* target) {
        auto r = httptest::new_request("GET", target);
        return mux_detail::access::find_indexed(mux, *r);
    };
    // "/items/..." may be /items/{id}/edit: the walk decides.
    CHECK(indexed("/items/7/edit").kind == result::none);
    CHECK(indexed("/items/7").kind == result::none);
    // Other first segments cannot match it.
    CHECK(indexed("/other/7/edit").kind == result::matched);
    CHECK(indexed("/other/7/edit").matched->text == "/");
    // A complex pattern with a wildcard first can match anything.
    serve_mux tenants;
    tenants.handle("/", noop());
    tenants.handle("/{tenant}/x/{y}", noop());
    auto r = httptest::new_request("GET", "/other/7/edit");
    CHECK(mux_detail::access::find_indexed(tenants, *r).kind == result::none);
}

TEST_CASE("serve_mux: a trailing-slash redirect for a path of 256 bytes or more is the walk's", "[mux][index]") {
    serve_mux mux;
    mux.handle("/", noop());
    const std::string tree = "/" + std::string(300, 't');
    mux.handle(tree + "/", noop());
    auto r = httptest::new_request("GET", tree);
    CHECK(mux_detail::access::find_indexed(mux, *r).kind == mux_detail::index_lookup::result::none);
    httptest::response_recorder w;
    mux.serve_http(w, *r);
    CHECK(w.code == 301);
    CHECK(w.result_header().get("Location") == tree + "/");
    // Under the limit the indexes answer it.
    const std::string shorter = "/" + std::string(200, 's');
    mux.handle(shorter + "/", noop());
    auto r2 = httptest::new_request("GET", shorter);
    CHECK(mux_detail::access::find_indexed(mux, *r2).kind == mux_detail::index_lookup::result::slash_redirect);
}
