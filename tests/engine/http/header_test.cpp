// Header fields (include/ringhttp/header.hpp, engine/http/header.cpp), with
// Go's net/http as the reference: canonical keys as CanonicalHeaderKey,
// get/set/add/del/values as Header's methods, has_token as Go's hasToken for
// a comma-separated list. The canonical_key table's expectations are what Go
// 1.23's http.CanonicalHeaderKey returns for the same inputs.
#include <ringhttp/header.hpp>

#include <catch2/catch_test_macros.hpp>
#include <catch2/generators/catch_generators.hpp>
#include <catch2/generators/catch_generators_adapters.hpp>
#include <catch2/generators/catch_generators_range.hpp>

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

using namespace std::literals;
using ringhttp::ascii_iequals;
using ringhttp::canonical_header_key;
using ringhttp::canonicalize_header_key;
using ringhttp::has_token;
using ringhttp::header;

namespace {

struct key_case {
    std::string_view in;
    std::string_view want;
};

// Go 1.23: fmt.Printf("%q", http.CanonicalHeaderKey(in)).
const std::vector<key_case> canonical_cases = {
    {"content-type", "Content-Type"},
    {"CONTENT-TYPE", "Content-Type"},
    {"Content-Type", "Content-Type"},
    {"cONTENT-tYPE", "Content-Type"},
    {"x-forwarded-for", "X-Forwarded-For"},
    {"www-authenticate", "Www-Authenticate"},
    {"te", "Te"},
    {"dnt", "Dnt"},
    {"content-md5", "Content-Md5"},
    {"sec-websocket-key", "Sec-Websocket-Key"},
    {"x-b3-traceid", "X-B3-Traceid"},
    {"a", "A"},
    {"A", "A"},
    {"", ""},
    {"-", "-"},
    {"-foo", "-Foo"},
    {"foo-", "Foo-"},
    {"a--b", "A--B"},
    {"1abc", "1abc"},
    {"x-1a", "X-1a"},
    {"user_agent", "User_agent"},  // only a hyphen starts a new word
    {"foo.bar", "Foo.bar"},
    {"x.y-z", "X.y-Z"},
    {"x-foo!bar", "X-Foo!bar"},
    // Not a token: returned as it is.
    {"foo bar", "foo bar"},
    {"foo:bar", "foo:bar"},
    {"foo\tbar", "foo\tbar"},
    {"foo\xff" "bar", "foo\xff" "bar"},
    {"\xc3\xbf", "\xc3\xbf"},
};

}  // namespace

TEST_CASE("header: canonical_header_key gives Go's CanonicalHeaderKey", "[http][header]") {
    const key_case c = GENERATE(from_range(canonical_cases));
    CAPTURE(c.in);
    CHECK(canonical_header_key(c.in) == c.want);
}

TEST_CASE("header: canonicalize_header_key rewrites a token in place and leaves the rest", "[http][header]") {
    // An empty name has no bytes to rewrite: left out.
    const key_case c =
        GENERATE(filter([](const key_case& k) { return !k.in.empty(); }, from_range(canonical_cases)));
    CAPTURE(c.in);
    std::string buf(c.in);
    const bool token = c.in.find_first_of(" :\t\xff\xc3\xbf") == std::string_view::npos;
    CHECK(canonicalize_header_key(buf.data(), buf.size()) == token);
    CHECK(buf == c.want);
}

TEST_CASE("header: get, has and values find a key in any case", "[http][header]") {
    header h;
    h.add("content-type", "text/plain");
    const std::string_view key = GENERATE("Content-Type"sv, "content-type"sv, "CONTENT-TYPE"sv, "cOnTeNt-TyPe"sv);
    CAPTURE(key);
    CHECK(h.get(key) == "text/plain");
    CHECK(h.has(key));
    CHECK(h.count(key) == 1);
    CHECK(h.values(key) == std::vector<std::string_view>{"text/plain"});
}

