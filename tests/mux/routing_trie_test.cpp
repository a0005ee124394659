// The routing trie (mux/routing_trie.cpp): the one-walk trailing-slash
// probe against Go's literal two walks, and snapshots sharing structure.
#include <catch2/catch_test_macros.hpp>

#include <algorithm>
#include <memory>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "mux/pattern.hpp"
#include "mux/request_path.hpp"
#include "mux/routing_trie.hpp"

using namespace ringhttp::mux_detail;

namespace {

// Go's exactMatch for a path given in escaped form.
bool exact(const pattern* p, std::string_view path) {
    if (p == nullptr) return false;
    if (!p->ends_in_multi()) return true;
    if (!path.empty() && path.back() != '/') return false;
    return p->segments.size() == static_cast<std::size_t>(std::count(path.begin(), path.end(), '/'));
}

struct trie {
    std::vector<std::unique_ptr<pattern>> patterns;
    const snapshot* current = nullptr;
    ~trie() { destroy(current); }
    bool add(const std::string& text) {
        std::unique_ptr<pattern> p;
        try {
            p = parse_pattern(text);
            version_delta delta;
            const snapshot* next = add_pattern(current, p.get(), delta);
            delta.free_old();  // single-threaded: nobody reads the old version
            current = next;
        } catch (const std::invalid_argument&) {
            return false;  // same trie position as an earlier pattern
        }
        patterns.push_back(std::move(p));
        return true;
    }
};

std::string random_pattern(std::mt19937& rng) {
    static const char* methods[] = {"", "", "GET ", "HEAD ", "POST "};
    static const char* hosts[] = {"", "", "", "h"};
    static const char* segs[] = {"a", "b", "a", "{x}", "{y}"};
    std::string out = methods[rng() % 5];
    out += hosts[rng() % 4];
    const int n = static_cast<int>(rng() % 4);
    for (int i = 0; i < n; ++i) {
        out += '/';
        out += segs[rng() % 5];
    }
    switch (rng() % 4) {
        case 0: out += "/"; break;
        case 1: out += "/{$}"; break;
        case 2: out += "/{rest...}"; break;
        default: if (n == 0) out += "/"; break;
    }
    return out;
}

std::string random_path(std::mt19937& rng) {
    static const char* segs[] = {"a", "b", "c", "a"};
    std::string out;
    const int n = static_cast<int>(rng() % 6);
    for (int i = 0; i < n; ++i) {
        out += '/';
        out += segs[rng() % 4];
    }
    if (out.empty() || rng() % 3 == 0) out += '/';
    return out;
}

// A plain recursive walk in the shape of Go's routingNode.matchPath, as an
// independent reference for the iterative one.
const pattern* reference_path(const node* n, const request_path& path, std::size_t i) {
    if (n == nullptr) return nullptr;
    if (path.at_end(i)) return n->leaf;
    const path_segment& s = path[i];
    const node* literal = s.text.empty() ? n->wild : n->children.find(s.text, s.hash);
    if (const pattern* p = reference_path(literal, path, i + 1)) return p;
    if (s.text != "/" && n->wild != literal)
        if (const pattern* p = reference_path(n->wild, path, i + 1)) return p;
    return n->multi;
}

const pattern* reference_methods(const node* n, std::string_view method, const request_path& path) {
    if (n == nullptr) return nullptr;
    if (const pattern* p = reference_path(n->children.find(method, hash_bytes(method)), path, 0)) return p;
    if (method == "HEAD")
        if (const pattern* p = reference_path(n->children.find("GET", hash_bytes("GET")), path, 0)) return p;
    return reference_path(n->wild, path, 0);
}

const pattern* reference_match(const snapshot& s, std::string_view host, std::string_view method,
                               const request_path& path) {
    if (!host.empty())
        if (const pattern* p = reference_methods(s.root->children.find(host, hash_bytes(host)), method, path))
            return p;
    return reference_methods(s.root->wild, method, path);
}

}  // namespace

TEST_CASE("routing_trie: the iterative walk finds what Go's recursive walk finds", "[mux][trie]") {
    std::mt19937 rng(77);
    static const char* methods[] = {"GET", "HEAD", "POST"};
    static const char* hosts[] = {"", "h", "other"};
    for (int round = 0; round < 300; ++round) {
        trie t;
        const int n = 1 + static_cast<int>(rng() % 16);
        for (int i = 0; i < n; ++i) t.add(random_pattern(rng));
        if (t.current == nullptr) continue;
        for (int k = 0; k < 80; ++k) {
            const std::string path = random_path(rng);
            request_path rp;
            rp.assign(path, t.current->max_depth + 1);
            const char* method = methods[rng() % 3];
            const char* host = hosts[rng() % 3];
            INFO("path " << path << " method " << method << " host " << host);
            REQUIRE(match(*t.current, host, method, rp) == reference_match(*t.current, host, method, rp));
        }
    }
}

