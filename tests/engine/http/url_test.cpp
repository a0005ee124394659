// The request URL (include/ringhttp/url.hpp, engine/http/url.cpp), with Go's
// net/url as the reference: escaped_path and request_uri as URL.EscapedPath
// and URL.RequestURI, raw_path as Go's RawPath rule, the escapes as
// PathUnescape/QueryUnescape and escape(s, encodePath), clean_path as
// net/http's cleanPath. Every expectation below is what Go 1.23 returns for
// the same input (url.URL{Path, RawPath, RawQuery} built by hand).
#include <ringhttp/url.hpp>

#include <catch2/catch_test_macros.hpp>
#include <catch2/generators/catch_generators.hpp>
#include <catch2/generators/catch_generators_range.hpp>

#include <string>
#include <string_view>
#include <vector>

using namespace std::literals;
using ringhttp::url;

namespace {

struct escaped_case {
    std::string_view path, raw_path, raw_query;
    std::string_view escaped, request_uri;
};

const std::vector<escaped_case> escaped_cases = {
    // No RawPath: the path escaped.
    {"/a b", "", "", "/a%20b", "/a%20b"},
    {"/a?b", "", "", "/a%3Fb", "/a%3Fb"},
    {"/a#b", "", "", "/a%23b", "/a%23b"},
    {"/a%b", "", "", "/a%25b", "/a%25b"},
    {"/\xc3\xa9", "", "", "/%C3%A9", "/%C3%A9"},
    {"/a!b", "", "", "/a%21b", "/a%21b"},
    {"/~-_.$&+,:;=@", "", "", "/~-_.$&+,:;=@", "/~-_.$&+,:;=@"},
    // A RawPath that is a valid encoding of the path wins.
    {"/a b", "/a%20b", "", "/a%20b", "/a%20b"},
    {"/a/b", "/a%2Fb", "", "/a%2Fb", "/a%2Fb"},
    {"/a/b", "/a%2fb", "", "/a%2fb", "/a%2fb"},
    {"/aA", "/a%41", "", "/a%41", "/a%41"},
    {"/a!b", "/a!b", "", "/a!b", "/a!b"},
    {"/a'()*[]", "/a'()*[]", "", "/a'()*[]", "/a'()*[]"},
    {"/100%", "/100%25", "", "/100%25", "/100%25"},
    // A RawPath that decodes to another path, or is not valid, is ignored.
    {"/a/b", "/x%2Fb", "", "/a/b", "/a/b"},
    {"/x", "/%zz", "", "/x", "/x"},
    {"/100%", "/100%", "", "/100%25", "/100%25"},
    {"/\xc3\xa9", "/\xc3\xa9", "", "/%C3%A9", "/%C3%A9"},
    {"/a b", "/a b", "", "/a%20b", "/a%20b"},
    // The asterisk is never escaped; an empty path is "/" in a RequestURI.
    {"*", "", "", "*", "*"},
    {"", "", "", "", "/"},
    {"", "", "q=1", "", "/?q=1"},
    // The query goes as it is, still encoded.
    {"/p", "", "a=1&b=2", "/p", "/p?a=1&b=2"},
    {"/a+b", "", "x=a+b", "/a+b", "/a+b?x=a+b"},
    {"/a b", "", "x=%20", "/a%20b", "/a%20b?x=%20"},
};

}  // namespace

TEST_CASE("url: escaped_path and request_uri are Go's EscapedPath and RequestURI", "[http][url]") {
    const escaped_case c = GENERATE(from_range(escaped_cases));
    CAPTURE(c.path, c.raw_path, c.raw_query);
    const url u{.path = c.path, .raw_path = c.raw_path, .raw_query = c.raw_query};
    std::string scratch;
    CHECK(u.escaped_path(scratch) == c.escaped);
    CHECK(u.escaped_path() == c.escaped);
    CHECK(u.request_uri() == c.request_uri);
}

TEST_CASE("url: escaped_path views the path or raw path when they need no escaping", "[http][url]") {
    std::string scratch = "untouched";
    const url plain{.path = "/plain/path"};
    CHECK(plain.escaped_path(scratch).data() == plain.path.data());
    const url raw{.path = "/a/b", .raw_path = "/a%2Fb"};
    CHECK(raw.escaped_path(scratch).data() == raw.raw_path.data());
    CHECK(scratch == "untouched");  // no copy was needed
    const url spaced{.path = "/a b"};
    const std::string_view e = spaced.escaped_path(scratch);
    CHECK(e == "/a%20b");
    CHECK(e.data() == scratch.data());
}

TEST_CASE("url: path_escape is Go's escape(s, encodePath)", "[http][url]") {
    const auto [in, want] = GENERATE(table<std::string_view, std::string_view>({
        {"/a b", "/a%20b"},
        {"/\xc3\xa9", "/%C3%A9"},
        {"/a?b", "/a%3Fb"},
        {"/a#b", "/a%23b"},
        {"/a%b", "/a%25b"},
        {"/~-_.$&+,:;=@", "/~-_.$&+,:;=@"},
        {"/!'()*", "/%21%27%28%29%2A"},
        {"/[]", "/%5B%5D"},
        {"/\x00\x7f"sv, "/%00%7F"},
        {"", ""},
    }));
    CAPTURE(in);
    std::string out = "prefix:";
    ringhttp::path_escape(in, out);
    CHECK(out == "prefix:" + std::string(want));  // appends
}

TEST_CASE("url: path_unescape and query_unescape are Go's PathUnescape and QueryUnescape", "[http][url]") {
    struct unescape_case {
        std::string_view in;
        bool ok;
        std::string_view path, query;
    };
    const unescape_case c = GENERATE(values<unescape_case>({
        {"a%20b", true, "a b", "a b"},
        {"a+b", true, "a+b", "a b"},
        {"%41%42", true, "AB", "AB"},
        {"%2B", true, "+", "+"},
        {"%e2%82%ac", true, "\xe2\x82\xac", "\xe2\x82\xac"},
        {"", true, "", ""},
        {"%4", false, "", ""},
        {"%", false, "", ""},
        {"%zz", false, "", ""},
        {"a%2", false, "", ""},
        {"%%41", false, "", ""},
    }));
    CAPTURE(c.in);
    std::string path, query;
    CHECK(ringhttp::path_unescape(c.in, path) == c.ok);
    CHECK(ringhttp::query_unescape(c.in, query) == c.ok);
    if (c.ok) {
        CHECK(path == c.path);
        CHECK(query == c.query);
    }
}

TEST_CASE("url: clean_path is net/http's cleanPath", "[http][url]") {
    const auto [in, want] = GENERATE(table<std::string_view, std::string_view>({
        {"", "/"},
        {"/", "/"},
        {"a", "/a"},
        {"/a/b", "/a/b"},
        {"/a/b/", "/a/b/"},
        {"//a//b//", "/a/b/"},
        {"/a/./b", "/a/b"},
        {"/a/../b", "/b"},
        {"/../a", "/a"},
        {"/a/b/..", "/a"},
        {"/a/b/../", "/a/"},
        {"/..", "/"},
        {"/.", "/"},
        {"/./", "/"},
        {"a/../..", "/"},
        {"/a/..b/c", "/a/..b/c"},
        {"/a/.b", "/a/.b"},
        {"/a/b/../../..", "/"},
        {"/...", "/..."},
        {"/a/../../b/", "/b/"},
    }));
    CAPTURE(in);
    CHECK(ringhttp::clean_path(in) == want);
}
