// httptest::server over real sockets: it serves on 127.0.0.1 at an ephemeral
// port, and close() behaves as Go's httptest.Server.Close.
#include <catch2/catch_test_macros.hpp>

#include <atomic>
#include <chrono>
#include <future>
#include <stdexcept>
#include <string>
#include <thread>

#include <ringhttp/httptest.hpp>
#include <ringhttp/ringhttp.hpp>

#include "tests/support/wire.hpp"

using namespace ringhttp;
using namespace std::chrono_literals;
using ringhttp::test::exchange;
using ringhttp::test::raw_connection;

namespace {

// Waits (generously: the machine may be loaded) until flag is set.
bool wait_for(const std::atomic<bool>& flag, std::chrono::milliseconds limit = 10000ms) {
    const auto until = std::chrono::steady_clock::now() + limit;
    while (!flag.load()) {
        if (std::chrono::steady_clock::now() > until) return false;
        std::this_thread::sleep_for(5ms);
    }
    return true;
}

bool can_connect(std::uint16_t port) {
    try {
        raw_connection c(port);
        return true;
    } catch (const std::runtime_error&) {
        return false;
    }
}

}  // namespace

TEST_CASE("httptest::server: url is http://127.0.0.1:PORT and the handler answers there", "[httptest]") {
    httptest::server ts(make_handler([](response_writer& w, request& r) {
        w.header().set("X-Path", r.url().path);
        w.write("hello from " + std::string(r.method()) + "\n");
    }));
    REQUIRE(ts.port() != 0);
    CHECK(ts.url() == "http://127.0.0.1:" + std::to_string(ts.port()));
    CHECK(ts.addr() == "127.0.0.1:" + std::to_string(ts.port()));

    auto res = exchange(ts.port(), "GET /a/b?x=1 HTTP/1.1\r\nHost: t\r\n\r\nPOST /c HTTP/1.1\r\nHost: t\r\n"
                                   "Content-Length: 0\r\n\r\n");
    REQUIRE(res.responses.size() == 2);
    CHECK(res.responses[0].status == 200);
    CHECK(res.responses[0].header("x-path") == "/a/b");
    CHECK(res.responses[0].body == "hello from GET\n");
    CHECK(res.responses[1].header("x-path") == "/c");
    CHECK(res.responses[1].body == "hello from POST\n");
}

TEST_CASE("httptest::server: two servers at once listen on different ports", "[httptest]") {
    httptest::server a(make_handler([](response_writer& w, request&) { w.write("a"); }));
    httptest::server b(make_handler([](response_writer& w, request&) { w.write("b"); }));
    CHECK(a.port() != b.port());
    auto ra = exchange(a.port(), "GET / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
    auto rb = exchange(b.port(), "GET / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
    REQUIRE(ra.responses.size() == 1);
    REQUIRE(rb.responses.size() == 1);
    CHECK(ra.responses[0].body == "a");
    CHECK(rb.responses[0].body == "b");
}

TEST_CASE("httptest::server: server_options are passed through to the server", "[httptest]") {
    std::atomic<int> news{0};
    httptest::server ts(make_handler([](response_writer& w, request&) { w.write("ok"); }),
                        server_options{.max_header_bytes = 1024,
                                       .conn_state = [&news](const connection_info&, conn_state s) {
                                           if (s == conn_state::new_) ++news;
                                       }});
    auto big = exchange(ts.port(), "GET / HTTP/1.1\r\nHost: t\r\nX-Big: " + std::string(32 * 1024, 'x') + "\r\n\r\n");
    REQUIRE(big.responses.size() == 1);
    CHECK(big.responses[0].status == 431);
    auto ok = exchange(ts.port(), "GET / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
    REQUIRE(ok.responses.size() == 1);
    CHECK(ok.responses[0].body == "ok");
    ts.close();
    CHECK(news.load() == 2);
}

TEST_CASE("httptest::server: close waits for a request in flight, then nothing listens", "[httptest]") {
    std::atomic<bool> entered{false}, release{false}, finished{false};
    httptest::server ts(make_handler([&](response_writer& w, request&) {
        entered = true;
        // Waits off the ring, as a handler should; close() must wait for it.
        run_blocking([&] {
            while (!release.load()) std::this_thread::sleep_for(1ms);
        });
        w.write("done");
        finished = true;
    }));
    const std::uint16_t port = ts.port();
    auto client = std::async(std::launch::async, [port] {
        raw_connection c(port);
        c.send("GET / HTTP/1.1\r\nHost: t\r\n\r\n");
        return c.read_responses(1, {}, 20000ms);
    });
    REQUIRE(wait_for(entered));
    std::atomic<bool> closed{false};
    auto closer = std::async(std::launch::async, [&] {
        ts.close();
        closed = true;
    });
    std::this_thread::sleep_for(100ms);
    CHECK_FALSE(closed.load());  // still waiting for the handler
    release = true;
    closer.get();
    CHECK(finished.load());
    auto got = client.get();
    auto responses = ringhttp::test::parse_responses(got.bytes, {"GET"}, got.closed);
    REQUIRE(responses.size() == 1);
    CHECK(responses[0].status == 200);
    CHECK(responses[0].body == "done");
    CHECK(responses[0].header("connection") == "close");
    CHECK_FALSE(can_connect(port));
    ts.close();  // a second close does nothing
}

TEST_CASE("httptest::server: close ends a handler stuck on its body after close_grace", "[httptest]") {
    std::atomic<bool> entered{false}, read_failed{false};
    httptest::server ts(make_handler([&](response_writer& w, request& r) {
        entered = true;
        std::string body;
        if (r.body().read_all(body)) read_failed = true;
        w.write(body);
    }));
    ts.close_grace = 200ms;
    raw_connection c(ts.port());
    c.send("POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 10\r\n\r\nabc");  // 7 bytes never come
    REQUIRE(wait_for(entered));
    ts.close();  // returns although the client never finishes its body
    CHECK(read_failed.load());
    auto rest = c.read_until_idle(2000ms);
    CHECK(rest.closed);
}

TEST_CASE("httptest::server: the destructor closes the server", "[httptest]") {
    std::uint16_t port = 0;
    {
        httptest::server ts(make_handler([](response_writer& w, request&) { w.write("x"); }));
        port = ts.port();
        raw_connection idle(port);  // an idle keep-alive connection does not hold up the close
        idle.send("GET / HTTP/1.1\r\nHost: t\r\n\r\n");
        CHECK(idle.read_responses(1).bytes.find("\r\n\r\nx") != std::string::npos);
    }
    CHECK_FALSE(can_connect(port));
}

TEST_CASE("httptest::server: a null handler serves default_serve_mux", "[httptest]") {
    handle_func("/httptest-default", [](response_writer& w, request&) { w.write("from the default mux"); });
    httptest::server ts(nullptr);
    auto res = exchange(ts.port(), "GET /httptest-default HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
    REQUIRE(res.responses.size() == 1);
    CHECK(res.responses[0].body == "from the default mux");
}
