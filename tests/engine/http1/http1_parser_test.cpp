// The request codec: head scanning at every split point, parsing, rejection,
// and every parser variant held to the portable one.
#include <catch2/catch_test_macros.hpp>
#include <catch2/generators/catch_generators.hpp>

#include <cstring>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "engine/http1/http1_parser.hpp"
#include "engine/http1/http1_parser_detail.hpp"
#include "engine/http/request_access.hpp"

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
        {"NUL in value", std::string("GET / HTTP/1.1\r\nHost: a\r\nX: a\0b\r\n\r\n", 35), 400},
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
        {"authority form without port for GET", "GET example.com HTTP/1.1\r\nHost: a\r\n\r\n", 400},
        {"authority form for GET", "GET example.com:80 HTTP/1.1\r\nHost: a\r\n\r\n", 400},
        {"authority form for OPTIONS", "OPTIONS example.com:443 HTTP/1.1\r\nHost: a\r\n\r\n", 400},
        {"absolute form without authority", "GET http:/x HTTP/1.1\r\nHost: a\r\n\r\n", 400},
        {"absolute form, rootless", "GET urn:x HTTP/1.1\r\nHost: a\r\n\r\n", 400},
        {"CONNECT in absolute form", "CONNECT http://a:443/ HTTP/1.1\r\nHost: a\r\n\r\n", 400},
        {"'#' in the target", "GET /a#b HTTP/1.1\r\nHost: a\r\n\r\n", 400},
        {"non-ASCII in the target", "GET /caf\xc3\xa9 HTTP/1.1\r\nHost: a\r\n\r\n", 400},
        {"'|' in the query", "GET /a?b|c HTTP/1.1\r\nHost: a\r\n\r\n", 400},
        {"'\"' in an absolute target", "GET http://a/\"x HTTP/1.1\r\nHost: a\r\n\r\n", 400},
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

// ---------------------------------------------------------------------------
// The vectorized parsers against the portable one, which is the reference:
// for every input, every prefix of it (the data ending anywhere) and several
// sentinels, every variant must give the same result, the same request and
// the same bytes in the buffer (names canonicalized in place).

