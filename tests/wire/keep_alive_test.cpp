// Wire tests: connection reuse (HTTP/1.0 and 1.1 keep-alive rules, the
// Connection header) and clients that half-close.
#include <catch2/catch_test_macros.hpp>
#include <catch2/generators/catch_generators.hpp>

#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <ringhttp/ringhttp.hpp>

#include "tests/support/wire.hpp"

using namespace ringhttp;
using namespace ringhttp::test;
using namespace std::chrono_literals;

namespace {

std::string req(std::string_view path, std::string_view proto = "HTTP/1.1", std::string_view extra = "",
                std::string_view method = "GET") {
    std::string s;
    s.append(method).append(" ").append(path).append(" ").append(proto).append("\r\nHost: test\r\n");
    s.append(extra).append("\r\n");
    return s;
}

struct got {
    std::vector<response> rs;
    bool closed = false;
    std::string raw;
};

got read_n(raw_connection& c, std::size_t n, const std::vector<std::string>& methods = {}) {
    raw_result r = c.read_responses(n, methods, 5000ms);
    return {parse_responses(r.bytes, methods, r.closed), r.closed, r.bytes};
}

// server_closes reports whether the server closes the connection within 2 s,
// with no more bytes arriving first.
bool server_closes(raw_connection& c, std::string* extra = nullptr) {
    raw_result r = c.read_until_idle(2000ms);
    if (extra != nullptr) *extra = r.bytes;
    return r.closed && r.bytes.empty();
}

// stays_open reports whether the server leaves the connection open for 150 ms.
bool stays_open(raw_connection& c) {
    raw_result r = c.read_until_idle(150ms);
    return !r.closed && r.bytes.empty();
}

// The path echoed back; /close asks for the connection to close; /big is past
// the 4 KB buffer; /nocontent is 204.
handler_ptr echo_path() {
    return make_handler([](response_writer& w, request& r) {
        std::string_view p = r.url().path;
        if (p == "/close") w.header().set("Connection", "close");
        if (p == "/nocontent") {
            w.write_header(status_no_content);
            return;
        }
        if (p == "/big") {
            (void)w.write(std::string(10000, 'b'));
            return;
        }
        (void)w.write(p);
    });
}

}  // namespace

TEST_CASE("keep-alive: HTTP/1.1 connections are reused by default", "[wire][keep-alive]") {
    test_server s(echo_path());
    raw_connection c(s.port());
    for (int i = 0; i < 3; ++i) {
        std::string path = "/r" + std::to_string(i);
        c.send(req(path));
        got g = read_n(c, 1);
        REQUIRE(g.rs.size() == 1);
        CHECK(g.rs[0].status == 200);
        CHECK(g.rs[0].body == path);
        CHECK_FALSE(g.rs[0].has("connection"));
        CHECK_FALSE(g.closed);
    }
    CHECK(stays_open(c));
}

TEST_CASE("keep-alive: Connection: close from the client is honoured", "[wire][keep-alive]") {
    auto value = GENERATE(std::string("close"), std::string("Close"), std::string("keep-alive, close"),
                          std::string("CLOSE"), std::string("Upgrade,close"));
    test_server s(echo_path());
    raw_connection c(s.port());
    // A second request pipelined behind it must not be answered.
    c.send(req("/first", "HTTP/1.1", "Connection: " + value + "\r\n") + req("/second"));
    got g = read_n(c, 1);
    REQUIRE(g.rs.size() == 1);
    CHECK(g.rs[0].body == "/first");
    CHECK(g.rs[0].header("connection") == "close");
    CHECK(g.rs[0].headers.count("connection") == 1);
    std::string extra;
    CHECK((g.closed || server_closes(c, &extra)));
    CHECK(extra.empty());
}

