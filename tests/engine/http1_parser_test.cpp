// The request codec: head scanning at every split point, parsing, rejection.
#include <catch2/catch_test_macros.hpp>
#include <catch2/generators/catch_generators.hpp>

#include <memory>
#include <string>
#include <vector>

#include "engine/http1_parser.hpp"
#include "engine/request_access.hpp"

using namespace ringhttp;
using namespace ringhttp::engine;

namespace {

constexpr std::size_t limit = 1 << 20;

// Feeds head to a scanner as if it arrived cut at `split` (0: whole), then the
// rest, and returns the final result.
head_scanner::result scan_split(const std::string& head, std::size_t split) {
    head_scanner s;
    if (split > 0 && split < head.size()) {
        head_scanner::result first = s.scan(head.data(), split, limit);
        if (first.state != head_scanner::status::need_more) return first;
    }
    return s.scan(head.data(), head.size(), limit);
}

head_scanner::result scan_bytewise(const std::string& head) {
    head_scanner s;
    head_scanner::result r{head_scanner::status::need_more};
    for (std::size_t n = 1; n <= head.size(); ++n) {
        r = s.scan(head.data(), n, limit);
        if (r.state != head_scanner::status::need_more) return r;
    }
    return r;
}

struct parsed {
    parse_error error;
    head_info info;
    std::unique_ptr<request> req = std::make_unique<request>();
    std::string storage;
};

// Scans and parses one head; the request views point into p.storage.
void parse(const std::string& text, parsed& p) {
    p.storage = text;
    head_scanner s;
    head_scanner::result r = s.scan(p.storage.data(), p.storage.size(), limit);
    if (r.state == head_scanner::status::error) {
        p.error = r.error;
        return;
    }
    REQUIRE(r.state == head_scanner::status::complete);
    p.error = parse_head(p.storage.data(), r.head_len, *p.req, p.info);
}

}  // namespace

TEST_CASE("http1 parser: a head is found the same at every split point and byte by byte", "[codec]") {
    const std::string head = GENERATE(as<std::string>{},
        "GET / HTTP/1.1\r\nHost: a\r\n\r\n",
        "GET /user/x?q=1&r=%20 HTTP/1.1\r\nHost: example.com:8080\r\nUser-Agent: curl/7.88\r\nAccept: */*\r\n\r\n",
        "POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nFoo: 1\r\nFoo: 2\r\n\r\n",
        "GET / HTTP/1.0\r\n\r\n",
        "OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n",
        "CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n",
        "GET http://example.com/user/?x HTTP/1.1\r\nHost: other\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: a\r\nX-Empty:\r\nX-Tab:\tv\t\r\n\r\n");
    const std::string body = "trailing bytes after the head";
    const std::string data = head + body;
    for (std::size_t split = 1; split < data.size(); ++split) {
        head_scanner::result r = scan_split(data, split);
        INFO("split at " << split);
        REQUIRE(r.state == head_scanner::status::complete);
        REQUIRE(r.head_len == head.size());
    }
    head_scanner::result r = scan_bytewise(data);
    REQUIRE(r.state == head_scanner::status::complete);
    REQUIRE(r.head_len == head.size());
}

TEST_CASE("http1 parser: a request line and fields parse in place with canonical names", "[codec]") {
    parsed p;
    parse("GET /user/x?q=1 HTTP/1.1\r\nhost: example.com:8080\r\nx-forwarded-for: 1.2.3.4\r\nFOO: a\r\nfoo: b \r\n\r\n", p);
    REQUIRE_FALSE(p.error);
    const request& r = *p.req;
    CHECK(r.method() == "GET");
    CHECK(r.url().path == "/user/x");
    CHECK(r.url().raw_query == "q=1");
    CHECK(r.proto() == "HTTP/1.1");
    CHECK(r.host() == "example.com:8080");
    CHECK_FALSE(r.header().has("Host"));  // Go moves Host out of the map
    CHECK(r.header().get("X-Forwarded-For") == "1.2.3.4");
    CHECK(r.header().values("Foo") == std::vector<std::string_view>{"a", "b"});
    CHECK(r.request_uri() == "/user/x?q=1");
    CHECK(r.content_length() == 0);
    CHECK(p.info.keep_alive);
    // Names are canonicalized in the buffer itself: zero copy.
    CHECK(p.storage.find("X-Forwarded-For: ") != std::string::npos);
}