namespace {

using parser_detail::variant;

struct outcome {
    parse_result res{parse_result::status::need_more};
    head_info info;
    std::string buffer;  // the bytes after parsing, sentinel included
    std::string dump;    // the request's fields
};

std::string dump_request(const request& r) {
    std::string s;
    auto put = [&s](std::string_view k, std::string_view v) {
        s.append(k).append("=[").append(v).append("] ");
    };
    put("method", r.method());
    put("scheme", r.url().scheme);
    put("host", r.url().host);
    put("path", r.url().path);
    put("raw_path", r.url().raw_path);
    put("raw_query", r.url().raw_query);
    put("proto", r.proto());
    put("r.host", r.host());
    put("uri", r.request_uri());
    s += "cl=" + std::to_string(r.content_length()) + " close=" + std::to_string(r.close()) + "\n";
    for (const header_field& f : r.header()) put(f.name, f.value);
    return s;
}

outcome run_variant(variant v, std::string_view text, char sentinel, const parse_limits& limits) {
    // An exact allocation, so a sanitizer sees any read past data[len].
    std::unique_ptr<char[]> buf(new char[text.size() + 1]);
    std::memcpy(buf.get(), text.data(), text.size());
    buf[text.size()] = sentinel;
    outcome o;
    request r;
    o.res = parser_detail::parse_with(v, buf.get(), text.size(), r, o.info, limits);
    o.buffer.assign(buf.get(), text.size() + 1);
    if (o.res.state == parse_result::status::complete) o.dump = dump_request(r);
    return o;
}

std::string describe(const outcome& o) {
    std::string s = o.res.state == parse_result::status::complete ? "complete"
                    : o.res.state == parse_result::status::need_more ? "need_more"
                                                                      : "error";
    s += " len=" + std::to_string(o.res.head_len) + " status=" + std::to_string(o.res.error.status);
    if (o.res.error.reason != nullptr) s += std::string(" reason=") + o.res.error.reason;
    const head_info& i = o.info;
    s += " framing=" + std::to_string(static_cast<int>(i.framing)) + " cl=" + std::to_string(i.content_length) +
         " ka=" + std::to_string(i.keep_alive) + std::to_string(i.wants_close) + std::to_string(i.http10_keep_alive) +
         std::to_string(i.expect_continue) + std::to_string(i.expect_unsupported) + std::to_string(i.asterisk) +
         std::to_string(i.h2_preface);
    return s + "\n" + o.dump;
}

std::vector<variant> variants() {
    std::vector<variant> out;
    for (variant v : {variant::portable, variant::sse2, variant::avx2})
        if (parser_detail::supported(v)) out.push_back(v);
    return out;
}

// Checks text and every prefix of it with every variant against the portable
// one, with sentinels of several kinds (any byte but a token character,
// whitespace, CR and LF). A complete head is also parsed as parse_head sees
// it: followed by the next request's first byte, a token character.
void check_same(std::string_view text, const parse_limits& limits = {}) {
    static const std::vector<variant> vs = variants();
    head_scanner scanner;
    const head_scanner::result whole = scanner.scan(text.data(), text.size(), SIZE_MAX);
    const bool complete = whole.state == head_scanner::status::complete && whole.head_len == text.size();
    for (std::size_t n = 0; n <= text.size(); ++n) {
        for (char sentinel : {'\0', '/', ':', '"', '?', '\x7f', '\xff', '\x01', 'G'}) {
            if (sentinel == 'G' && !(complete && n == text.size())) continue;
            const std::string_view prefix = text.substr(0, n);
            const outcome want = run_variant(variant::portable, prefix, sentinel, limits);
            for (variant v : vs) {
                if (v == variant::portable) continue;
                const outcome got = run_variant(v, prefix, sentinel, limits);
                INFO("variant " << static_cast<int>(v) << ", prefix of " << n << " bytes, sentinel "
                                << static_cast<int>(static_cast<unsigned char>(sentinel)) << ": "
                                << std::string(prefix));
                REQUIRE(describe(got) == describe(want));
                REQUIRE(got.buffer == want.buffer);
            }
        }
    }
}

const std::string token_chars = "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";

std::vector<std::string> corpus() {
    std::vector<std::string> c = {
        "GET / HTTP/1.1\r\nHost: a\r\n\r\n",
        "GET /user/x?q=1&r=%20 HTTP/1.1\r\nHost: example.com:8080\r\nUser-Agent: curl/7.88\r\nAccept: */*\r\n\r\n",
        "POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nFoo: 1\r\nFoo: 2\r\n\r\n",
        "GET / HTTP/1.0\r\n\r\n",
        "OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n",
        "CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n",
        "GET http://example.com/user/?x HTTP/1.1\r\nHost: other\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: a\r\nX-Empty:\r\nX-Tab:\tv\t\r\n\r\n",
        "GET /user/x?q=1 HTTP/1.1\r\nhost: example.com:8080\r\nx-forwarded-for: 1.2.3.4\r\nFOO: a\r\nfoo: b \r\n\r\n",
        "GET /api/v1/users/12345?fields=name,email HTTP/1.1\r\nHost: api.example.com\r\nUser-Agent: curl/7.88.1\r\n"
        "Accept: */*\r\nX-Request-Id: 0123456789abcdef0123456789abcdef01\r\n\r\n",
        "GET /static/js/app.min.js?v=20261126 HTTP/1.1\r\nHost: www.example.com\r\nConnection: keep-alive\r\n"
        "sec-ch-ua: \"Chromium\";v=\"156\", \"Not.A/Brand\";v=\"24\"\r\nsec-ch-ua-mobile: ?0\r\n"
        "User-Agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 "
        "Safari/537.36\r\nsec-ch-ua-platform: \"Linux\"\r\nAccept: */*\r\nSec-Fetch-Site: same-origin\r\n"
        "Sec-Fetch-Mode: no-cors\r\nSec-Fetch-Dest: script\r\n"
        "Referer: https://www.example.com/dashboard/overview/reports/2026/q4\r\n"
        "Accept-Encoding: gzip, deflate, br, zstd\r\nAccept-Language: en-US,en;q=0.9,de;q=0.8,fr;q=0.7\r\n"
        "Cookie: session=8f14e45fceea167a5a36dedd4bea2543; theme=dark; _ga=GA1.2.1234567890.1700000000; lang=en\r\n"
        "Upgrade-Insecure-Requests: 1\r\n\r\n",
        // Names: every token character, names past a vector and a chunk, a
        // '-' at a vector's last byte, names outside the fast classes.
        "GET / HTTP/1.1\r\nHost: a\r\n" + token_chars + ": v\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: a\r\nx-" + std::string(13, 'a') + "-b: v\r\nx-" + std::string(29, 'a') +
            "-b: v\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: a\r\n" + std::string(15, 'a') + "-" + std::string(16, 'b') + "-c: v\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: a\r\n" + std::string(31, 'a') + "-" + std::string(32, 'B') + "-c: v\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: a\r\n" + std::string(70, 'Q') + ":" + std::string(70, 'v') + "\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: a\r\nx_y: 1\r\nX.Y: 2\r\nA-1-b-2: 3\r\n--a--: 4\r\n-: 5\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: a\r\n" + std::string(15, 'a') + "_b: 1\r\n" + std::string(16, 'a') + ": 2\r\n" +
            std::string(32, 'a') + ": 3\r\n\r\n",
        // Names of a vector's length and either side, a '-' at either end
        // of a vector, names with no ':' that end where a vector does.
        "GET / HTTP/1.1\r\nHost: a\r\n" + std::string(15, 'n') + ": 1\r\n" + std::string(31, 'N') + ": 2\r\n" +
            std::string(33, 'n') + ": 3\r\n" + std::string(63, 'x') + ": 4\r\n" + std::string(64, 'x') + ": 5\r\n" +
            std::string(65, 'X') + ": 6\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: a\r\n" + std::string(31, 'a') + "-b: 1\r\na-" + std::string(30, 'b') + "-: 2\r\n" +
            std::string(15, 'c') + "-" + std::string(15, 'd') + "-e: 3\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: a\r\n" + std::string(16, 'a') + "\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: a\r\n" + std::string(32, 'a') + "\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: a\r\n" + std::string(32, 'a') + " : v\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: a\r\n" + std::string(40, 'a') + "\x01" + ": v\r\n\r\n",
        // Mixed case at every place a vector may split a name.
        "GET / HTTP/1.1\r\nHost: a\r\nx-aBcDeFgHiJkLmNoPqRsTuVwXyZ-aBcDeFgHiJkLmNoPqRsTuVwXyZ-q: v\r\n"
        "CONTENT-TYPE: a\r\ncontent-type: b\r\nCoNtEnT-LeNgTh: 0\r\nhOST-x: c\r\n\r\n",
        // Lines ending at and across 64-byte chunks, values of every length
        // around them.
        [] {
            std::string h = "GET / HTTP/1.1\r\nHost: a\r\n";
            for (std::size_t i = 0; i < 40; ++i) {
                h.append("V").append(std::to_string(i)).append(": ");
                h.append(i, 'v').append("\r\n");
            }
            return h.append("\r\n");
        }(),
        std::string("GET / HTTP/1.1\r\nHost: a\r\nX: a\0b\r\n\r\n", 35),
        std::string("GET /\0 HTTP/1.1\r\nHost: a\r\n\r\n", 28),
        "GET / HTTP/1.1\r\nHost: example.com:8080\r\nHost: b\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: " + std::string(40, 'h') + ".example.com\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: " + std::string(40, 'h') + "/example.com\r\n\r\n",
        "GET / HTTP/1.1\r\nHost:\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: a\r\nConnection: keep-alive\r\nConnection: Close\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: a\r\nConnection: keep-alivf\r\nConnection: clos\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: a\r\nExpect:\r\nExpect: 100-continue\r\nContent-Length: 1\r\n\r\n",
        "GET /a?b HTTP/1.0\r\nHost: a\r\n\r\n",
        "GET /a?b HTTP/1.2\r\nHost: a\r\n\r\n",
        "GET *?x HTTP/1.1\r\nHost: a\r\n\r\n",
        "GET /" + std::string(40, 'p') + "%41 HTTP/1.1\r\nHost: a\r\n\r\n",
        "GET /" + std::string(40, 'p') + "#f HTTP/1.1\r\nHost: a\r\n\r\n",
        "POST /upload HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabc",
        // Values: OWS, HTAB inside, obs-text, colons, empty, long.
        "GET / HTTP/1.1\r\nHost: a\r\nX: \t a \t b \t\r\nY:\t\t\r\nZ:\x80\xff\xfe\r\nW: a:b:c\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: a\r\nX: " + std::string(200, 'v') + "\t" + std::string(100, 'w') + "\r\n\r\n",
        // Targets: escapes, RawPath, queries, non-keep bytes, absolute form.
        "GET /a%2Fb/%7Ex?y=%zz HTTP/1.1\r\nHost: a\r\n\r\n",
        "GET /hello%20world HTTP/1.1\r\nHost: a\r\n\r\n",
        "GET /a!b*c(d)e'f HTTP/1.1\r\nHost: a\r\n\r\n",
        "GET /" + std::string(100, 'p') + "?" + std::string(100, 'q') + " HTTP/1.1\r\nHost: a\r\n\r\n",
        "GET /p?? HTTP/1.1\r\nHost: a\r\n\r\n",
        "GET /\xc3\xa9t\xc3\xa9 HTTP/1.1\r\nHost: a\r\n\r\n",
        "GET /" + std::string(31, 'p') + "#" + std::string(40, 'q') + " HTTP/1.1\r\nHost: a\r\n\r\n",
        "GET /p?" + std::string(60, 'q') + "{}|^`\"<>\\ HTTP/1.1\r\nHost: a\r\n\r\n",
        "GET /a[0]?b[]=1&c='(x)'*!$;@: HTTP/1.1\r\nHost: a\r\n\r\n",
        "GET example.com:80 HTTP/1.1\r\nHost: a\r\n\r\n",
        "GET https://user@h.example:8443/x/y?z HTTP/1.1\r\nHost: a\r\n\r\n",
        "POST /x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nExpect: 100-continue\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: [::1]:80\r\nConnection: Upgrade, Keep-Alive\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: a_b.c~d!e\r\nConnection: CLOSE\r\n\r\n",
        "GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n",
        "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n",
        // Malformed.
        "GET / HTTP/1.1\r\nHost : a\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: a\r\nX: 1\r\n 2\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: a\r\nX: a\x01" "b\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: a\r\nX: a\x7f" "b\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: a\r\nX: a\rb\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: a\r\nX: a\nb\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: a\r\nNoColon\r\nX: y\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: a\r\n: v\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: a\r\nX\x01Y: v\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: a\r\nX@Y: v\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: a\r\nX\r\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: a\r\n\rX",
        "GET / HTTP/1.1\r\nHost: a b\r\n\r\n",
        "GET /\x01 HTTP/1.1\r\nHost: a\r\n\r\n",
        "GET /a\x7f HTTP/1.1\r\nHost: a\r\n\r\n",
        "GET /a?\x7f HTTP/1.1\r\nHost: a\r\n\r\n",
        "GET  / HTTP/1.1\r\nHost: a\r\n\r\n",
        "GET / HTTP/1.1 \r\nHost: a\r\n\r\n",
        "G@T / HTTP/1.1\r\nHost: a\r\n\r\n",
        "GET / HTTP/2.0\r\nHost: a\r\n\r\n",
        "\r\n\r\n",
    };
    return c;
}

}  // namespace

