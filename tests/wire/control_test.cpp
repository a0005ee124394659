// Wire tests: run_blocking, the request's stop_token, max_bytes_reader and
// response_controller (deadlines, full duplex, hijack).
#include <catch2/catch_test_macros.hpp>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <future>
#include <string>
#include <thread>
#include <vector>

#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <ringhttp/httptest.hpp>
#include <ringhttp/ringhttp.hpp>

#include "tests/support/wire.hpp"

using namespace ringhttp;
using namespace ringhttp::test;
using namespace std::chrono_literals;
using clock_type = std::chrono::steady_clock;

namespace {

double ms_since(clock_type::time_point t) {
    return std::chrono::duration<double, std::milli>(clock_type::now() - t).count();
}

// Keeps `n` requests to `path` in flight for `for_how_long`.
void keep_busy(std::uint16_t port, const std::string& path, int n, std::chrono::milliseconds for_how_long) {
    std::vector<std::thread> ts;
    const auto until = clock_type::now() + for_how_long;
    for (int i = 0; i < n; ++i)
        ts.emplace_back([&, port] {
            while (clock_type::now() < until) {
                raw_connection c(port);
                c.send("GET " + path + " HTTP/1.1\r\nHost: t\r\n\r\n");
                c.read_responses(1, {}, 5000ms);
            }
        });
    for (auto& t : ts) t.join();
}

// The slowest of `n` sequential fast requests made while slow ones run.
double worst_fast_latency_ms(std::uint16_t port, int n) {
    double worst = 0;
    raw_connection c(port);
    for (int i = 0; i < n; ++i) {
        const auto t = clock_type::now();
        c.send("GET /fast HTTP/1.1\r\nHost: t\r\n\r\n");
        raw_result r = c.read_responses(1, {}, 5000ms);
        REQUIRE(parse_responses(r.bytes, {}, false).size() == 1);
        worst = std::max(worst, ms_since(t));
    }
    return worst;
}

}  // namespace

TEST_CASE("control: a handler blocked 100 ms on the pool does not delay others on its ring", "[wire][blocking]") {
    test_server s(make_handler([](response_writer& w, request& r) {
        if (r.url().path == "/slow") {
            run_blocking([] { std::this_thread::sleep_for(100ms); });
            w.write("slow\n");
            return;
        }
        w.write("fast\n");
    }));  // one ring: slow and fast requests share it
    auto busy = std::async(std::launch::async, [&] { keep_busy(s.port(), "/slow", 8, 1500ms); });
    std::this_thread::sleep_for(200ms);
    const double worst = worst_fast_latency_ms(s.port(), 100);
    busy.get();
    INFO("worst fast request: " << worst << " ms");
    CHECK(worst < 50);  // a blocked ring would make some wait the whole 100 ms
}

TEST_CASE("control: the same sleep on the ring itself does delay others (the test can tell)", "[wire][blocking]") {
    test_server s(make_handler([](response_writer& w, request& r) {
        if (r.url().path == "/slow") {
            std::this_thread::sleep_for(100ms);  // what run_blocking is for
            w.write("slow\n");
            return;
        }
        w.write("fast\n");
    }));
    auto busy = std::async(std::launch::async, [&] { keep_busy(s.port(), "/slow", 2, 1200ms); });
    std::this_thread::sleep_for(200ms);
    const double worst = worst_fast_latency_ms(s.port(), 10);
    busy.get();
    CHECK(worst >= 50);
}

TEST_CASE("control: run_blocking returns the value and rethrows the exception of its function", "[wire][blocking]") {
    test_server s(make_handler([](response_writer& w, request&) {
        const int v = run_blocking([] { return 42; });
        try {
            run_blocking([]() -> int { throw std::runtime_error("from the pool"); });
            w.write("no throw\n");
        } catch (const std::runtime_error& e) {
            w.write(std::to_string(v) + " " + e.what() + "\n");
        }
    }));
    exchange_result r = exchange(s.port(), "GET / HTTP/1.1\r\nHost: t\r\n\r\n");
    REQUIRE(r.responses.size() == 1);
    CHECK(r.responses[0].body == "42 from the pool\n");
}

TEST_CASE("control: the errno run_blocking's function left is the handler's errno afterwards", "[wire][blocking]") {
    test_server s(make_handler([](response_writer& w, request&) {
        errno = 0;
        // An lvalue function, the way a caller keeps one around.
        auto open_missing = [] { return ::open("/nonexistent/ringhttp-errno-test", O_RDONLY); };
        const int fd = run_blocking(open_missing);
        const int after = errno;
        w.write(std::to_string(fd) + " " + std::to_string(after) + "\n");
    }));
    exchange_result r = exchange(s.port(), "GET / HTTP/1.1\r\nHost: t\r\n\r\n");
    REQUIRE(r.responses.size() == 1);
    CHECK(r.responses[0].body == "-1 " + std::to_string(ENOENT) + "\n");
}

TEST_CASE("control: a client that goes away stops the request's stop_token", "[wire][cancel]") {
    std::promise<void> stopped;
    auto done = stopped.get_future();
    std::atomic<bool> once{false};
    test_server s(make_handler([&](response_writer& w, request& r) {
        std::stop_callback cb(r.stop_token(), [&] {
            if (!once.exchange(true)) stopped.set_value();
        });
        std::string body;
        (void)r.body().read_all(body);  // waits for a body that never comes
        w.write("unreachable\n");
    }));
    {
        raw_connection c(s.port());
        c.send("POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 10\r\n\r\nabc");
        std::this_thread::sleep_for(100ms);
        c.reset_close();
    }
    CHECK(done.wait_for(2s) == std::future_status::ready);
}