TEST_CASE("routing_trie: patterns deeper than the walk's inline stack still match", "[mux][trie]") {
    trie t;
    // 40 wildcard levels, each with a literal sibling so that every level
    // leaves a pending alternative behind on the way down.
    std::string wild, lit;
    for (int i = 0; i < 40; ++i) {
        wild += "/{w" + std::to_string(i) + "}";
        lit += "/a";
    }
    REQUIRE(t.add(wild + "/end"));
    REQUIRE(t.add(lit + "/"));
    REQUIRE(t.add(lit + "/{z}/x"));
    request_path rp;
    const std::string lit_end = lit + "/end";  // request_path views the path: keep it alive
    rp.assign(lit_end, t.current->max_depth + 1);
    const pattern* p = match(*t.current, "", "GET", rp);
    REQUIRE(p != nullptr);
    CHECK(p->text == lit + "/");  // the literal subtree wins, through its multi
    CHECK(p == reference_match(*t.current, "", "GET", rp));
    std::string other;
    for (int i = 0; i < 40; ++i) other += "/b";
    other += "/end";
    rp.assign(other, t.current->max_depth + 1);
    p = match(*t.current, "", "GET", rp);
    REQUIRE(p != nullptr);
    CHECK(p->text == wild + "/end");
}

TEST_CASE("routing_trie: one walk answers Go's trailing-slash probe as two walks do", "[mux][trie]") {
    std::mt19937 rng(2024);
    static const char* methods[] = {"GET", "HEAD", "POST", "PUT"};
    static const char* hosts[] = {"", "h", "other"};
    long probes = 0;
    for (int round = 0; round < 400; ++round) {
        trie t;
        const int n = 1 + static_cast<int>(rng() % 12);
        for (int i = 0; i < n; ++i) t.add(random_pattern(rng));
        if (t.current == nullptr) continue;
        for (int k = 0; k < 60; ++k) {
            const std::string path = random_path(rng);
            const char* method = methods[rng() % 4];
            const char* host = hosts[rng() % 3];
            request_path rp;
            rp.assign(path, t.current->max_depth + 1);
            match_info info;
            info.probe = true;
            const pattern* fast = match(*t.current, host, method, rp, &info);
            const pattern* plain = match(*t.current, host, method, rp);
            REQUIRE(fast == plain);
            if (fast != nullptr) {
                // What the walk reports about the match agrees with the pattern.
                REQUIRE(info.via_multi == fast->ends_in_multi());
                if (info.via_multi) REQUIRE(info.multi_at + 1 == fast->segments.size());
            }
            const bool probe = info.slash_exact;
            if (exact(plain, path) || path.back() == '/') continue;
            // Go: match path + "/" again and ask whether that is exact.
            INFO("path " << path << " method " << method << " host " << host);
            // The reference keeps every segment, even past the deepest pattern.
            request_path whole;
            const std::string with_slash_path = path + "/";
            whole.assign(with_slash_path, 16);
            const pattern* with_slash = match(*t.current, host, method, whole);
            CHECK(probe == exact(with_slash, path + "/"));
            ++probes;
        }
    }
    CHECK(probes > 1000);
}

TEST_CASE("routing_trie: a new snapshot leaves the old one intact", "[mux][trie]") {
    std::vector<std::unique_ptr<pattern>> keep;
    auto add = [&](const snapshot* s, const char* text, version_delta& d) {
        keep.push_back(parse_pattern(text));
        return add_pattern(s, keep.back().get(), d);
    };
    version_delta d1, d2;
    const snapshot* s1 = add(nullptr, "/a/b", d1);
    const snapshot* s2 = add(s1, "/a/c", d2);
    request_path rp;
    rp.assign("/a/c", 3);
    CHECK(match(*s1, "", "GET", rp) == nullptr);
    CHECK(match(*s2, "", "GET", rp) == keep[1].get());
    rp.assign("/a/b", 3);
    CHECK(match(*s1, "", "GET", rp) == keep[0].get());
    CHECK(match(*s2, "", "GET", rp) == keep[0].get());
    d2.free_old();  // s1 and what only it used
    destroy(s2);
}

TEST_CASE("routing_trie: a wide node keeps every child through table growth", "[mux][trie]") {
    std::vector<std::unique_ptr<pattern>> keep;
    const snapshot* s = nullptr;
    for (int i = 0; i < 5000; ++i) {
        keep.push_back(parse_pattern("/w/k" + std::to_string(i)));
        version_delta d;
        s = add_pattern(s, keep.back().get(), d);
        d.free_old();
    }
    request_path rp;
    for (int i = 0; i < 5000; ++i) {
        const std::string path = "/w/k" + std::to_string(i);
        rp.assign(path, s->max_depth + 1);
        REQUIRE(match(*s, "", "GET", rp) == keep[static_cast<std::size_t>(i)].get());
    }
    rp.assign("/w/k5000", s->max_depth + 1);
    CHECK(match(*s, "", "GET", rp) == nullptr);
    destroy(s);
}