TEST_CASE("http1 parser: every variant parses every prefix of the corpus as the portable one", "[codec]") {
    for (const std::string& text : corpus()) check_same(text);
}

TEST_CASE("http1 parser: every variant classes every byte as the portable one", "[codec]") {
    // In a path (Go's shouldEscape), a Host (ValidHostHeader), a name
    // (token), a value, a method and a query: the vectorized classes are
    // tables of their own and must agree with the portable ones byte for byte.
    for (int c = 0; c < 256; ++c) {
        const std::string b(1, static_cast<char>(c));
        for (const std::string& text : {
                 "GET /a" + b + "b?q HTTP/1.1\r\nHost: h\r\n\r\n",
                 "GET /a?q" + b + " HTTP/1.1\r\nHost: h\r\n\r\n",
                 "GET http://h" + b + "/ HTTP/1.1\r\nHost: h\r\n\r\n",
                 "GET / HTTP/1.1\r\nHost: h" + b + "h:80\r\n\r\n",
                 "GET / HTTP/1.1\r\nHost: " + std::string(40, 'h') + b + "\r\n\r\n",
                 "GET / HTTP/1.1\r\nHost: h\r\nA" + b + "b-c: v\r\n\r\n",
                 "GET / HTTP/1.1\r\nHost: h\r\n" + std::string(20, 'n') + b + ": v\r\n\r\n",
                 "GET / HTTP/1.1\r\nHost: h\r\nX: a" + b + "b\r\n\r\n",
                 "G" + b + "T / HTTP/1.1\r\nHost: h\r\n\r\n",
             }) {
            for (variant v : variants()) {
                const outcome want = run_variant(variant::portable, text, '\0', {});
                const outcome got = run_variant(v, text, '\0', {});
                INFO("variant " << static_cast<int>(v) << ", byte " << c << ": " << text);
                REQUIRE(describe(got) == describe(want));
                REQUIRE(got.buffer == want.buffer);
            }
        }
    }
}

