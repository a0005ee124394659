// Cookies: Go 1.23's cookie.go rules (serializing, sanitizing, reading).
#include <catch2/catch_test_macros.hpp>
#include <catch2/generators/catch_generators.hpp>

#include <chrono>
#include <string>
#include <vector>

#include <ringhttp/cookie.hpp>
#include <ringhttp/httptest.hpp>

using namespace ringhttp;
using namespace std::chrono;

namespace {

// Collects cookie warnings for the duration of a test.
struct captured_log {
    std::vector<std::string> lines;
    captured_log() {
        set_cookie_log([this](std::string_view l) { lines.emplace_back(l); });
    }
    ~captured_log() { set_cookie_log({}); }
};

cookie named(std::string name, std::string value) {
    cookie c;
    c.name = std::move(name);
    c.value = std::move(value);
    return c;
}

}  // namespace

TEST_CASE("cookie: to_string follows Go's writeSetCookies table", "[cookie]") {
    captured_log log;
    struct row {
        cookie c;
        std::string want;
    };
    cookie path = named("cookie-2", "two");
    path.max_age = 3600;
    cookie domain = named("cookie-3", "three");
    domain.domain = ".example.com";
    cookie p4 = named("cookie-4", "four");
    p4.path = "/restricted/";
    cookie bad_domain = named("cookie-5", "five");
    bad_domain.domain = "wrong;bad.abc";
    cookie ip = named("cookie-7", "seven");
    ip.domain = "127.0.0.1";
    cookie ip6 = named("cookie-8", "eight");
    ip6.domain = "::1";
    cookie exp = named("cookie-9", "expiring");
    exp.expires = sys_seconds{seconds{1257894000}};
    cookie epoch = named("cookie-10", "expiring-1601");
    epoch.expires = sys_days{year{1601} / January / 1} + hours{1};
    cookie too_old = named("cookie-11", "invalid-expiry");
    too_old.expires = sys_days{year{1600} / December / 31} + hours{23};
    cookie delete_now = named("cookie-12", "samesite-default");
    delete_now.max_age = -1;
    cookie lax = named("cookie-13", "samesite-lax");
    lax.same_site = same_site::lax;
    cookie strict = named("cookie-14", "samesite-strict");
    strict.same_site = same_site::strict;
    cookie none = named("cookie-15", "samesite-none");
    none.same_site = same_site::none;
    cookie part = named("cookie-16", "partitioned");
    part.secure = true;
    part.partitioned = true;
    part.http_only = true;
    cookie quoted = named("cookie-17", "quoted");
    quoted.quoted = true;
    const std::vector<row> rows = {
        {named("cookie-1", "v$1"), "cookie-1=v$1"},
        {path, "cookie-2=two; Max-Age=3600"},
        {domain, "cookie-3=three; Domain=example.com"},
        {p4, "cookie-4=four; Path=/restricted/"},
        {bad_domain, "cookie-5=five"},
        {ip, "cookie-7=seven; Domain=127.0.0.1"},
        {ip6, "cookie-8=eight"},
        {exp, "cookie-9=expiring; Expires=Tue, 10 Nov 2009 23:00:00 GMT"},
        {epoch, "cookie-10=expiring-1601; Expires=Mon, 01 Jan 1601 01:00:00 GMT"},
        {too_old, "cookie-11=invalid-expiry"},
        {delete_now, "cookie-12=samesite-default; Max-Age=0"},
        {lax, "cookie-13=samesite-lax; SameSite=Lax"},
        {strict, "cookie-14=samesite-strict; SameSite=Strict"},
        {none, "cookie-15=samesite-none; SameSite=None"},
        {part, "cookie-16=partitioned; HttpOnly; Secure; Partitioned"},
        {quoted, "cookie-17=\"quoted\""},
        {named("special-1", "a z"), "special-1=\"a z\""},
        {named("special-2", " z"), "special-2=\" z\""},
        {named("special-3", "a "), "special-3=\"a \""},
        {named("special-4", " "), "special-4=\" \""},
        {named("special-5", "a,z"), "special-5=\"a,z\""},
        {named("empty-value", ""), "empty-value="},
        {named("", ""), ""},
        {named("\t", ""), ""},
        {named("a\nb", "v"), ""},
        {named("a\"b", "v"), ""},
        {named("a;b", "v"), ""},
    };
    for (const row& r : rows) {
        CAPTURE(r.want);
        CHECK(r.c.to_string() == r.want);
    }
    // Go logs once for the dropped domains (cookie-5 and cookie-8).
    CHECK(log.lines.size() == 2);
}

