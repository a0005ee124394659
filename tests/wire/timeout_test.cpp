// Wire tests: Go's four timeouts on the ring's timer wheel. Each hanging
// client is cut at its deadline while other clients are served normally.
#include <catch2/catch_test_macros.hpp>

#include <atomic>
#include <chrono>
#include <string>
#include <thread>

#include <sys/socket.h>

#include <ringhttp/ringhttp.hpp>

#include "tests/support/wire.hpp"

using namespace ringhttp;
using namespace ringhttp::test;
using namespace std::chrono_literals;
using clock_type = std::chrono::steady_clock;

namespace {

const std::string get_ok = "GET /ok HTTP/1.1\r\nHost: test\r\n\r\n";

struct body_outcome {
    std::atomic<int> read_error{0};  // an errc value, 0 while none
    std::atomic<long> bytes{0};
};

handler_ptr router(body_outcome* body = nullptr) {
    return make_handler([body](response_writer& w, request& r) {
        std::string_view p = r.url().path;
        if (p == "/read" && body != nullptr) {
            std::string all;
            std::error_code ec = r.body().read_all(all);
            body->bytes = static_cast<long>(all.size());
            body->read_error = ec ? ec.value() : 0;
            if (ec) {
                error(w, "body: " + ec.message(), status_bad_request);
                return;
            }
            w.write("read\n");
            return;
        }
        if (p == "/flood") {
            // Writes until the connection fails: 64 MiB at most.
            std::string chunk(64 * 1024, 'x');
            for (int i = 0; i < 1024; ++i)
                if (w.write(chunk).ec) return;
            return;
        }
        w.write("ok\n");
    });
}

// A probe: a fresh client is answered at once while others hang.
bool probe_served(std::uint16_t port) {
    raw_connection c(port);
    c.send(get_ok);
    raw_result r = c.read_responses(1, {}, 2000ms);
    auto rs = parse_responses(r.bytes, {}, r.closed);
    return rs.size() == 1 && rs[0].body == "ok\n";
}

double seconds_since(clock_type::time_point t) {
    return std::chrono::duration<double>(clock_type::now() - t).count();
}

}  // namespace

TEST_CASE("timeout: a slowloris head is cut at read_header_timeout with 408", "[wire][timeout]") {
    test_server s(router(), {.read_header_timeout = 300ms});
    raw_connection slow(s.port());
    const auto start = clock_type::now();
    slow.send("GET /ok HTTP/1.1\r\nHost: te");
    std::this_thread::sleep_for(100ms);
    slow.send("st\r\nX-Slow: 1\r\n");  // still no end of head
    CHECK(probe_served(s.port()));
    raw_result r = slow.read_until_idle(3000ms);
    const double took = seconds_since(start);
    CHECK(r.closed);
    CHECK(r.bytes.rfind("HTTP/1.1 408 Request Timeout\r\n", 0) == 0);
    CHECK(took >= 0.29);
    CHECK(took < 2.0);
}

TEST_CASE("timeout: a connection that sends nothing is closed silently at read_header_timeout",
          "[wire][timeout]") {
    test_server s(router(), {.read_header_timeout = 300ms});
    raw_connection silent(s.port());
    const auto start = clock_type::now();
    CHECK(probe_served(s.port()));
    raw_result r = silent.read_until_idle(3000ms);
    CHECK(r.closed);
    CHECK(r.bytes.empty());
    CHECK(seconds_since(start) >= 0.29);
}

TEST_CASE("timeout: an idle keep-alive connection is closed at idle_timeout", "[wire][timeout]") {
    test_server s(router(), {.read_header_timeout = 5s, .idle_timeout = 300ms});
    raw_connection c(s.port());
    c.send(get_ok);
    raw_result first = c.read_responses(1, {}, 2000ms);
    REQUIRE(parse_responses(first.bytes, {}, false).size() == 1);
    const auto idle_from = clock_type::now();
    // Within the idle timeout the connection is reused.
    std::this_thread::sleep_for(150ms);
    c.send(get_ok);
    raw_result second = c.read_responses(1, {}, 2000ms);
    REQUIRE(parse_responses(second.bytes, {}, false).size() == 1);
    const auto idle_again = clock_type::now();
    CHECK(probe_served(s.port()));
    raw_result r = c.read_until_idle(3000ms);
    CHECK(r.closed);
    CHECK(r.bytes.empty());
    CHECK(seconds_since(idle_again) >= 0.29);
    CHECK(seconds_since(idle_from) < 3.0);
}

TEST_CASE("timeout: idle_timeout 0 falls back to read_timeout, as in Go", "[wire][timeout]") {
    test_server s(router(), {.read_timeout = 300ms, .read_header_timeout = 0s, .idle_timeout = 0s});
    raw_connection c(s.port());
    c.send(get_ok);
    raw_result first = c.read_responses(1, {}, 2000ms);
    REQUIRE(parse_responses(first.bytes, {}, false).size() == 1);
    raw_result r = c.read_until_idle(3000ms);
    CHECK(r.closed);
}

TEST_CASE("timeout: a slow body is cut at read_timeout and the handler sees errc::timeout", "[wire][timeout]") {
    body_outcome body;
    test_server s(router(&body), {.read_timeout = 400ms});
    raw_connection slow(s.port());
    const auto start = clock_type::now();
    slow.send("POST /read HTTP/1.1\r\nHost: test\r\nContent-Length: 100\r\n\r\nabc");
    CHECK(probe_served(s.port()));
    raw_result r = slow.read_until_idle(3000ms);
    const double took = seconds_since(start);
    CHECK(r.closed);
    auto rs = parse_responses(r.bytes, {}, r.closed);
    REQUIRE(rs.size() == 1);
    CHECK(rs[0].status == 400);
    CHECK(rs[0].body == "body: i/o timeout\n");
    CHECK(body.read_error == static_cast<int>(errc::timeout));
    CHECK(body.bytes == 3);
    CHECK(took >= 0.39);
    CHECK(took < 2.0);
}

TEST_CASE("timeout: a client that stops reading is cut at write_timeout", "[wire][timeout]") {
    test_server s(router(), {.write_timeout = 500ms});
    raw_connection stalled(s.port());
    // A small receive window so the server's writes back up quickly.
    int small = 4096;
    ::setsockopt(stalled.fd(), SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
    const auto start = clock_type::now();
    stalled.send("GET /flood HTTP/1.1\r\nHost: test\r\n\r\n");
    std::this_thread::sleep_for(200ms);
    CHECK(probe_served(s.port()));
    // Wait past the deadline without reading, then drain: the stream must end.
    std::this_thread::sleep_for(700ms);
    raw_result r = stalled.read_until_idle(3000ms);
    CHECK(r.closed);
    CHECK(r.bytes.size() < 64u * 1024 * 1024);  // cut long before the 64 MiB the handler wanted to write
    CHECK(seconds_since(start) < 5.0);
    CHECK(probe_served(s.port()));
}

TEST_CASE("timeout: timeouts of zero mean none", "[wire][timeout]") {
    test_server s(router(), {.read_header_timeout = 0s, .idle_timeout = 0s});
    raw_connection c(s.port());
    c.send("GET /ok HTTP/1.1\r\nHost: te");
    raw_result r = c.read_until_idle(600ms);
    CHECK_FALSE(r.closed);
    c.send("st\r\n\r\n");
    raw_result done = c.read_responses(1, {}, 2000ms);
    CHECK(parse_responses(done.bytes, {}, false).size() == 1);
}