TEST_CASE("http1 parser: every variant checks a Host's port as the portable one", "[codec]") {
    // Hosts of every length up to past two vectors, a colon at each place
    // (the last lane included), then digits, a letter in the port, or a
    // second colon; and the bracketed forms.
    std::vector<std::string> hosts = {"[::1]", "[::1]:80", "[::1]:8x", "[::1]x", "[::1", "h]:80", ":", "::", ":80"};
    for (std::size_t len : {1, 2, 3, 4, 7, 8, 9, 15, 16, 17, 23, 31, 32, 33, 40}) {
        for (std::size_t colon = 0; colon < len; ++colon) {
            std::string h(len, '7');
            for (std::size_t i = 0; i < colon; ++i) h[i] = "ab.9-"[i % 5];
            h[colon] = ':';
            hosts.push_back(h);
            for (std::size_t bad = colon + 1; bad < len; bad += 3) {
                std::string letter = h, second = h;
                letter[bad] = 'p';
                second[bad] = ':';
                hosts.push_back(letter);
                hosts.push_back(second);
            }
        }
    }
    std::size_t refused = 0;
    for (const std::string& h : hosts) {
        const std::string text = "GET / HTTP/1.1\r\nHost: " + h + "\r\n\r\n";
        const outcome want = run_variant(variant::portable, text, '\0', {});
        refused += want.res.state == parse_result::status::error;
        for (variant v : variants()) {
            INFO("variant " << static_cast<int>(v) << ": Host " << h);
            REQUIRE(describe(run_variant(v, text, '\0', {})) == describe(want));
        }
    }
    CHECK(refused > hosts.size() / 2);  // the letters and second colons
}