TEST_CASE("keep-alive: HTTP/1.0 without keep-alive closes after the response", "[wire][keep-alive]") {
    auto path = GENERATE(std::string("/small"), std::string("/big"), std::string("/nocontent"));
    test_server s(echo_path());
    raw_connection c(s.port());
    c.send(req(path, "HTTP/1.0") + req("/second", "HTTP/1.0"));
    raw_result r = c.read_until_idle(2000ms);
    CHECK(r.closed);
    auto rs = parse_responses(r.bytes, {}, r.closed);
    REQUIRE(rs.size() == 1);
    CHECK(rs[0].version == "HTTP/1.0");
    // Go sends no Connection header on an HTTP/1.0 response that closes.
    CHECK_FALSE(rs[0].has("connection"));
    CHECK(r.bytes.find("/second") == std::string::npos);
}

TEST_CASE("keep-alive: HTTP/1.0 with Connection: keep-alive and a known length stays open", "[wire][keep-alive]") {
    struct row {
        std::string method;
        std::string path;
    };
    auto [method, path] = GENERATE(values<row>({
        {"GET", "/small"},
        {"GET", "/nocontent"},
        {"HEAD", "/small"},
        {"HEAD", "/big"},
    }));
    auto ka = GENERATE(std::string("keep-alive"), std::string("Keep-Alive"));
    test_server s(echo_path());
    raw_connection c(s.port());
    c.send(req(path, "HTTP/1.0", "Connection: " + ka + "\r\n", method));
    got g = read_n(c, 1, {method});
    REQUIRE(g.rs.size() == 1);
    CHECK(g.rs[0].version == "HTTP/1.0");
    CHECK(g.rs[0].header("connection") == "keep-alive");
    if (method == "GET" && path == "/small") CHECK(g.rs[0].header("content-length") == "6");
    CHECK_FALSE(g.closed);
    // The connection carries a second request.
    c.send(req("/again", "HTTP/1.0", "Connection: keep-alive\r\n"));
    got g2 = read_n(c, 1);
    REQUIRE(g2.rs.size() == 1);
    CHECK(g2.rs[0].body == "/again");
    CHECK(stays_open(c));
}

TEST_CASE("keep-alive: HTTP/1.0 keep-alive with a handler-set Content-Length stays open", "[wire][keep-alive]") {
    test_server s(make_handler([](response_writer& w, request&) {
        w.header().set("Content-Length", "10000");
        (void)w.write(std::string(10000, 'x'));
    }));
    raw_connection c(s.port());
    c.send(req("/", "HTTP/1.0", "Connection: keep-alive\r\n"));
    got g = read_n(c, 1);
    REQUIRE(g.rs.size() == 1);
    CHECK(g.rs[0].header("connection") == "keep-alive");
    CHECK(g.rs[0].body.size() == 10000);
    CHECK(stays_open(c));
}

TEST_CASE("keep-alive: a handler that sets Connection: close closes the connection", "[wire][keep-alive]") {
    auto proto = GENERATE(std::string("HTTP/1.1"), std::string("HTTP/1.0"));
    const std::string extra = proto == "HTTP/1.0" ? "Connection: keep-alive\r\n" : "";
    test_server s(echo_path());
    raw_connection c(s.port());
    c.send(req("/close", proto, extra) + req("/second", proto, extra));
    got g = read_n(c, 1);
    REQUIRE(g.rs.size() == 1);
    CHECK(g.rs[0].body == "/close");
    CHECK(g.rs[0].header("connection") == "close");
    CHECK(g.rs[0].headers.count("connection") == 1);
    std::string more;
    CHECK((g.closed || server_closes(c, &more)));
    CHECK(more.empty());
}

TEST_CASE("keep-alive: a keep-alive connection survives idle gaps between requests", "[wire][keep-alive]") {
    test_server s(echo_path());
    raw_connection c(s.port());
    for (int i = 0; i < 2; ++i) {
        c.send(req("/idle"));
        got g = read_n(c, 1);
        REQUIRE(g.rs.size() == 1);
        CHECK(g.rs[0].body == "/idle");
        std::this_thread::sleep_for(100ms);
    }
}

