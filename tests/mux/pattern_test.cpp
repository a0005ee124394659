// Pattern parsing and the specificity relation (mux/pattern.cpp).
#include <catch2/catch_test_macros.hpp>
#include <catch2/generators/catch_generators.hpp>

#include <stdexcept>
#include <string>
#include <vector>

#include "mux/pattern.hpp"

using namespace ringhttp::mux_detail;

namespace {

std::string describe(const pattern& p) {
    std::string out = "[" + p.method + "][" + p.host + "]";
    for (const segment& s : p.segments) {
        switch (s.kind) {
            case segment_kind::literal: out += " lit(" + s.text + ")"; break;
            case segment_kind::single: out += " one(" + s.text + ")"; break;
            case segment_kind::multi: out += " rest(" + s.text + ")"; break;
        }
    }
    return out;
}

relation relate(const char* a, const char* b) {
    auto pa = parse_pattern(a);
    auto pb = parse_pattern(b);
    return compare_paths(*pa, *pb);
}

}  // namespace

TEST_CASE("pattern: parses method, host and segments as Go's parsePattern does", "[mux][pattern]") {
    struct row {
        const char* in;
        const char* want;
    };
    auto [in, want] = GENERATE(values<row>({
        {"/", "[][] rest()"},
        {"/a", "[][] lit(a)"},
        {"/a/", "[][] lit(a) rest()"},
        {"/a/{$}", "[][] lit(a) lit(/)"},
        {"/{$}", "[][] lit(/)"},
        {"GET /a/{x}/b", "[GET][] lit(a) one(x) lit(b)"},
        {"POST\t \texample.com/b/{bucket}/o/{obj...}", "[POST][example.com] lit(b) one(bucket) lit(o) rest(obj)"},
        {"example.com/", "[][example.com] rest()"},
        {"/%61/%2F/x%20y", "[][] lit(a) lit(/) lit(x y)"},
        {"/%zz", "[][] lit(%zz)"},
        {" /a", "[][] lit(a)"},
        {"/a//b", "[][] lit(a) lit() lit(b)"},
        {"CONNECT /a/../b", "[CONNECT][] lit(a) lit(..) lit(b)"},
        {"/{_x1}/{é}", "[][] one(_x1) one(é)"},
    }));
    INFO(in);
    CHECK(describe(*parse_pattern(in)) == want);
}

TEST_CASE("pattern: keeps the registered text for request::pattern()", "[mux][pattern]") {
    CHECK(parse_pattern("GET  example.com/a/{x}")->text == "GET  example.com/a/{x}");
}

TEST_CASE("pattern: rejects malformed patterns with Go's message", "[mux][pattern]") {
    struct row {
        const char* in;
        const char* message;
    };
    auto [in, message] = GENERATE(values<row>({
        {"", "parsing \"\": at offset 0: empty pattern"},
        {"/{x", "parsing \"/{x\": at offset 1: bad wildcard segment (must end with '}')"},
        {"/a/b{x}", "parsing \"/a/b{x}\": at offset 3: bad wildcard segment (must start with '{')"},
        {"/{x...}/", "parsing \"/{x...}/\": at offset 1: {...} wildcard not at end"},
        {"/{$}/", "parsing \"/{$}/\": at offset 1: {$} not at end"},
        {"/{a}/{b}/{a...}", "parsing \"/{a}/{b}/{a...}\": at offset 9: duplicate wildcard name \"a\""},
        {"/{x.y}", "parsing \"/{x.y}\": at offset 1: bad wildcard name \"x.y\""},
        {"G\"T /", "parsing \"G\\\"T /\": at offset 0: invalid method \"G\\\"T\""},
        {"x{/", "parsing \"x{/\": at offset 1: host contains '{' (missing initial '/'?)"},
        {"GET  h/a/./b", "parsing \"GET  h/a/./b\": at offset 5: non-CONNECT pattern with unclean path can never match"},
    }));
    INFO(in);
    try {
        parse_pattern(in);
        FAIL("no exception");
    } catch (const std::invalid_argument& e) {
        CHECK(std::string(e.what()) == message);
    }
}

TEST_CASE("pattern: path relations follow Go's comparePaths", "[mux][pattern]") {
    CHECK(relate("/a", "/a") == relation::equivalent);
    CHECK(relate("/a", "/b") == relation::disjoint);
    CHECK(relate("/{x}", "/a") == relation::more_general);
    CHECK(relate("/a", "/{x}") == relation::more_specific);
    CHECK(relate("/a/", "/a/b/c") == relation::more_general);
    CHECK(relate("/a/{x...}", "/a/") == relation::equivalent);
    CHECK(relate("/{x}", "/{$}") == relation::disjoint);
    CHECK(relate("/", "/{$}") == relation::more_general);
    CHECK(relate("/a/{x}", "/{y}/b") == relation::overlaps);
    CHECK(relate("/a/b", "/a/b/c") == relation::disjoint);
    CHECK(relate("/{x}/b/", "/a/{y...}") == relation::overlaps);
}

TEST_CASE("pattern: methods relate with GET covering HEAD", "[mux][pattern]") {
    auto rel = [](const char* a, const char* b) { return compare_methods(*parse_pattern(a), *parse_pattern(b)); };
    CHECK(rel("/", "GET /") == relation::more_general);
    CHECK(rel("GET /", "HEAD /") == relation::more_general);
    CHECK(rel("HEAD /", "GET /") == relation::more_specific);
    CHECK(rel("POST /", "GET /") == relation::disjoint);
    CHECK(rel("PUT /", "PUT /") == relation::equivalent);
}

TEST_CASE("pattern: a host pattern never conflicts with a hostless one", "[mux][pattern]") {
    CHECK_FALSE(conflicts(*parse_pattern("example.com/a"), *parse_pattern("/a")));
    CHECK(conflicts(*parse_pattern("example.com/a"), *parse_pattern("example.com/{x}/")) == false);
    CHECK(conflicts(*parse_pattern("example.com/{x}"), *parse_pattern("example.com/{y}")));
}

TEST_CASE("pattern: go_quote escapes as Go's %q does", "[mux][pattern]") {
    CHECK(go_quote("a\"b\\c") == "\"a\\\"b\\\\c\"");
    CHECK(go_quote("tab\there\n") == "\"tab\\there\\n\"");
    CHECK(go_quote(std::string("\x01\x7f", 2)) == "\"\\x01\\x7f\"");
    CHECK(go_quote("caf\xc3\xa9") == "\"caf\xc3\xa9\"");
    CHECK(go_quote("\xff") == "\"\\xff\"");
}