TEST_CASE("http1 parser: every variant agrees on limits", "[codec]") {
    std::string head = "GET /x HTTP/1.1\r\nHost: a\r\n";
    for (int i = 0; i < 12; ++i) head += "X-" + std::to_string(i) + ": v\r\n";
    head += "\r\n";
    for (std::size_t fields : {0, 1, 5, 13, 14}) check_same(head, {.max_head_bytes = SIZE_MAX, .max_fields = fields});
    for (std::size_t bytes : {10, 16, 17, 40, 100}) check_same(head, {.max_head_bytes = bytes});
}

TEST_CASE("http1 parser: every variant agrees on mutated heads", "[codec]") {
    // Random bytes dropped into the corpus, biased to the ones that matter.
    static constexpr char specials[] = {':', '\r', '\n', ' ',    '\t',   '-',    '_',    '/',
                                        '?', '%',  '@',  '\x7f', '\x80', '\xff', '\x01', '\0'};
    const std::string interesting = std::string(specials, sizeof specials) + token_chars;
    std::mt19937 rng(4242);
    const std::vector<std::string> c = corpus();
    for (int round = 0; round < 3000; ++round) {
        std::string text = c[rng() % c.size()];
        const int edits = 1 + static_cast<int>(rng() % 3);
        for (int e = 0; e < edits; ++e) {
            const std::size_t at = rng() % text.size();
            const char b = rng() % 4 == 0 ? static_cast<char>(rng() % 256) : interesting[rng() % interesting.size()];
            switch (rng() % 3) {
                case 0: text[at] = b; break;
                case 1: text.insert(text.begin() + static_cast<std::ptrdiff_t>(at), b); break;
                default: text.erase(at, 1); break;
            }
        }
        // The whole text only (check_same's prefixes of 3000 heads take too long).
        for (variant v : variants()) {
            if (v == variant::portable) continue;
            for (char sentinel : {'\0', '/'}) {
                const outcome want = run_variant(variant::portable, text, sentinel, {});
                const outcome got = run_variant(v, text, sentinel, {});
                INFO("variant " << static_cast<int>(v) << ": " << text);
                REQUIRE(describe(got) == describe(want));
                REQUIRE(got.buffer == want.buffer);
            }
        }
    }
}