TEST_CASE("half-close: a client that shuts its write side still gets its responses", "[wire][half-close]") {
    auto n = GENERATE(1, 3);
    test_server s(echo_path());
    raw_connection c(s.port());
    std::string all;
    for (int i = 0; i < n; ++i) all += req("/p" + std::to_string(i));
    c.send(all);
    c.shutdown_write();
    raw_result r = c.read_until_idle(2000ms);
    CHECK(r.closed);
    auto rs = parse_responses(r.bytes, {}, r.closed);
    REQUIRE(rs.size() == static_cast<std::size_t>(n));
    for (int i = 0; i < n; ++i) CHECK(rs[static_cast<std::size_t>(i)].body == "/p" + std::to_string(i));
}

TEST_CASE("half-close: a request body ending at the client's FIN is read in full", "[wire][half-close]") {
    test_server s(make_handler([](response_writer& w, request& r) {
        std::string body;
        std::error_code ec = r.body().read_all(body);
        (void)w.write(ec ? "error: " + ec.message() : "got " + body);
    }));
    raw_connection c(s.port());
    c.send("POST / HTTP/1.1\r\nHost: test\r\nContent-Length: 11\r\n\r\nhello world");
    c.shutdown_write();
    raw_result r = c.read_until_idle(2000ms);
    CHECK(r.closed);
    auto rs = parse_responses(r.bytes, {}, r.closed);
    REQUIRE(rs.size() == 1);
    CHECK(rs[0].body == "got hello world");
}

TEST_CASE("half-close: a large response is sent in full to a half-closed client", "[wire][half-close]") {
    test_server s(make_handler([](response_writer& w, request&) {
        std::string block(16384, 'z');
        for (int i = 0; i < 64; ++i)
            if (w.write(block).ec) return;
    }));
    raw_connection c(s.port());
    c.send(req("/"));
    c.shutdown_write();
    raw_result r = c.read_until_idle(3000ms);
    CHECK(r.closed);
    auto rs = parse_responses(r.bytes, {}, r.closed);
    REQUIRE(rs.size() == 1);
    CHECK(rs[0].frame == response::framing::chunked);
    CHECK(rs[0].body.size() == 64u * 16384u);
}

TEST_CASE("half-close: a partial request before the FIN is not served and the connection closes",
          "[wire][half-close]") {
    test_server s(echo_path());
    raw_connection c(s.port());
    c.send(req("/whole") + "GET /partial HTTP/1.1\r\nHost: te");
    c.shutdown_write();
    raw_result r = c.read_until_idle(2000ms);
    CHECK(r.closed);
    auto rs = parse_responses(r.bytes, {}, r.closed);
    REQUIRE(rs.size() >= 1);
    CHECK(rs[0].body == "/whole");
    for (std::size_t i = 1; i < rs.size(); ++i) CHECK(rs[i].status == 400);
}

// Go reads the truncated head, gets io.ErrUnexpectedEOF (not a "common net
// read error") and answers "400 Bad Request" before closing.
TEST_CASE("half-close: a partial request before the FIN gets a 400 as Go answers it", "[wire][half-close]") {
    test_server s(echo_path());
    raw_connection c(s.port());
    c.send(req("/whole") + "GET /partial HTTP/1.1\r\nHost: te");
    c.shutdown_write();
    raw_result r = c.read_until_idle(2000ms);
    auto rs = parse_responses(r.bytes, {}, r.closed);
    REQUIRE(rs.size() == 2);
    CHECK(rs[1].status == 400);
    CHECK(rs[1].header("connection") == "close");
}

TEST_CASE("keep-alive: 2000 requests in turn on one connection", "[wire][keep-alive]") {
    test_server s(echo_path());
    raw_connection c(s.port());
    int good = 0;
    for (int i = 0; i < 2000; ++i) {
        const std::string path = "/n" + std::to_string(i);
        c.send(req(path, "HTTP/1.1", i % 3 == 0 ? "Content-Length: 0\r\n" : "", i % 2 == 0 ? "GET" : "POST"));
        raw_result r = c.read_responses(1, {}, 5000ms);
        auto rs = parse_responses(r.bytes, {}, r.closed);
        if (rs.size() != 1 || rs[0].body != path) break;
        ++good;
    }
    CHECK(good == 2000);
}