TEST_CASE("cookie: invalid bytes in value and path are dropped with one warning each", "[cookie]") {
    captured_log log;
    cookie c = named("n", "a\"b;c\\d\x01");
    c.path = "/p;x\n";
    CHECK(c.to_string() == "n=abcd; Path=/px");
    REQUIRE(log.lines.size() == 2);
    CHECK(log.lines[0] == "ringhttp: invalid byte '\"' in Cookie.Value; dropping invalid bytes");
    CHECK(log.lines[1] == "ringhttp: invalid byte ';' in Cookie.Path; dropping invalid bytes");
}

TEST_CASE("cookie: valid() reports Go's reasons", "[cookie]") {
    CHECK(named("ok", "v").valid().empty());
    CHECK(named("", "v").valid() == "http: invalid Cookie.Name");
    CHECK(named("n", "a;b").valid() == "http: invalid byte ';' in Cookie.Value");
    cookie d = named("n", "v");
    d.domain = "a..b";
    CHECK(d.valid() == "http: invalid Cookie.Domain");
    cookie p = named("n", "v");
    p.partitioned = true;
    CHECK(p.valid() == "http: partitioned cookies must be set with Secure");
    cookie e = named("n", "v");
    e.expires = sys_days{year{1600} / January / 1};
    CHECK(e.valid() == "http: invalid Cookie.Expires");
}

TEST_CASE("cookie: set_cookie adds one Set-Cookie per cookie and drops an invalid name", "[cookie]") {
    httptest::response_recorder w;
    set_cookie(w, named("a", "1"));
    set_cookie(w, named("b c", "2"));
    cookie c = named("c", "3");
    c.path = "/";
    c.http_only = true;
    set_cookie(w, c);
    CHECK(w.header().values("Set-Cookie") == std::vector<std::string_view>{"a=1", "c=3; Path=/; HttpOnly"});
}

TEST_CASE("cookie: request cookies follow Go's readCookies", "[cookie]") {
    auto r = httptest::new_request("GET", "/");
    r->header().add("Cookie", "Cookie-1=v$1; c2=v2");
    r->header().add("Cookie", " bad name=x;  c3=\"quoted\" ; c4=in\"valid; ;c5=; c2=second");
    std::vector<cookie> all = r->cookies();
    std::vector<std::string> got;
    for (const cookie& c : all) got.push_back(c.name + "=" + c.value + (c.quoted ? " (quoted)" : ""));
    CHECK(got == std::vector<std::string>{"Cookie-1=v$1", "c2=v2", "c3=quoted (quoted)", "c5=", "c2=second"});

    REQUIRE(r->cookie("c2").has_value());
    CHECK(r->cookie("c2")->value == "v2");  // the first one wins
    CHECK(r->cookie("c3")->quoted);
    CHECK_FALSE(r->cookie("c4").has_value());  // invalid value: skipped
    CHECK_FALSE(r->cookie("missing").has_value());
    CHECK_FALSE(r->cookie("").has_value());
    auto none = httptest::new_request("GET", "/");
    CHECK(none->cookies().empty());
}

TEST_CASE("cookie: parse_cookie reads one Cookie line", "[cookie]") {
    auto cs = parse_cookie("a=1; b=\"2\"; =x; c");
    REQUIRE(cs.size() == 3);
    CHECK(cs[0].name == "a");
    CHECK(cs[1].value == "2");
    CHECK(cs[2].name == "c");
    CHECK(cs[2].value.empty());
}
