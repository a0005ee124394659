// The request-target parser (engine/http/target.*), RFC 9112 §3.2: origin,
// absolute, authority (CONNECT) and asterisk forms. Where a target is
// accepted, the parts are what Go 1.23's url.ParseRequestURI gives for it
// (Path, RawPath, RawQuery, Host); where ringhttp is stricter than Go on
// purpose (the comments in target.cpp cite the RFC), the row says so.
#include "engine/http/target.hpp"

#include <catch2/catch_test_macros.hpp>
#include <catch2/generators/catch_generators.hpp>
#include <catch2/generators/catch_generators_range.hpp>

#include <string>
#include <string_view>
#include <vector>

#include <ringhttp/header.hpp>

using namespace std::literals;
using ringhttp::url;
using ringhttp::engine::parse_target;
using ringhttp::engine::valid_host;
using ringhttp::engine::valid_host_port;

namespace {

struct accepted {
    std::string_view method, target;
    std::string_view scheme, host, path, raw_path, raw_query;
};

const std::vector<accepted> origin_cases = {
    {"GET", "/", "", "", "/", "", ""},
    {"GET", "/p?q", "", "", "/p", "", "q"},
    {"GET", "/a?b?c", "", "", "/a", "", "b?c"},
    {"GET", "/?", "", "", "/", "", ""},
    {"GET", "/p?a=%zz", "", "", "/p", "", "a=%zz"},  // the query is not decoded, nor checked
    {"GET", "/a;b=c", "", "", "/a;b=c", "", ""},
    {"GET", "//evil.example/x", "", "", "//evil.example/x", "", ""},  // a path, not an authority
    {"GET", "/a#frag", "", "", "/a#frag", "/a#frag", ""},  // no fragment in a request
    // Escapes are decoded; raw_path is kept only where escaping the decoded
    // path would not give the target's path back.
    {"GET", "/a%20b", "", "", "/a b", "", ""},
    {"GET", "/a%2fb", "", "", "/a/b", "/a%2fb", ""},
    {"GET", "/a%2Fb", "", "", "/a/b", "/a%2Fb", ""},
    {"GET", "/a%2Fb?x=%2F", "", "", "/a/b", "/a%2Fb", "x=%2F"},
    {"GET", "/a%41", "", "", "/aA", "/a%41", ""},
    {"GET", "/%7e", "", "", "/~", "/%7e", ""},
    {"GET", "/%7E", "", "", "/~", "/%7E", ""},
    {"GET", "/a%C3%A9", "", "", "/a\xc3\xa9", "", ""},
    {"GET", "/a%c3%a9", "", "", "/a\xc3\xa9", "/a%c3%a9", ""},  // lower-case hex is not Go's escape
    {"GET", "/\xc3\xa9", "", "", "/\xc3\xa9", "/\xc3\xa9", ""},
    {"GET", "/a%00b", "", "", "/a\0b"sv, "", ""},
    {"GET", "/%2e%2e/x", "", "", "/../x", "/%2e%2e/x", ""},
    {"GET", "/a/%2e/b", "", "", "/a/./b", "/a/%2e/b", ""},
    {"GET", "/%25", "", "", "/%", "", ""},
    {"GET", "/%2525", "", "", "/%25", "", ""},
    // Any method may use the origin form, CONNECT included.
    {"CONNECT", "/path", "", "", "/path", "", ""},
    {"OPTIONS", "/x", "", "", "/x", "", ""},
};

const std::vector<accepted> absolute_cases = {
    {"GET", "http://example.com/p?q", "http", "example.com", "/p", "", "q"},
    {"GET", "http://example.com", "http", "example.com", "", "", ""},
    {"GET", "http://example.com?q", "http", "example.com", "", "", "q"},
    {"GET", "http://h/p?", "http", "h", "/p", "", ""},
    {"GET", "https://h/x", "https", "h", "/x", "", ""},
    {"GET", "http://h:80/", "http", "h:80", "/", "", ""},
    {"GET", "http://h:/", "http", "h:", "/", "", ""},
    {"GET", "http://[::1]:8080/a", "http", "[::1]:8080", "/a", "", ""},
    {"GET", "http://h//a", "http", "h", "//a", "", ""},
    {"GET", "http://h?x#f", "http", "h", "", "", "x#f"},
    {"GET", "http://h/a%2Fb", "http", "h", "/a/b", "/a%2Fb", ""},
    // Userinfo is dropped; the host follows the last '@'.
    {"GET", "http://user:pw@h/p", "http", "h", "/p", "", ""},
    {"GET", "http://user@h:80/x?y", "http", "h:80", "/x", "", "y"},
    {"GET", "http://a@b@c/p", "http", "c", "/p", "", ""},
    // Go lower-cases the scheme ("http"); compared case-insensitively below.
    {"GET", "HTTP://h/", "http", "h", "/", "", ""},
    {"POST", "http://h/a%20b", "http", "h", "/a b", "", ""},
};

// Go sets Host and clears the bogus "http" scheme it parsed them with.
const std::vector<accepted> authority_cases = {
    {"CONNECT", "example.com:443", "", "example.com:443", "", "", ""},
    {"CONNECT", "[::1]:443", "", "[::1]:443", "", "", ""},
    {"CONNECT", "10.0.0.1:8080", "", "10.0.0.1:8080", "", "", ""},
};

const std::vector<accepted> asterisk_cases = {
    {"OPTIONS", "*", "", "", "*", "", ""},
    // Other methods reach the handler, as in Go (serve_mux answers them 400).
    {"GET", "*", "", "", "*", "", ""},
};

void check_accepted(const accepted& c) {
    CAPTURE(c.method, c.target);
    url u;
    ringhttp::detail::arena storage;
    const char* why = parse_target(c.method, c.target, u, storage);
    REQUIRE(why == nullptr);
    CHECK(ringhttp::ascii_iequals(u.scheme, c.scheme));
    CHECK(u.host == c.host);
    CHECK(u.path == c.path);
    CHECK(u.raw_path == c.raw_path);
    CHECK(u.raw_query == c.raw_query);
}

}  // namespace

