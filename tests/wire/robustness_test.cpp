// Wire tests: handler exceptions, abort_handler, and a load of good requests,
// malformed requests, throwing handlers and client resets, after which the
// server still serves and holds no leaked socket.
#include <catch2/catch_test_macros.hpp>
#include <catch2/generators/catch_generators.hpp>

#include <poll.h>
#include <sys/socket.h>

#include <array>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <latch>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <ringhttp/ringhttp.hpp>

#include "tests/support/wire.hpp"

using namespace ringhttp;
using namespace ringhttp::test;
using namespace std::chrono_literals;

namespace {

std::string get(std::string_view path) { return "GET " + std::string(path) + " HTTP/1.1\r\nHost: test\r\n\r\n"; }

// /ok writes "ok"; /throw throws std::runtime_error; /throw-int throws an int;
// /abort throws abort_handler; /flush-then-throw sends part of a chunked
// response first; /read-then-throw reads the body then throws; /big writes
// 1 MiB in 16 KiB writes, stopping at the first error; /echo echoes the body.
handler_ptr router() {
    return make_handler([](response_writer& w, request& r) {
        std::string_view p = r.url().path;
        if (p == "/throw") throw std::runtime_error("boom");
        if (p == "/throw-int") throw 42;
        if (p == "/abort") throw abort_handler{};
        if (p == "/flush-then-throw" || p == "/flush-then-abort") {
            (void)w.write("partial");
            (void)w.flush();
            if (p == "/flush-then-abort") throw abort_handler{};
            throw std::runtime_error("late boom");
        }
        if (p == "/read-then-throw") {
            std::string body;
            (void)r.body().read_all(body);
            throw std::runtime_error("after reading");
        }
        if (p == "/big") {
            const std::string block(16384, 'z');
            for (int i = 0; i < 64; ++i)
                if (w.write(block).ec) return;
            return;
        }
        if (p == "/echo") {
            std::string body;
            if (std::error_code ec = r.body().read_all(body)) {
                error(w, "body: " + ec.message(), 400);
                return;
            }
            (void)w.write(body);
            return;
        }
        (void)w.write("ok");
    });
}

std::size_t open_fds() {
    std::size_t n = 0;
    std::error_code ec;
    for (auto it = std::filesystem::directory_iterator("/proc/self/fd", ec);
         !ec && it != std::filesystem::directory_iterator(); it.increment(ec))
        ++n;
    return n;
}

// Waits (bounded) until the process has at most `target` descriptors open.
std::size_t wait_fds_at_most(std::size_t target, std::chrono::milliseconds deadline) {
    const auto end = std::chrono::steady_clock::now() + deadline;
    std::size_t n = open_fds();
    while (n > target && std::chrono::steady_clock::now() < end) {
        std::this_thread::sleep_for(10ms);
        n = open_fds();
    }
    return n;
}

bool served_ok(std::uint16_t port) {
    raw_connection c(port);
    c.send(get("/ok"));
    raw_result r = c.read_responses(1, {}, 5000ms);
    auto rs = parse_responses(r.bytes, {}, r.closed);
    return rs.size() == 1 && rs[0].status == 200 && rs[0].body == "ok";
}

// Reads until at least n bytes came (or the deadline passes), then stops:
// unlike read_until_idle it leaves the rest of a long response unread.
std::string read_at_least(raw_connection& c, std::size_t n, std::chrono::milliseconds deadline) {
    std::string got;
    const auto end = std::chrono::steady_clock::now() + deadline;
    char buf[4096];
    while (got.size() < n && std::chrono::steady_clock::now() < end) {
        pollfd p{c.fd(), POLLIN, 0};
        if (::poll(&p, 1, 20) <= 0) continue;
        ssize_t k = ::recv(c.fd(), buf, sizeof buf, 0);
        if (k <= 0) break;
        got.append(buf, static_cast<std::size_t>(k));
    }
    return got;
}

std::size_t count_containing(const std::vector<std::string>& lines, std::string_view needle) {
    std::size_t n = 0;
    for (const std::string& l : lines) n += l.find(needle) != std::string::npos;
    return n;
}

}  // namespace