TEST_CASE("header: a missing key has no value", "[http][header]") {
    header h;
    h.add("A", "1");
    CHECK(h.get("B").empty());
    CHECK_FALSE(h.has("B"));
    CHECK(h.count("B") == 0);
    CHECK(h.values("B").empty());
    // A prefix of a key is another key.
    CHECK_FALSE(h.has("Content"));
    h.add("Content-Type", "x");
    CHECK_FALSE(h.has("Content"));
}

TEST_CASE("header: an empty value is present (Go: h[key] == []string{\"\"})", "[http][header]") {
    header h;
    h.set("X-Empty", "");
    CHECK(h.has("X-Empty"));
    CHECK(h.get("X-Empty").empty());
    CHECK(h.values("x-empty") == std::vector<std::string_view>{""});
}

TEST_CASE("header: names are stored in canonical form", "[http][header]") {
    header h;
    h.set("content-type", "a");
    h.add("x-FORWARDED-for", "b");
    h.add("X-Forwarded-For", "c");
    std::vector<std::string_view> names;
    for (const ringhttp::header_field& f : h) names.push_back(f.name);
    CHECK(names == std::vector<std::string_view>{"Content-Type", "X-Forwarded-For", "X-Forwarded-For"});
}

TEST_CASE("header: add appends values in order (Go's Add)", "[http][header]") {
    header h;
    h.add("Accept", "text/html");
    h.add("Other", "x");
    h.add("accept", "application/json");
    h.add("ACCEPT", "*/*");
    CHECK(h.get("Accept") == "text/html");  // the first value
    CHECK(h.count("Accept") == 3);
    CHECK(h.values("Accept") == std::vector<std::string_view>{"text/html", "application/json", "*/*"});
    CHECK(h.size() == 4);
}

TEST_CASE("header: set replaces every value of a key (Go's Set)", "[http][header]") {
    header h;
    h.add("A", "1");
    h.add("B", "2");
    h.add("a", "3");
    h.set("a", "9");
    CHECK(h.values("A") == std::vector<std::string_view>{"9"});
    CHECK(h.get("B") == "2");
    CHECK(h.size() == 2);
    // The key keeps the place of its first field.
    std::vector<std::pair<std::string_view, std::string_view>> fields;
    for (const ringhttp::header_field& f : h) fields.emplace_back(f.name, f.value);
    CHECK(fields == std::vector<std::pair<std::string_view, std::string_view>>{{"A", "9"}, {"B", "2"}});
    // Set of a new key appends it.
    h.set("c", "new");
    CHECK(h.get("C") == "new");
    CHECK(h.size() == 3);
}

TEST_CASE("header: del removes every value of a key and nothing else (Go's Del)", "[http][header]") {
    header h;
    h.add("A", "1");
    h.add("B", "2");
    h.add("A", "3");
    h.del("a");
    CHECK_FALSE(h.has("A"));
    CHECK(h.values("A").empty());
    CHECK(h.get("B") == "2");
    CHECK(h.size() == 1);
    h.del("missing");  // deleting what is not there is a no-op
    CHECK(h.size() == 1);
}

TEST_CASE("header: set and add copy their arguments", "[http][header]") {
    header h;
    {
        std::string key = "x-temp", value = "temporary";
        h.set(key, value);
        h.add(key, value + "2");
        key.assign(key.size(), '?');
        value.assign(value.size(), '?');
    }
    CHECK(h.values("X-Temp") == std::vector<std::string_view>{"temporary", "temporary2"});
}

TEST_CASE("header: a value taken from the header itself can be set again", "[http][header]") {
    header h;
    h.add("A", "alpha");
    h.add("B", "beta");
    h.set("A", h.get("B"));
    h.set("B", h.get("B"));
    CHECK(h.get("A") == "beta");
    CHECK(h.get("B") == "beta");
}

TEST_CASE("header: a copy is deep and outlives the original", "[http][header]") {
    auto original = std::make_unique<header>();
    original->add("A", "1");
    std::string name = "B", value = "viewed";
    original->add_view(name, value);  // a field pointing at outside memory
    header copy(*original);
    original->set("A", "changed");
    original.reset();
    name.assign("X");
    value.assign("??????");
    CHECK(copy.get("A") == "1");
    CHECK(copy.get("B") == "viewed");
    CHECK(copy.size() == 2);

    header assigned;
    assigned.add("Old", "gone");
    assigned = copy;
    CHECK_FALSE(assigned.has("Old"));
    CHECK(assigned.get("B") == "viewed");
    assigned = assigned;  // self-assignment keeps everything
    CHECK(assigned.get("A") == "1");
}