TEST_CASE("http1 parser: body framing follows RFC 9112 section 6", "[codec]") {
    SECTION("Content-Length") {
        parsed p;
        parse("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 42\r\n\r\n", p);
        REQUIRE_FALSE(p.error);
        CHECK(p.info.framing == body_framing::length);
        CHECK(p.req->content_length() == 42);
    }
    SECTION("identical Content-Length values are accepted") {
        parsed p;
        parse("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 7\r\nContent-Length: 7\r\n\r\n", p);
        REQUIRE_FALSE(p.error);
        CHECK(p.req->content_length() == 7);
    }
    SECTION("chunked, in any case") {
        parsed p;
        parse("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: ChUnKeD \r\n\r\n", p);
        REQUIRE_FALSE(p.error);
        CHECK(p.info.framing == body_framing::chunked);
        CHECK(p.req->content_length() == -1);
    }
    SECTION("no framing means no body") {
        parsed p;
        parse("POST / HTTP/1.1\r\nHost: a\r\n\r\n", p);
        REQUIRE_FALSE(p.error);
        CHECK(p.info.framing == body_framing::none);
    }
}

TEST_CASE("http1 parser: connection persistence by version and Connection", "[codec]") {
    struct row {
        const char* head;
        bool keep_alive;
        bool http10_keep_alive;
    };
    const row r = GENERATE(values<row>({
        {"GET / HTTP/1.1\r\nHost: a\r\n\r\n", true, false},
        {"GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n", false, false},
        {"GET / HTTP/1.1\r\nHost: a\r\nConnection: Keep-Alive, CLOSE\r\n\r\n", false, false},
        {"GET / HTTP/1.0\r\n\r\n", false, false},
        {"GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", true, true},
    }));
    parsed p;
    parse(r.head, p);
    REQUIRE_FALSE(p.error);
    CHECK(p.info.keep_alive == r.keep_alive);
    CHECK(p.info.http10_keep_alive == r.http10_keep_alive);
}

TEST_CASE("http1 parser: targets in all four forms", "[codec]") {
    SECTION("absolute form takes its host from the target") {
        parsed p;
        parse("GET http://example.com/user/?x=1 HTTP/1.1\r\nHost: other\r\n\r\n", p);
        REQUIRE_FALSE(p.error);
        CHECK(p.req->host() == "example.com");
        CHECK(p.req->url().path == "/user/");
        CHECK(p.req->url().raw_query == "x=1");
    }
    SECTION("authority form is for CONNECT") {
        parsed p;
        parse("CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n", p);
        REQUIRE_FALSE(p.error);
        CHECK(p.req->host() == "example.com:443");
        CHECK(p.req->url().path.empty());
    }
    SECTION("asterisk form is for OPTIONS") {
        parsed p;
        parse("OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n", p);
        REQUIRE_FALSE(p.error);
        CHECK(p.info.asterisk);
    }
    SECTION("escapes are decoded; raw_path kept when the encoding is not canonical") {
        parsed p;
        parse("GET /a%2Fb/%7Ex HTTP/1.1\r\nHost: a\r\n\r\n", p);
        REQUIRE_FALSE(p.error);
        CHECK(p.req->url().path == "/a/b/~x");
        CHECK(p.req->url().raw_path == "/a%2Fb/%7Ex");
        std::string scratch;
        CHECK(p.req->url().escaped_path(scratch) == "/a%2Fb/%7Ex");
    }
    SECTION("a canonical encoding leaves raw_path empty") {
        parsed p;
        parse("GET /hello%20world HTTP/1.1\r\nHost: a\r\n\r\n", p);
        REQUIRE_FALSE(p.error);
        CHECK(p.req->url().path == "/hello world");
        CHECK(p.req->url().raw_path.empty());
    }
}

TEST_CASE("http1 parser: Expect is answered lazily or refused with 417", "[codec]") {
    parsed p;
    parse("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nExpect: 100-continue\r\n\r\n", p);
    REQUIRE_FALSE(p.error);
    CHECK(p.info.expect_continue);
    parsed q;
    parse("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nExpect: teapot\r\n\r\n", q);
    REQUIRE_FALSE(q.error);
    CHECK(q.info.expect_unsupported);
}

