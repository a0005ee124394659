// Wire tests: pipelined requests on one connection, answered in order, and
// what a malformed request in the middle of a pipeline does.
#include <catch2/catch_test_macros.hpp>
#include <catch2/generators/catch_generators.hpp>

#include <chrono>
#include <cstdio>
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

std::string get(std::string_view path, std::string_view method = "GET") {
    std::string s;
    s.append(method).append(" ").append(path).append(" HTTP/1.1\r\nHost: test\r\n\r\n");
    return s;
}

std::string post(std::string_view path, std::string_view body) {
    return "POST " + std::string(path) + " HTTP/1.1\r\nHost: test\r\nContent-Length: " + std::to_string(body.size()) +
           "\r\n\r\n" + std::string(body);
}

std::string post_chunked(std::string_view path, const std::vector<std::string>& chunks) {
    std::string s = "POST " + std::string(path) + " HTTP/1.1\r\nHost: test\r\nTransfer-Encoding: chunked\r\n\r\n";
    for (const std::string& c : chunks) {
        char size[20];
        std::snprintf(size, sizeof size, "%zx", c.size());
        s += std::string(size) + "\r\n" + c + "\r\n";
    }
    return s + "0\r\n\r\n";
}

// /echo returns the body read in full; /ignore never reads it; /big writes
// 10000 bytes (chunked); /nocontent is 204; anything else echoes the path.
handler_ptr router() {
    return make_handler([](response_writer& w, request& r) {
        std::string_view p = r.url().path;
        w.header().set("X-Path", p);
        if (p == "/echo") {
            std::string body;
            std::error_code ec = r.body().read_all(body);
            if (ec) {
                error(w, "body: " + ec.message(), 400);
                return;
            }
            (void)w.write(body);
        } else if (p == "/ignore") {
            (void)w.write("ignored");
        } else if (p.starts_with("/big")) {
            (void)w.write(std::string(10000, 'B'));
        } else if (p == "/nocontent") {
            w.write_header(status_no_content);
        } else {
            (void)w.write(p);
        }
    });
}

}  // namespace

TEST_CASE("pipelining: 16 requests in one send are answered in order on one connection", "[wire][pipelining]") {
    auto piece = GENERATE(std::size_t{0}, std::size_t{7});  // 0: one send; 7: many small sends
    test_server s(router());
    std::string all;
    std::vector<std::string> paths;
    for (int i = 0; i < 16; ++i) {
        // Every fourth response is chunked, the rest have a length.
        paths.push_back(i % 4 == 3 ? "/big" + std::to_string(i) : "/p" + std::to_string(i));
        all += get(paths.back());
    }
    raw_connection c(s.port());
    if (piece == 0) {
        c.send(all);
    } else {
        for (std::size_t at = 0; at < all.size(); at += piece) c.send(std::string_view(all).substr(at, piece));
    }
    raw_result r = c.read_responses(16, {}, 5000ms);
    auto rs = parse_responses(r.bytes, {}, r.closed);
    REQUIRE(rs.size() == 16);
    for (std::size_t i = 0; i < 16; ++i) {
        INFO("response " << i);
        CHECK(rs[i].status == 200);
        CHECK(rs[i].header("x-path") == paths[i]);
        if (i % 4 == 3) {
            CHECK(rs[i].frame == response::framing::chunked);
            CHECK(rs[i].body == std::string(10000, 'B'));
        } else {
            CHECK(rs[i].frame == response::framing::length);
            CHECK(rs[i].body == paths[i]);
        }
    }
    CHECK_FALSE(r.closed);
    raw_result after = c.read_until_idle(150ms);
    CHECK(after.bytes.empty());
    CHECK_FALSE(after.closed);
}