TEST_CASE("header: a moved header keeps its fields and views", "[http][header]") {
    header h;
    for (int i = 0; i < 100; ++i) h.add("X-" + std::to_string(i), std::string(50, static_cast<char>('a' + i % 26)));
    const std::string_view v = h.get("X-42");
    header moved(std::move(h));
    CHECK(moved.size() == 100);
    CHECK(moved.get("x-42") == v);
    CHECK(moved.get("x-42").data() == v.data());  // the storage moved, not copied
    header assigned;
    assigned = std::move(moved);
    CHECK(assigned.get("X-99") == std::string(50, static_cast<char>('a' + 99 % 26)));
}

TEST_CASE("header: add_view keeps the caller's bytes without copying", "[http][header]") {
    const std::string buffer = "Host: example.com";
    header h;
    h.add_view(std::string_view(buffer).substr(0, 4), std::string_view(buffer).substr(6));
    CHECK(h.get("host") == "example.com");
    CHECK(h.get("host").data() == buffer.data() + 6);
}

TEST_CASE("header: clear removes every field and the header is usable again", "[http][header]") {
    header h;
    h.add("A", "1");
    h.set("B", "2");
    h.clear();
    CHECK(h.empty());
    CHECK(h.size() == 0);
    CHECK_FALSE(h.has("A"));
    h.add("C", "3");
    CHECK(h.get("c") == "3");
    CHECK(h.size() == 1);
}

TEST_CASE("header: ascii_iequals ignores the case of ASCII letters only", "[http][header]") {
    struct eq_case {
        std::string_view a, b;
        bool want;
    };
    const eq_case c = GENERATE(values<eq_case>({
        {"Content-Type", "content-type", true},
        {"ZZZ", "zzz", true},
        {"", "", true},
        {"123-_", "123-_", true},
        {"abc", "abd", false},
        {"abc", "ab", false},
        {"", "a", false},
        {"[", "{", false},  // 0x5B and 0x7B differ only in bit 0x20, but are not letters
        {"@", "`", false},
        {"^", "~", false},
        {"\xc0", "\xe0", false},  // nor are Latin-1 letters folded
    }));
    CAPTURE(c.a, c.b);
    CHECK(ascii_iequals(c.a, c.b) == c.want);
    CHECK(ascii_iequals(c.b, c.a) == c.want);
}

TEST_CASE("header: has_token finds a token in a comma-separated list", "[http][header]") {
    struct token_case {
        std::string_view v, t;
        bool want;
    };
    // As Go's hasToken, except where a row says otherwise.
    const token_case c = GENERATE(values<token_case>({
        {"close", "close", true},
        {"Close", "close", true},
        {"CLOSE", "close", true},
        {"keep-alive, close", "close", true},
        {"close, keep-alive", "close", true},
        {"a,close", "close", true},
        {"  close  ", "close", true},
        {"a,\tclose\t,b", "close", true},
        {"upgrade, Keep-Alive", "keep-alive", true},
        {"100-continue", "100-continue", true},
        {"", "close", false},
        {"closed", "close", false},
        {"enclose", "close", false},
        {"close-x", "close", false},
        {"x, closer", "close", false},
        {"close;q=1", "close", false},
        {"keep-alive", "close", false},
        {",,,", "close", false},
        // RFC 9110 §5.6.1: a list's elements are separated by commas, so
        // "foo close" is one (malformed) element. Go's hasToken also treats
        // a space as a boundary and answers true here.
        {"foo close", "close", false},
        // An empty string is not a token, even where a list has an empty
        // element (Go: false).
        {"a,,b", "", false},
        {"a, ", "", false},
        {"", "", false},
    }));
    CAPTURE(c.v, c.t);
    CHECK(has_token(c.v, c.t) == c.want);
}