TEST_CASE("control: max_bytes_reader stops a body at its limit and the connection closes", "[wire][limits]") {
    test_server s(make_handler([](response_writer& w, request& r) {
        max_bytes_reader(w, r, 10);
        std::string body;
        if (std::error_code ec = r.body().read_all(body)) {
            error(w, ec.message(), ec == errc::body_too_large ? status_request_entity_too_large : status_bad_request);
            return;
        }
        w.write("got " + body);
    }));
    exchange_result big = exchange(s.port(), "POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 100\r\n\r\n" +
                                                 std::string(100, 'x'));
    REQUIRE(big.responses.size() == 1);
    CHECK(big.responses[0].status == 413);
    CHECK(big.responses[0].header("connection") == "close");
    CHECK(big.closed);
    exchange_result small = exchange(s.port(), "POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 10\r\n\r\n0123456789");
    REQUIRE(small.responses.size() == 1);
    CHECK(small.responses[0].body == "got 0123456789");
    CHECK_FALSE(small.closed);
}

TEST_CASE("control: response_controller's read deadline cuts a slow body", "[wire][controller]") {
    std::atomic<int> code{0};
    std::atomic<bool> deadline_set{false};
    test_server s(make_handler([&](response_writer& w, request& r) {
        response_controller rc(w);
        deadline_set = !rc.set_read_deadline(clock_type::now() + 200ms);
        std::string body;
        std::error_code ec = r.body().read_all(body);
        code = ec.value();
        w.write(ec ? ec.message() : body);
    }));
    raw_connection c(s.port());
    c.send("POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 10\r\n\r\nab");
    raw_result r = c.read_until_idle(2000ms);
    auto rs = parse_responses(r.bytes, {}, r.closed);
    REQUIRE(rs.size() == 1);
    CHECK(rs[0].body == "i/o timeout");
    CHECK(deadline_set);
    CHECK(code == static_cast<int>(errc::timeout));
}

TEST_CASE("control: response_controller is not supported by a recorder", "[wire][controller]") {
    httptest::response_recorder rec;
    response_controller rc(rec);
    CHECK(rc.set_write_deadline(clock_type::now()) == errc::not_supported);
    CHECK(rc.enable_full_duplex() == errc::not_supported);
}

TEST_CASE("control: with full duplex a handler reads its body after the response head went out", "[wire][controller]") {
    // Handlers run on the server's thread: they record, the test thread asserts.
    std::atomic<bool> duplex_enabled{false}, flushed{false};
    test_server s(make_handler([&](response_writer& w, request& r) {
        response_controller rc(w);
        duplex_enabled = !rc.enable_full_duplex();
        w.write("head first; ");
        flushed = !w.flush();
        std::string body;
        (void)r.body().read_all(body);
        w.write("then " + body);
    }));
    raw_connection c(s.port());
    c.send("POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 4\r\n\r\n");
    raw_result head = c.read_until_idle(300ms);  // the head and first chunk come before the body is sent
    CHECK(head.bytes.find("head first; ") != std::string::npos);
    c.send("body");
    raw_result rest = c.read_responses(1, {}, 2000ms);
    auto rs = parse_responses(head.bytes + rest.bytes, {}, false);
    REQUIRE(rs.size() == 1);
    CHECK(rs[0].body == "head first; then body");
    CHECK(duplex_enabled);
    CHECK(flushed);
}

TEST_CASE("control: hijack hands the socket and the bytes already read to the handler", "[wire][hijack]") {
    std::atomic<int> states_hijacked{0};
    std::atomic<bool> write_refused{false};
    server_options o;
    o.conn_state = [&](const connection_info&, conn_state st) {
        if (st == conn_state::hijacked) ++states_hijacked;
    };
    test_server s(make_handler([&](response_writer& w, request&) {
        response_controller rc(w);
        hijacked_connection hc;
        if (rc.hijack(hc)) return;
        const std::string reply = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: echo\r\nConnection: Upgrade\r\n\r\n"
                                  "buffered=" + hc.buffered + ";";
        (void)::send(hc.fd, reply.data(), reply.size(), MSG_NOSIGNAL);
        char buf[64];
        ssize_t n = ::recv(hc.fd, buf, sizeof buf, 0);
        if (n > 0) (void)::send(hc.fd, buf, static_cast<std::size_t>(n), MSG_NOSIGNAL);
        write_refused = w.write("too late").ec == errc::hijacked;  // before close: the test reads after it
        ::close(hc.fd);
    }), std::move(o));
    raw_connection c(s.port());
    c.send("GET /upgrade HTTP/1.1\r\nHost: t\r\nUpgrade: echo\r\nConnection: Upgrade\r\n\r\nearly");
    std::this_thread::sleep_for(100ms);
    c.send("ping");
    raw_result r = c.read_until_idle(1000ms);
    CHECK(r.bytes.rfind("HTTP/1.1 101 Switching Protocols\r\n", 0) == 0);
    CHECK(r.bytes.find("buffered=early;") != std::string::npos);
    CHECK(r.bytes.find("ping") != std::string::npos);
    CHECK(r.closed);
    CHECK(states_hijacked == 1);
    CHECK(write_refused);
}