TEST_CASE("robustness: a handler that throws closes the connection without a response and is logged",
          "[wire][robustness]") {
    struct row {
        std::string path;
        std::string what;
    };
    auto [path, what] = GENERATE(values<row>({{"/throw", "boom"}, {"/throw-int", ""}}));
    test_server s(router());
    raw_connection c(s.port());
    c.send(get(path));
    raw_result r = c.read_until_idle(2000ms);
    CHECK(r.closed);
    CHECK(r.bytes.empty());
    auto lines = s.log_lines();
    REQUIRE(lines.size() == 1);
    CHECK(lines[0].rfind("http: panic serving 127.0.0.1:", 0) == 0);
    if (!what.empty()) CHECK(lines[0].find(what) != std::string::npos);
    CHECK(served_ok(s.port()));
}

TEST_CASE("robustness: responses before a throwing handler in a pipeline still go out", "[wire][robustness]") {
    test_server s(router());
    raw_connection c(s.port());
    c.send(get("/first") + get("/throw") + get("/third"));
    raw_result r = c.read_until_idle(2000ms);
    CHECK(r.closed);
    auto rs = parse_responses(r.bytes, {}, r.closed);
    REQUIRE(rs.size() == 1);
    CHECK(rs[0].body == "ok");
    std::string rest;
    parse_responses(r.bytes, {}, false, &rest);
    CHECK(rest.empty());
}

TEST_CASE("robustness: a handler that throws after flushing cuts the response short", "[wire][robustness]") {
    auto path = GENERATE(std::string("/flush-then-throw"), std::string("/flush-then-abort"));
    test_server s(router());
    raw_connection c(s.port());
    c.send(get(path));
    raw_result r = c.read_until_idle(2000ms);
    CHECK(r.closed);
    CHECK(r.bytes.rfind("HTTP/1.1 200 OK\r\n", 0) == 0);
    CHECK(r.bytes.find("7\r\npartial\r\n") != std::string::npos);
    // No terminating chunk: the client can tell the body is incomplete.
    CHECK(r.bytes.find("0\r\n\r\n") == std::string::npos);
    CHECK(count_containing(s.log_lines(), "panic serving") == (path == "/flush-then-throw" ? 1u : 0u));
    CHECK(served_ok(s.port()));
}

TEST_CASE("robustness: a handler that throws after reading the body closes without a response",
          "[wire][robustness]") {
    test_server s(router());
    raw_connection c(s.port());
    c.send("POST /read-then-throw HTTP/1.1\r\nHost: test\r\nContent-Length: 5\r\n\r\nhello");
    raw_result r = c.read_until_idle(2000ms);
    CHECK(r.closed);
    CHECK(r.bytes.empty());
    CHECK(count_containing(s.log_lines(), "after reading") == 1);
}

TEST_CASE("robustness: abort_handler closes the connection silently", "[wire][robustness]") {
    test_server s(router());
    raw_connection c(s.port());
    c.send(get("/abort") + get("/after"));
    raw_result r = c.read_until_idle(2000ms);
    CHECK(r.closed);
    CHECK(r.bytes.empty());
    CHECK(s.log_lines().empty());
    CHECK(served_ok(s.port()));
}

TEST_CASE("robustness: malformed requests are not logged", "[wire][robustness]") {
    test_server s(router());
    for (std::string bad : {"GET / HTTP/1.1\r\nHost: x\r\nBad\r\n\r\n", "GET / HTTP/9.9\r\nHost: x\r\n\r\n",
                            "\x01\x02\x03\r\n\r\n"}) {
        raw_connection c(s.port());
        c.send(bad);
        raw_result r = c.read_until_idle(2000ms);
        CHECK(r.closed);
        CHECK(r.bytes.rfind("HTTP/1.1 ", 0) == 0);
    }
    CHECK(s.log_lines().empty());
}