TEST_CASE("head_scanner: bytes after the head's end may be anything, a bare LF included", "[parser][scanner]") {
    // Found by fuzz_request: the SSE2 block holding the blank line also held
    // the body's bare LF, and the whole block was checked for bare CR/LF.
    const std::string stream = "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\na\nb";
    const std::size_t head_len = stream.find("\r\n\r\n") + 4;
    for (std::size_t split = 0; split < stream.size(); ++split) {
        head_scanner::result r = scan_split(stream, split);
        INFO("split at " << split);
        REQUIRE(r.state == head_scanner::status::complete);
        CHECK(r.head_len == head_len);
    }
    // A bare LF inside the head is still an error.
    CHECK(scan_split("POST / HTTP/1.1\r\nHost: h\nX: y\r\n\r\n", 21).state == head_scanner::status::error);
}

TEST_CASE("http1 parser: Transfer-Encoding must end in chunked, once, in a well-formed list", "[codec]") {
    // RFC 9112 §6.3: chunked not final in a request is a 400 and a close;
    // a list that does not parse cannot say which coding is final; §6.1:
    // chunked once. A well-formed list of codings ringhttp does not decode
    // (no chunked, or chunked last after others) is §6.1's 501.
    struct row {
        const char* fields;
        int status;  // 0: accepted as chunked
    };
    const row r = GENERATE(values<row>({
        {"Transfer-Encoding: chunked", 0},
        {"Transfer-Encoding:\tCHUNKED\t", 0},
        {"Transfer-Encoding: gzip, chunked", 501},
        {"Transfer-Encoding: gzip;q=1 , x-custom ; a=\"b, c\" ,chunked", 501},
        {"Transfer-Encoding: gzip\r\nTransfer-Encoding: chunked", 501},
        {"Transfer-Encoding: gzip\r\nTransfer-Encoding: deflate, chunked", 501},
        {"Transfer-Encoding: gzip", 501},
        {"Transfer-Encoding: identity", 501},
        {"Transfer-Encoding: xchunked", 501},
        {"Transfer-Encoding: gzip, deflate", 501},
        {"Transfer-Encoding: gzip\r\nTransfer-Encoding: deflate", 501},
        {"Transfer-Encoding: chunked, gzip", 400},
        {"Transfer-Encoding: chunked, chunked", 400},
        {"Transfer-Encoding: chunked , chunked", 400},
        {"Transfer-Encoding:", 400},
        {"Transfer-Encoding:   ", 400},
        {"Transfer-Encoding: , chunked", 400},
        {"Transfer-Encoding: chunked,", 400},
        {"Transfer-Encoding: gzip,, chunked", 400},
        {"Transfer-Encoding: chunked;q=1", 400},
        {"Transfer-Encoding: chunked;", 400},
        {"Transfer-Encoding: gzip;q, chunked", 400},
        {"Transfer-Encoding: gzip;q=\"1, chunked", 400},
        {"Transfer-Encoding: \"chunked\"", 400},
        {"Transfer-Encoding: chunked x", 400},
        {"Transfer-Encoding: chunked\r\nTransfer-Encoding: identity", 400},
        {"Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked", 400},
        {"Transfer-Encoding: chunked;a=b\r\nTransfer-Encoding: chunked", 400},
        {"Transfer-Encoding: ,\r\nTransfer-Encoding: chunked", 400},
        {"Transfer-Encoding: gzip\r\nTransfer-Encoding:", 400},
        {"Transfer-Encoding: gzip\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked", 400},
    }));
    INFO(r.fields);
    parsed p;
    parse(std::string("POST / HTTP/1.1\r\nHost: a\r\n") + r.fields + "\r\n\r\n", p);
    CHECK(p.error.status == r.status);
    if (r.status == 0) CHECK(p.info.framing == body_framing::chunked);
    check_same(std::string("POST / HTTP/1.1\r\nHost: a\r\n") + r.fields + "\r\n\r\n");
}