TEST_CASE("pipelining: a malformed request in the middle is answered with an error and then the connection closes",
          "[wire][pipelining]") {
    struct row {
        std::string bad;
        int status;
    };
    auto [bad, status] = GENERATE(values<row>({
        {"GET /x HTTP/1.1\r\nHost: test\r\nNo Colon Here\r\n\r\n", 400},
        {"GET /x HTTP/1.1\r\n\r\n", 400},                                           // no Host
        {"GET /x HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400},                      // two Hosts
        {"GET /x HTTP/1.1\r\nHost: test\r\nContent-Length: abc\r\n\r\n", 400},       // bad length
        {"GET /x HTTP/1.1\r\nHost: test\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n", 400},
        {"GET /x HTTP/1.1\r\nHost: test\r\n Folded: x\r\n\r\n", 400},                // obs-fold
        {"GET /x HTTP/1.1\r\nHost: test\r\nTransfer-Encoding: gzip\r\n\r\n", 501},   // unknown coding
        {"GET /x HTTP/2.0\r\nHost: test\r\n\r\n", 505},
        {"G(T /x HTTP/1.1\r\nHost: test\r\n\r\n", 400},                              // not a token
        {"GET /x HTTP/1.1\nHost: test\n\n", 400},                                    // bare LF
    }));
    test_server s(router());
    raw_connection c(s.port());
    c.send(get("/a") + post("/echo", "body-b") + get("/c") + bad + get("/after1") + post("/echo", "after2"));
    raw_result r = c.read_until_idle(2000ms);
    CHECK(r.closed);
    auto rs = parse_responses(r.bytes, {}, r.closed);
    INFO(r.bytes);
    REQUIRE(rs.size() == 4);
    CHECK(rs[0].body == "/a");
    CHECK(rs[1].body == "body-b");
    CHECK(rs[2].body == "/c");
    CHECK(rs[3].status == status);
    CHECK(rs[3].header("connection") == "close");
    CHECK(r.bytes.find("/after1") == std::string::npos);
    CHECK(r.bytes.find("after2") == std::string::npos);
}

TEST_CASE("pipelining: requests with Content-Length and chunked bodies mix with GETs", "[wire][pipelining]") {
    test_server s(router());
    raw_connection c(s.port());
    std::string all = post("/echo", "hello") + get("/a") + post_chunked("/echo", {"wor", "ld", std::string(5000, 'c')}) +
                      post("/ignore", std::string(1000, 'i')) + get("/nocontent") + get("/b", "HEAD") +
                      post_chunked("/ignore", {"skip", "me"}) + post("/echo", "") + get("/big") + get("/last");
    const std::vector<std::string> methods = {"POST", "GET", "POST", "POST", "GET", "HEAD", "POST", "POST", "GET", "GET"};
    c.send(all);
    raw_result r = c.read_responses(methods.size(), methods, 5000ms);
    auto rs = parse_responses(r.bytes, methods, r.closed);
    REQUIRE(rs.size() == methods.size());
    CHECK(rs[0].body == "hello");
    CHECK(rs[1].body == "/a");
    CHECK(rs[2].body == "world" + std::string(5000, 'c'));
    CHECK(rs[3].body == "ignored");
    CHECK(rs[4].status == 204);
    CHECK(rs[5].header("content-length") == "2");
    CHECK(rs[5].body.empty());
    CHECK(rs[6].body == "ignored");
    CHECK(rs[7].body.empty());
    CHECK(rs[7].header("content-length") == "0");
    CHECK(rs[8].body == std::string(10000, 'B'));
    CHECK(rs[9].body == "/last");
    CHECK_FALSE(r.closed);
}

TEST_CASE("pipelining: a request split across sends after a complete one is served", "[wire][pipelining]") {
    test_server s(router());
    raw_connection c(s.port());
    std::string second = post("/echo", "split body");
    c.send(get("/first") + second.substr(0, 20));
    raw_result r1 = c.read_responses(1, {}, 5000ms);
    auto rs1 = parse_responses(r1.bytes, {}, false);
    REQUIRE(rs1.size() == 1);
    CHECK(rs1[0].body == "/first");
    c.send(second.substr(20));
    raw_result r2 = c.read_responses(1, {"POST"}, 5000ms);
    auto rs2 = parse_responses(r2.bytes, {"POST"}, false);
    REQUIRE(rs2.size() == 1);
    CHECK(rs2[0].body == "split body");
}

TEST_CASE("pipelining: 200 pipelined requests on one connection are all answered", "[wire][pipelining]") {
    test_server s(router());
    raw_connection c(s.port());
    std::string all;
    for (int i = 0; i < 200; ++i) all += get("/n" + std::to_string(i));
    c.send(all);
    raw_result r = c.read_responses(200, {}, 5000ms);
    auto rs = parse_responses(r.bytes, {}, r.closed);
    REQUIRE(rs.size() == 200);
    for (std::size_t i = 0; i < rs.size(); ++i) CHECK(rs[i].body == "/n" + std::to_string(i));
}

TEST_CASE("pipelining: POSTs with bodies larger than a receive buffer are answered in order", "[wire][pipelining]") {
    test_server s(router());
    raw_connection c(s.port());
    std::string all;
    std::vector<std::string> bodies;
    for (int i = 0; i < 10; ++i) {
        bodies.push_back(std::string(50000 + static_cast<std::size_t>(i), static_cast<char>('a' + i)));
        all += i % 2 == 0 ? post("/echo", bodies.back()) : post_chunked("/echo", {bodies.back()});
    }
    // The client sends everything before reading anything.
    std::thread sender([&] { c.send(all); });
    raw_result r = c.read_responses(10, {}, 10000ms);
    sender.join();
    auto rs = parse_responses(r.bytes, {}, r.closed);
    REQUIRE(rs.size() == 10);
    for (std::size_t i = 0; i < 10; ++i) {
        INFO("response " << i);
        CHECK(rs[i].body == bodies[i]);
    }
}

TEST_CASE("pipelining: big responses to a client that reads late all arrive in order", "[wire][pipelining]") {
    test_server s(make_handler([](response_writer& w, request& r) {
        const char c = r.url().path.back();
        const std::string block(16384, c);
        for (int i = 0; i < 16; ++i)
            if (w.write(block).ec) return;
    }));
    raw_connection c(s.port());
    std::string all;
    for (int i = 0; i < 8; ++i) {
        const char path[] = {'/', static_cast<char>('a' + i), '\0'};
        all += get(path);
    }
    c.send(all);
    std::this_thread::sleep_for(100ms);  // the server's sends meet a full socket meanwhile
    raw_result r = c.read_responses(8, {}, 10000ms);
    auto rs = parse_responses(r.bytes, {}, r.closed);
    REQUIRE(rs.size() == 8);
    for (std::size_t i = 0; i < 8; ++i) {
        INFO("response " << i);
        CHECK(rs[i].body == std::string(16 * 16384, static_cast<char>('a' + i)));
    }
}

TEST_CASE("pipelining: a head larger than a receive buffer between two small requests", "[wire][pipelining]") {
    auto big_fields = GENERATE(10, 90);
    test_server s(make_handler([](response_writer& w, request& r) {
        w.header().set("X-Fields", std::to_string(r.header().size()));
        (void)w.write(r.url().path);
    }));
    std::string big = "GET /big HTTP/1.1\r\nHost: test\r\n";
    for (int i = 0; i < big_fields; ++i)
        big.append("X-Field-").append(std::to_string(i)).append(": ").append(700, 'v').append("\r\n");
    big += "\r\n";
    raw_connection c(s.port());
    c.send(get("/a") + big + get("/b") + big);
    raw_result r = c.read_responses(4, {}, 5000ms);
    auto rs = parse_responses(r.bytes, {}, r.closed);
    REQUIRE(rs.size() == 4);
    CHECK(rs[0].body == "/a");
    CHECK(rs[1].body == "/big");
    CHECK(rs[1].header("x-fields") == std::to_string(big_fields));
    CHECK(rs[2].body == "/b");
    CHECK(rs[3].body == "/big");
}

TEST_CASE("pipelining: Expect: 100-continue with the body already sent is followed by the next request",
          "[wire][pipelining]") {
    test_server s(router());
    raw_connection c(s.port());
    c.send("POST /echo HTTP/1.1\r\nHost: test\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\nbody" + get("/next"));
    raw_result r = c.read_responses(3, {}, 5000ms);
    auto rs = parse_responses(r.bytes, {}, r.closed);
    // Go sends the 100 on the first read even if the body is already there.
    REQUIRE(rs.size() == 3);
    CHECK(rs[0].status == 100);
    CHECK(rs[1].body == "body");
    CHECK(rs[2].body == "/next");
}