TEST_CASE("robustness: 200 clients mixing throws and malformed requests and resets leave the server serving "
          "with no leaked socket",
          "[wire][robustness][load]") {
    test_server s(router());
    // Baseline: the ring is up once a request was served; then let that
    // connection go and wait for both of its ends to close.
    std::size_t baseline;
    {
        raw_connection warm(s.port());
        warm.send(get("/ok"));
        raw_result r = warm.read_responses(1, {}, 5000ms);
        REQUIRE(parse_responses(r.bytes, {}, false).size() == 1);
        baseline = open_fds() - 2;  // the client's socket and the server's
    }
    REQUIRE(wait_fds_at_most(baseline, 2000ms) == baseline);

    enum kind { good, malformed, throws, reset_head, reset_body, reset_response, kinds };
    constexpr int clients = 200;
    std::array<std::atomic<int>, kinds> failures{};
    std::array<std::atomic<int>, kinds> runs{};
    std::latch start(clients);
    std::vector<std::thread> threads;
    threads.reserve(clients);
    for (int i = 0; i < clients; ++i) {
        threads.emplace_back([&, i] {
            const auto k = static_cast<kind>(i % kinds);
            start.arrive_and_wait();
            bool ok = false;
            try {
                raw_connection c(s.port());
                switch (k) {
                    case good: {
                        ok = true;
                        for (int j = 0; j < 3 && ok; ++j) {
                            c.send(get("/ok"));
                            raw_result r = c.read_responses(1, {}, 5000ms);
                            auto rs = parse_responses(r.bytes, {}, r.closed);
                            ok = rs.size() == 1 && rs[0].status == 200 && rs[0].body == "ok";
                        }
                        break;
                    }
                    case malformed: {
                        c.send(get("/ok") + "GET / HTTP/1.1\r\nHost: x\r\nNo Colon\r\n\r\n" + get("/ok"));
                        raw_result r = c.read_until_idle(5000ms);
                        auto rs = parse_responses(r.bytes, {}, r.closed);
                        ok = r.closed && rs.size() == 2 && rs[0].body == "ok" && rs[1].status == 400;
                        break;
                    }
                    case throws: {
                        c.send(get("/throw"));
                        raw_result r = c.read_until_idle(5000ms);
                        ok = r.closed && r.bytes.empty();
                        break;
                    }
                    case reset_head:
                        c.send("GET /ok HTTP/1.1\r\nHo");
                        std::this_thread::sleep_for(2ms);
                        c.reset_close();
                        ok = true;
                        break;
                    case reset_body:
                        c.send("POST /echo HTTP/1.1\r\nHost: test\r\nContent-Length: 100000\r\n\r\n" +
                               std::string(1000, 'b'));
                        std::this_thread::sleep_for(5ms);
                        c.reset_close();
                        ok = true;
                        break;
                    case reset_response: {
                        c.send(get("/big"));
                        std::string got = read_at_least(c, 20000, 5000ms);
                        ok = got.size() >= 20000 && got.rfind("HTTP/1.1 200 OK\r\n", 0) == 0;
                        c.reset_close();
                        break;
                    }
                    case kinds: break;
                }
            } catch (const std::exception&) {
                ok = false;
            }
            runs[k].fetch_add(1);
            if (!ok) failures[k].fetch_add(1);
        });
    }
    for (std::thread& t : threads) t.join();

    const char* names[] = {"good", "malformed", "throws", "reset_head", "reset_body", "reset_response"};
    for (int k = 0; k < kinds; ++k) {
        INFO(names[k] << ": " << failures[k].load() << " of " << runs[k].load() << " failed");
        CHECK(failures[k].load() == 0);
    }
    // Every throw is logged once, and nothing else is.
    auto lines = s.log_lines();
    CHECK(count_containing(lines, "http: panic serving") == static_cast<std::size_t>(runs[throws].load()));
    CHECK(lines.size() == static_cast<std::size_t>(runs[throws].load()));

    CHECK(served_ok(s.port()));
    const std::size_t after = wait_fds_at_most(baseline, 5000ms);
    INFO("baseline " << baseline << " fds, after " << after);
    CHECK(after == baseline);
    CHECK(served_ok(s.port()));
}