TEST_CASE("http1 parser: a request-target holds only URI characters, '#' aside", "[codec]") {
    // RFC 9112 §3.2, RFC 3986 §2: unreserved, reserved and '%'; RFC 9110 §7.1:
    // no fragment. In the path and in the query, in one-pass and scanned heads.
    const std::string allowed = "abcxyzABCXYZ0189-._~:/?[]@!$&'()*+,;=%";
    for (int c = 0; c < 256; ++c) {
        if (c == ' ') continue;  // ends the target
        const bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
        const bool ok = alnum || (c != 0 && allowed.find(static_cast<char>(c)) != std::string::npos);
        const std::string b(1, static_cast<char>(c));
        // '%' needs two hex digits in the path; "%25" keeps it whole there.
        const std::string in_path = c == '%' ? "%25" : b;
        for (const std::string& text : {"GET /a" + in_path + "b HTTP/1.1\r\nHost: h\r\n\r\n",
                                        "GET /a?q" + b + "r HTTP/1.1\r\nHost: h\r\n\r\n",
                                        "GET /" + std::string(40, 'p') + "?" + b + " HTTP/1.1\r\nHost: h\r\n\r\n"}) {
            INFO("byte " << c << ": " << text);
            parsed p;
            parse(text, p);
            CHECK(p.error.status == (ok ? 0 : 400));
            for (variant v : variants()) {
                const outcome got = run_variant(v, text, '\0', {});
                CHECK((got.res.state == parse_result::status::complete) == ok);
            }
        }
    }
}

TEST_CASE("http1 parser: the head limit is exact, 431 past it, 414 for the request line alone", "[codec]") {
    SECTION("the limit bounds the whole head exactly") {
        // A head of exactly the limit is taken, one byte more is not: by the
        // scanner and by the one-pass parser alike (no slack past the limit).
        const std::string base = "GET / HTTP/1.1\r\nHost: a\r\nX: \r\n\r\n";
        for (std::size_t max : {std::size_t{64}, std::size_t{1000}, std::size_t{64} << 10}) {
            for (std::size_t len : {max - 1, max, max + 1}) {
                std::string head = base;
                head.insert(head.find("X: ") + 3, len - base.size(), 'x');
                REQUIRE(head.size() == len);
                INFO("limit " << max << ", head of " << len);
                const int want = len <= max ? 0 : 431;
                head_scanner s;
                const head_scanner::result r = s.scan(head.data(), head.size(), max);
                CHECK(r.error.status == want);
                CHECK((r.state == head_scanner::status::complete) == (want == 0));
                for (variant v : variants())
                    CHECK(run_variant(v, head, '\0', {.max_head_bytes = max}).res.error.status == want);
            }
        }
    }
    SECTION("a request line alone past the limit is 414, one at the limit with fields after it 431") {
        for (std::size_t line : {std::size_t{1024}, std::size_t{1025}}) {
            std::string head = "GET /" + std::string(line - 16, 'p') + " HTTP/1.1\r\nHost: a\r\n\r\n";
            REQUIRE(head.find("\r\n") + 2 == line);
            head_scanner s;
            const head_scanner::result r = s.scan(head.data(), head.size(), 1024);
            INFO("request line of " << line);
            CHECK(r.error.status == (line > 1024 ? 414 : 431));
            for (variant v : variants())
                CHECK(run_variant(v, head, '\0', {.max_head_bytes = 1024}).res.error.status == r.error.status);
        }
    }
}