TEST_CASE("http1 parser: malformed requests get the RFC's status", "[codec]") {
    struct row {
        const char* why;
        std::string head;
        int status;
    };
    const row r = GENERATE(values<row>({
        {"lowercase version", "GET / http/1.1\r\nHost: a\r\n\r\n", 400},
        {"HTTP/2.0", "GET / HTTP/2.0\r\nHost: a\r\n\r\n", 505},
        {"HTTP/0.9 style", "GET /\r\n\r\n", 400},
        {"two-digit minor", "GET / HTTP/1.10\r\nHost: a\r\n\r\n", 400},
        {"double space", "GET  / HTTP/1.1\r\nHost: a\r\n\r\n", 400},
        {"trailing space", "GET / HTTP/1.1 \r\nHost: a\r\n\r\n", 400},
        {"method not a token", "G@T / HTTP/1.1\r\nHost: a\r\n\r\n", 400},
        {"missing Host in 1.1", "GET / HTTP/1.1\r\n\r\n", 400},
        {"two Hosts", "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400},
        {"bad Host", "GET / HTTP/1.1\r\nHost: a b\r\n\r\n", 400},
        {"space before colon", "GET / HTTP/1.1\r\nHost : a\r\n\r\n", 400},
        {"obs-fold", "GET / HTTP/1.1\r\nHost: a\r\nX: 1\r\n 2\r\n\r\n", 400},
        {"NUL in value", std::string("GET / HTTP/1.1\r\nHost: a\r\nX: a\0b\r\n\r\n", 38), 400},
        {"CTL in value", "GET / HTTP/1.1\r\nHost: a\r\nX: a\x01" "b\r\n\r\n", 400},
        {"DEL in value", "GET / HTTP/1.1\r\nHost: a\r\nX: a\x7f" "b\r\n\r\n", 400},
        {"bare CR in value", "GET / HTTP/1.1\r\nHost: a\r\nX: a\rb\r\n\r\n", 400},
        {"bare LF", "GET / HTTP/1.1\nHost: a\n\n", 400},
        {"no colon", "GET / HTTP/1.1\r\nHost: a\r\nNoColon\r\n\r\n", 400},
        {"empty name", "GET / HTTP/1.1\r\nHost: a\r\n: v\r\n\r\n", 400},
        {"plus in Content-Length", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: +5\r\n\r\n", 400},
        {"negative Content-Length", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: -1\r\n\r\n", 400},
        {"hex Content-Length", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 0x10\r\n\r\n", 400},
        {"list Content-Length", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5, 5\r\n\r\n", 400},
        {"differing Content-Length", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n", 400},
        {"huge Content-Length", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 9223372036854775808\r\n\r\n", 400},
        {"CL and TE", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n", 400},
        {"TE and CL", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n", 400},
        {"TE in HTTP/1.0", "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n", 400},
        {"TE gzip", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip\r\n\r\n", 501},
        {"TE gzip, chunked", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", 501},
        {"TE chunked twice", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, chunked\r\n\r\n", 501},
        {"TE on two lines", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n", 501},
        {"authority form without port for GET", "GET example.com HTTP/1.1\r\nHost: a\r\n\r\n", 400},
        {"HTTP/3.0", "GET / HTTP/3.0\r\nHost: a\r\n\r\n", 505},
        {"PRI with fields needs a Host", "PRI * HTTP/2.0\r\nX: y\r\n\r\n", 400},
        {"bad escape", "GET /%zz HTTP/1.1\r\nHost: a\r\n\r\n", 400},
        {"empty request line", "\r\n\r\n", 400},
    }));
    INFO(r.why);
    parsed p;
    parse(r.head, p);
    CHECK(p.error.status == r.status);
}

TEST_CASE("http1 parser: heads past the limit get 431, request lines 414", "[codec]") {
    SECTION("header fields") {
        std::string head = "GET / HTTP/1.1\r\nHost: a\r\nX: " + std::string(2000, 'x') + "\r\n\r\n";
        head_scanner s;
        head_scanner::result r = s.scan(head.data(), head.size(), 1024);
        REQUIRE(r.state == head_scanner::status::error);
        CHECK(r.error.status == 431);
    }
    SECTION("request line") {
        std::string head = "GET /" + std::string(2000, 'x') + " HTTP/1.1\r\nHost: a\r\n\r\n";
        head_scanner s;
        head_scanner::result r = s.scan(head.data(), head.size(), 1024);
        REQUIRE(r.state == head_scanner::status::error);
        CHECK(r.error.status == 414);
    }
    SECTION("too many fields") {
        std::string head = "GET / HTTP/1.1\r\nHost: a\r\n";
        for (int i = 0; i < 101; ++i) head += "X-" + std::to_string(i) + ": v\r\n";
        head += "\r\n";
        parsed p;
        parse(head, p);
        CHECK(p.error.status == 431);
    }
}
