// Wire tests: conn_state hooks, shutdown() and register_on_shutdown.
#include <catch2/catch_test_macros.hpp>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <future>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <ringhttp/ringhttp.hpp>

#include "tests/support/wire.hpp"

using namespace ringhttp;
using namespace ringhttp::test;
using namespace std::chrono_literals;

namespace {

struct state_log {
    std::mutex mu;
    std::condition_variable cv;
    std::vector<std::string> states;

    void add(conn_state s) {
        std::lock_guard lock(mu);
        states.emplace_back(conn_state_name(s));
        cv.notify_all();
    }
    bool wait_for(std::size_t n, std::chrono::milliseconds d) {
        std::unique_lock lock(mu);
        return cv.wait_for(lock, d, [&] { return states.size() >= n; });
    }
    std::vector<std::string> get() {
        std::lock_guard lock(mu);
        return states;
    }
};

const std::string get_ok = "GET / HTTP/1.1\r\nHost: t\r\n\r\n";

handler_ptr ok_handler() {
    return make_handler([](response_writer& w, request&) { w.write("ok\n"); });
}

}  // namespace

TEST_CASE("lifecycle: conn_state goes new, active, idle, active, idle, closed as in Go", "[wire][lifecycle]") {
    auto log = std::make_shared<state_log>();
    server_options o;
    o.conn_state = [log](const connection_info& info, conn_state s) {
        if (info.remote_addr.starts_with("127.0.0.1:")) log->add(s);
    };
    test_server s(ok_handler(), std::move(o));
    {
        raw_connection c(s.port());
        REQUIRE(log->wait_for(1, 2000ms));
        c.send(get_ok);
        REQUIRE(parse_responses(c.read_responses(1, {}, 2000ms).bytes, {}, false).size() == 1);
        c.send(get_ok);
        REQUIRE(parse_responses(c.read_responses(1, {}, 2000ms).bytes, {}, false).size() == 1);
    }
    REQUIRE(log->wait_for(6, 2000ms));
    CHECK(log->get() == std::vector<std::string>{"new", "active", "idle", "active", "idle", "closed"});
}

// The handler waits for its request body, so it is suspended (not blocking
// its ring) while the shutdown begins, as a handler waiting on I/O would be.
handler_ptr echo_body() {
    return make_handler([](response_writer& w, request& r) {
        std::string body;
        if (r.body().read_all(body)) return;
        w.write(body);
    });
}

TEST_CASE("lifecycle: shutdown waits for the request in flight, which gets Connection: close",
          "[wire][lifecycle]") {
    test_server s(echo_body());
    std::atomic<int> hooks{0};
    s.srv().register_on_shutdown([&] { ++hooks; });
    raw_connection busy(s.port());
    busy.send("POST /slow HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\n\r\n");
    std::this_thread::sleep_for(100ms);
    auto result = std::async(std::launch::async, [&] { return s.srv().shutdown(5s); });
    std::this_thread::sleep_for(200ms);
    CHECK(result.wait_for(0ms) == std::future_status::timeout);  // still waiting for /slow
    busy.send("done\n");
    CHECK(result.get() == std::error_code{});
    raw_result r = busy.read_until_idle(2000ms);
    auto rs = parse_responses(r.bytes, {}, r.closed);
    REQUIRE(rs.size() == 1);
    CHECK(rs[0].body == "done\n");
    CHECK(rs[0].header("connection") == "close");
    CHECK(r.closed);
    CHECK(hooks == 1);
}

TEST_CASE("lifecycle: shutdown returns errc::timeout when a request outlives the deadline", "[wire][lifecycle]") {
    test_server s(echo_body());
    raw_connection busy(s.port());
    busy.send("POST /slow HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\n\r\n");
    std::this_thread::sleep_for(100ms);
    CHECK(s.srv().shutdown(200ms) == errc::timeout);
    busy.send("late\n");
    raw_result r = busy.read_until_idle(2000ms);
    auto rs = parse_responses(r.bytes, {}, r.closed);
    REQUIRE(rs.size() == 1);
    CHECK(rs[0].body == "late\n");
}

TEST_CASE("lifecycle: a response whose head went out before shutdown still ends its connection", "[wire][lifecycle]") {
    // The head (with Content-Length, without Connection: close) is flushed
    // before the shutdown begins; the handler then waits (suspended, on the
    // blocking pool). After the response the connection must close soon, not
    // sit out the idle timeout while the client waits for EOF (Go closes it).
    test_server s(make_handler([](response_writer& w, request&) {
        w.header().set("Content-Length", "10");
        w.write("first");
        if (w.flush()) return;
        run_blocking([] { std::this_thread::sleep_for(600ms); });
        w.write("later");
    }));
    raw_connection c(s.port());
    c.send("GET / HTTP/1.1\r\nHost: t\r\n\r\n");
    raw_result head = c.read_until_idle(300ms);
    REQUIRE(head.bytes.find("first") != std::string::npos);
    auto result = std::async(std::launch::async, [&] { return s.srv().shutdown(10s); });
    // Returns after the response plus the idle grace (well under the
    // deadline); without the close it would wait the whole 10 s.
    REQUIRE(result.wait_for(5s) == std::future_status::ready);
    CHECK(result.get() == std::error_code{});
    raw_result rest = c.read_until_idle(2000ms);
    CHECK(rest.closed);
    auto rs = parse_responses(head.bytes + rest.bytes, {}, rest.closed);
    REQUIRE(rs.size() == 1);
    CHECK(rs[0].body == "firstlater");
    CHECK_FALSE(rs[0].has("connection"));
}