TEST_CASE("target: an origin-form target splits into decoded path, raw path and query", "[http][target]") {
    check_accepted(GENERATE(from_range(origin_cases)));
}

TEST_CASE("target: an absolute-form target sets scheme and host", "[http][target]") {
    check_accepted(GENERATE(from_range(absolute_cases)));
}

TEST_CASE("target: CONNECT takes an authority-form target as the host", "[http][target]") {
    check_accepted(GENERATE(from_range(authority_cases)));
}

TEST_CASE("target: the asterisk form is the path \"*\"", "[http][target]") {
    check_accepted(GENERATE(from_range(asterisk_cases)));
}

TEST_CASE("target: malformed targets are rejected with a reason", "[http][target]") {
    const auto [method, target] = GENERATE(table<std::string_view, std::string_view>({
        {"GET", ""},
        // Malformed escapes (Go: invalid URL escape).
        {"GET", "/a%zz"},
        {"GET", "/a%4"},
        {"GET", "/a%"},
        {"GET", "/a%2"},
        {"GET", "/%"},
        {"GET", "/a%2Fb%g0"},
        {"GET", "http://h/%zz"},
        // Not an absolute URI (Go: invalid URI for request).
        {"GET", "foo"},
        {"GET", "1http://h/"},
        {"GET", "a b:x"},
        // A bad port (Go: invalid port).
        {"GET", "http://h:x/"},
        {"CONNECT", "h:abc"},
        // Stricter than Go, RFC 9110 §7.2: the port is digits only.
        {"GET", "http://h:1:2/"},
        {"GET", "http://[::1/"},
        // Stricter than Go, RFC 9112 §3.2.2 and RFC 9110 §4.2.1: an absolute
        // form needs an authority ("//").
        {"GET", "http:/p"},
        {"GET", "http:p"},
        // Stricter than Go, RFC 9112 §3.2.3: the authority form is for
        // CONNECT only (Go reads "example.com" as a scheme).
        {"GET", "example.com:80"},
        {"GET", "localhost:8080"},
        // Stricter than Go: a CONNECT authority has no path, query or userinfo.
        {"CONNECT", "example.com:443/x"},
        {"CONNECT", "example.com:443?x"},
        {"CONNECT", "user@example.com:443"},
        // A host with bytes Go's ValidHostHeader refuses (Go's URL parser
        // takes the first; its server checks only the Host header).
        {"GET", "http://h\"/"},
        {"CONNECT", "h<:443"},
    }));
    CAPTURE(method, target);
    url u;
    ringhttp::detail::arena storage;
    const char* why = parse_target(method, target, u, storage);
    CHECK(why != nullptr);
    if (why != nullptr) CHECK(*why != '\0');
}

TEST_CASE("target: a path without escapes is a view of the target, with no copy", "[http][target]") {
    ringhttp::detail::arena storage;
    url u;
    const std::string target = "/plain/path?x=1";
    REQUIRE(parse_target("GET", target, u, storage) == nullptr);
    CHECK(u.path.data() == target.data());
    CHECK(u.raw_query.data() == target.data() + 12);
    // With an escape the decoded path lives in storage and outlives the target.
    std::string escaped = "/a%20b";
    REQUIRE(parse_target("GET", escaped, u, storage) == nullptr);
    CHECK(u.raw_path.empty());
    escaped.assign(escaped.size(), '?');
    CHECK(u.path == "/a b");
}

TEST_CASE("target: parsing resets every part of the url", "[http][target]") {
    ringhttp::detail::arena storage;
    url u;
    REQUIRE(parse_target("GET", "http://h/a%2Fb?q", u, storage) == nullptr);
    REQUIRE_FALSE(u.raw_path.empty());
    REQUIRE(parse_target("GET", "/x", u, storage) == nullptr);
    CHECK(u.scheme.empty());
    CHECK(u.host.empty());
    CHECK(u.path == "/x");
    CHECK(u.raw_path.empty());
    CHECK(u.raw_query.empty());
}

TEST_CASE("target: valid_host accepts the bytes of Go's ValidHostHeader", "[http][target]") {
    const auto [host, want] = GENERATE(table<std::string_view, bool>({
        {"", true},
        {"example.com", true},
        {"EXAMPLE.com:8080", true},
        {"[::1]:80", true},
        {"[fe80::1%25eth0]", true},
        {"a_b-c~d", true},
        {"!$&'()*+,;=", true},
        {"a b", false},
        {"h/x", false},
        {"h@x", false},
        {"h?x", false},
        {"h#x", false},
        {"h\"", false},
        {"h\\", false},
        {"h\x7f", false},
        {"\xc3\xa9", false},
    }));
    CAPTURE(host);
    CHECK(valid_host(host) == want);
}

TEST_CASE("target: valid_host_port wants a numeric port, RFC 9110 §7.2", "[http][target]") {
    const auto [host, want] = GENERATE(table<std::string_view, bool>({
        {"", true},
        {"h", true},
        {"h:80", true},
        {"h:", true},  // port = *DIGIT
        {":80", true},
        {"[::1]", true},
        {"[::1]:80", true},
        {"[::1]:", true},
        {"h:abc", false},
        {"h:1:2", false},
        {"h:-1", false},
        {"[::1", false},
        {"[::1]x", false},
        {"[::1]:a", false},
        {"[::1]:80:80", false},
    }));
    CAPTURE(host);
    CHECK(valid_host_port(host) == want);
}