TEST_CASE("robustness: the server closes while handlers are mid-request", "[wire][robustness]") {
    // A client waiting for a body the server will never get, and one reading a
    // big response slowly: close() must still return and free everything.
    std::size_t before = open_fds();
    {
        auto s = std::make_unique<test_server>(router());
        raw_connection body(s->port());
        body.send("POST /echo HTTP/1.1\r\nHost: test\r\nContent-Length: 100000\r\n\r\nabc");
        raw_connection big(s->port());
        big.send(get("/big"));
        raw_result r = big.read_until_idle(50ms);
        CHECK(r.bytes.rfind("HTTP/1.1 200 OK", 0) == 0);
        CHECK(served_ok(s->port()));
        s.reset();  // close() and join while both clients are still connected
        CHECK(body.read_until_idle(2000ms).closed);
        raw_result rest = big.read_until_idle(2000ms);
        CHECK(rest.closed);
    }
    CHECK(wait_fds_at_most(before, 2000ms) == before);
}

TEST_CASE("robustness: a client reset makes the handler's writes and reads fail", "[wire][robustness]") {
    struct state {
        std::mutex mu;
        std::error_code write_ec, read_ec;
        std::atomic<int> done{0};
    };
    auto st = std::make_shared<state>();
    test_server s(make_handler([st](response_writer& w, request& r) {
        if (r.url().path == "/write") {
            const std::string block(16384, 'w');
            std::error_code ec;
            for (int i = 0; i < 4096 && !ec; ++i) ec = w.write(block).ec;  // 64 MiB at most
            std::lock_guard lock(st->mu);
            st->write_ec = ec;
        } else {
            std::string body;
            std::error_code ec = r.body().read_all(body);
            std::lock_guard lock(st->mu);
            st->read_ec = ec;
        }
        st->done.fetch_add(1);
    }));
    {
        raw_connection c(s.port());
        c.send(get("/write"));
        std::string got = read_at_least(c, 20000, 3000ms);
        CHECK(got.rfind("HTTP/1.1 200 OK", 0) == 0);
        c.reset_close();
    }
    {
        raw_connection c(s.port());
        c.send("POST /read HTTP/1.1\r\nHost: test\r\nContent-Length: 100000\r\n\r\npartial");
        std::this_thread::sleep_for(20ms);
        c.reset_close();
    }
    const auto end = std::chrono::steady_clock::now() + 3000ms;
    while (st->done.load() < 2 && std::chrono::steady_clock::now() < end) std::this_thread::sleep_for(5ms);
    REQUIRE(st->done.load() == 2);
    std::lock_guard lock(st->mu);
    CHECK(st->write_ec == errc::connection_closed);
    CHECK(st->read_ec == errc::unexpected_eof);
    CHECK(s.log_lines().empty());
}

TEST_CASE("robustness: max_header_fields bounds the field lines of a request (431 past it)", "[wire][robustness]") {
    server_options o;
    o.max_header_fields = 5;
    test_server s(make_handler([](response_writer& w, request&) { w.write("ok"); }), std::move(o));
    auto request_with = [](int fields) {
        std::string req = "GET / HTTP/1.1\r\nHost: t\r\n";  // Host is the first field line
        for (int i = 1; i < fields; ++i) req += "X-F" + std::to_string(i) + ": v\r\n";
        return req + "\r\n";
    };
    exchange_result at_limit = exchange(s.port(), request_with(5));
    REQUIRE(at_limit.responses.size() == 1);
    CHECK(at_limit.responses[0].status == 200);
    exchange_result past = exchange(s.port(), request_with(6));
    REQUIRE(past.responses.size() == 1);
    CHECK(past.responses[0].status == 431);
    CHECK(past.closed);
}
