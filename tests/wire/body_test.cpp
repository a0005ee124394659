// Wire tests: request bodies (Content-Length and chunked) however they are
// split on the wire, unread bodies, Expect: 100-continue, broken chunking.
#include <catch2/catch_test_macros.hpp>
#include <catch2/generators/catch_generators.hpp>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <memory>
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

std::string head(std::string_view path, std::string_view extra, std::string_view proto = "HTTP/1.1") {
    return "POST " + std::string(path) + " " + std::string(proto) + "\r\nHost: test\r\n" + std::string(extra) + "\r\n";
}

std::string with_length(std::string_view path, std::string_view body, std::string_view extra = "") {
    return head(path, "Content-Length: " + std::to_string(body.size()) + "\r\n" + std::string(extra)) +
           std::string(body);
}

std::string chunk(std::string_view data, std::string_view ext = "") {
    char size[24];
    std::snprintf(size, sizeof size, "%zx", data.size());
    return std::string(size) + std::string(ext) + "\r\n" + std::string(data) + "\r\n";
}

std::string chunked(std::string_view path, const std::vector<std::string>& chunks, std::string_view trailer = "") {
    std::string s = head(path, "Transfer-Encoding: chunked\r\n");
    for (const std::string& c : chunks) s += chunk(c);
    return s + "0\r\n" + std::string(trailer) + "\r\n";
}

std::string get(std::string_view path) { return "GET " + std::string(path) + " HTTP/1.1\r\nHost: test\r\n\r\n"; }

// A pattern body, so a misplaced byte shows.
std::string pattern(std::size_t n) {
    std::string s(n, '\0');
    for (std::size_t i = 0; i < n; ++i) s[i] = static_cast<char>('a' + (i * 7 + i / 26) % 26);
    return s;
}

// What the handlers saw, for checks on the test thread.
struct seen {
    std::mutex mu;
    std::vector<std::error_code> errors;
    std::atomic<int> calls{0};
    void record(std::error_code ec) {
        std::lock_guard lock(mu);
        errors.push_back(ec);
    }
    std::vector<std::error_code> get() {
        std::lock_guard lock(mu);
        return errors;
    }
};

// /echo reads the body (with a read buffer of X-Read-Size bytes, default
// 64 KiB) and writes it back; /count writes only the byte count; /ignore never
// reads; anything else writes the path.
handler_ptr router(std::shared_ptr<seen> st) {
    return make_handler([st](response_writer& w, request& r) {
        st->calls.fetch_add(1);
        std::string_view p = r.url().path;
        if (p == "/echo" || p == "/count") {
            std::size_t size = 65536;
            if (std::string_view v = r.header().get("X-Read-Size"); !v.empty()) size = std::stoul(std::string(v));
            std::vector<char> buf(size);
            std::string body;
            std::size_t total = 0;
            std::error_code ec;
            for (;;) {
                io_result res = r.body().read(buf);
                if (res.n > 0 && res.ec) {
                    ec = std::make_error_code(std::errc::protocol_error);  // bytes and an error together
                    break;
                }
                if (res.ec) {
                    if (res.ec != errc::eof) ec = res.ec;
                    break;
                }
                total += res.n;
                if (p == "/echo") body.append(buf.data(), res.n);
            }
            st->record(ec);
            if (ec) {
                error(w, "body: " + ec.message(), 400);
                return;
            }
            w.header().set("X-Content-Length", std::to_string(r.content_length()));
            (void)w.write(p == "/echo" ? body : std::to_string(total));
        } else if (p == "/ignore") {
            (void)w.write("ignored");
        } else {
            (void)w.write(p);
        }
    });
}

// Sends `bytes` in pieces of `piece` bytes with `pause` between them.
void send_split(raw_connection& c, std::string_view bytes, std::size_t piece, std::chrono::microseconds pause) {
    for (std::size_t at = 0; at < bytes.size(); at += piece) {
        c.send(bytes.substr(at, piece));
        if (pause.count() > 0) std::this_thread::sleep_for(pause);
    }
}

std::vector<response> read_n(raw_connection& c, std::size_t n, bool* closed = nullptr,
                             std::chrono::milliseconds deadline = 5000ms) {
    raw_result r = c.read_responses(n, {}, deadline);
    if (closed != nullptr) *closed = r.closed;
    return parse_responses(r.bytes, {}, r.closed);
}

std::string read_until_contains(raw_connection& c, std::string_view needle, std::chrono::milliseconds deadline) {
    std::string bytes;
    const auto end = std::chrono::steady_clock::now() + deadline;
    while (bytes.find(needle) == std::string::npos && std::chrono::steady_clock::now() < end) {
        raw_result r = c.read_until_idle(20ms);
        bytes += r.bytes;
        if (r.closed) break;
    }
    return bytes;
}

}  // namespace

TEST_CASE("body: a Content-Length body is read in full however it is split", "[wire][body]") {
    auto size = GENERATE(std::size_t{0}, std::size_t{1}, std::size_t{100}, std::size_t{16384}, std::size_t{16385},
                         std::size_t{100000}, std::size_t{1} << 20);
    auto mode = GENERATE(0, 1, 2);  // 0: one send; 1: head, pause, body; 2: ~20 small sends with pauses
    auto st = std::make_shared<seen>();
    test_server s(router(st));
    raw_connection c(s.port());
    const std::string body = pattern(size);
    const std::string h = head("/echo", "Content-Length: " + std::to_string(size) + "\r\n");
    if (mode == 0) {
        c.send(h + body + get("/next"));
    } else if (mode == 1) {
        c.send(h);
        std::this_thread::sleep_for(5ms);
        c.send(body + get("/next"));
    } else {
        send_split(c, h + body + get("/next"), std::max<std::size_t>((h.size() + size) / 20, 1), 1ms);
    }
    auto rs = read_n(c, 2);
    REQUIRE(rs.size() == 2);
    CHECK(rs[0].status == 200);
    CHECK(rs[0].header("x-content-length") == std::to_string(size));
    CHECK(rs[0].body.size() == size);
    CHECK(rs[0].body == body);
    CHECK(rs[1].body == "/next");
}

TEST_CASE("body: a small body sent byte by byte is read in full", "[wire][body]") {
    auto framing = GENERATE(std::string("length"), std::string("chunked"));
    auto read_size = GENERATE(1, 3, 4096);
    auto st = std::make_shared<seen>();
    test_server s(router(st));
    raw_connection c(s.port());
    const std::string extra = "X-Read-Size: " + std::to_string(read_size) + "\r\n";
    const std::string req = framing == "length"
                                ? with_length("/echo", "hello, byte by byte", extra)
                                : head("/echo", "Transfer-Encoding: chunked\r\n" + extra) + chunk("hello, ", ";ext=1") +
                                      chunk("byte by byte") + "0\r\nTrailer-Field: x\r\n\r\n";
    send_split(c, req, 1, 300us);
    auto rs = read_n(c, 1);
    REQUIRE(rs.size() == 1);
    CHECK(rs[0].body == "hello, byte by byte");
    CHECK(rs[0].header("x-content-length") == (framing == "length" ? "19" : "-1"));
}

TEST_CASE("body: a chunked body is read in full however it is split", "[wire][body]") {
    auto chunk_size = GENERATE(std::size_t{1}, std::size_t{100}, std::size_t{5000}, std::size_t{70000});
    auto mode = GENERATE(0, 2);
    auto st = std::make_shared<seen>();
    test_server s(router(st));
    raw_connection c(s.port());
    const std::string body = pattern(chunk_size == 1 ? 300 : 200000);
    std::vector<std::string> chunks;
    for (std::size_t at = 0; at < body.size(); at += chunk_size) chunks.push_back(body.substr(at, chunk_size));
    const std::string req = chunked("/echo", chunks, "X-Trailer: t\r\n") + get("/next");
    if (mode == 0) c.send(req);
    else send_split(c, req, std::max<std::size_t>(req.size() / 25, 1), 1ms);
    auto rs = read_n(c, 2);
    REQUIRE(rs.size() == 2);
    CHECK(rs[0].status == 200);
    CHECK(rs[0].header("x-content-length") == "-1");
    CHECK(rs[0].body == body);
    CHECK(rs[1].body == "/next");
}

TEST_CASE("body: an 8 MiB body streams through a handler that counts it", "[wire][body]") {
    auto framing = GENERATE(std::string("length"), std::string("chunked"));
    const std::size_t total = std::size_t{8} << 20;
    auto st = std::make_shared<seen>();
    test_server s(router(st));
    raw_connection c(s.port());
    std::thread sender([&] {
        const std::string block = pattern(65536);
        if (framing == "length") {
            c.send(head("/count", "Content-Length: " + std::to_string(total) + "\r\n"));
            for (std::size_t sent = 0; sent < total; sent += block.size()) c.send(block);
        } else {
            c.send(head("/count", "Transfer-Encoding: chunked\r\n"));
            const std::string ch = chunk(block);
            for (std::size_t sent = 0; sent < total; sent += block.size()) c.send(ch);
            c.send("0\r\n\r\n");
        }
        c.send(get("/next"));
    });
    auto rs = read_n(c, 2, nullptr, 20000ms);
    sender.join();
    REQUIRE(rs.size() == 2);
    CHECK(rs[0].status == 200);
    CHECK(rs[0].body == std::to_string(total));
    CHECK(rs[1].body == "/next");
}

TEST_CASE("body: an unread small body is drained and the connection reused", "[wire][body]") {
    struct row {
        std::string framing;
        std::size_t size;
    };
    auto [framing, size] = GENERATE(values<row>({
        {"length", 10},
        {"length", 100000},
        {"length", 256 * 1024 - 1},  // Go: < maxPostHandlerReadBytes is discarded
        {"chunked", 100000},
        {"chunked", 256 * 1024},
    }));
    auto late = GENERATE(false, true);  // the body arrives only after the handler returned
    auto st = std::make_shared<seen>();
    test_server s(router(st));
    raw_connection c(s.port());
    const std::string body = pattern(size);
    std::string req;
    if (framing == "length") req = with_length("/ignore", body);
    else req = chunked("/ignore", {body.substr(0, size / 2), body.substr(size / 2)});
    std::thread sender([&] {
        if (late) {
            const std::size_t head_end = req.find("\r\n\r\n") + 4;
            c.send(std::string_view(req).substr(0, head_end));
            std::this_thread::sleep_for(50ms);
            c.send(std::string_view(req).substr(head_end) );
        } else {
            c.send(req);
        }
        c.send(get("/next"));
    });
    bool closed = false;
    auto rs = read_n(c, 2, &closed);
    sender.join();
    REQUIRE(rs.size() == 2);
    CHECK(rs[0].body == "ignored");
    CHECK_FALSE(rs[0].has("connection"));
    CHECK(rs[1].body == "/next");
    CHECK_FALSE(closed);
}

TEST_CASE("body: an unread body past 256 KiB closes the connection with Connection: close", "[wire][body]") {
    struct row {
        std::string framing;
        std::size_t size;
    };
    auto [framing, size] = GENERATE(values<row>({
        {"length", 256 * 1024},  // Go: unread >= maxPostHandlerReadBytes is too big
        {"length", 300000},
        {"chunked", 300000},
    }));
    auto st = std::make_shared<seen>();
    test_server s(router(st));
    raw_connection c(s.port());
    const std::string body = pattern(size);
    std::string req = framing == "length" ? with_length("/ignore", body) : chunked("/ignore", {body});
    // The server may stop reading once it decided to close: send from a thread.
    std::thread sender([&] { c.send(req + get("/next")); });
    raw_result r = c.read_until_idle(3000ms);
    sender.join();
    CHECK(r.closed);
    auto rs = parse_responses(r.bytes, {}, r.closed);
    REQUIRE(rs.size() == 1);
    CHECK(rs[0].body == "ignored");
    CHECK(rs[0].header("connection") == "close");
}

TEST_CASE("body: Expect: 100-continue is answered when the handler reads and then the client sends",
          "[wire][body][expect]") {
    auto expect = GENERATE(std::string("100-continue"), std::string("100-Continue"));
    auto st = std::make_shared<seen>();
    test_server s(router(st));
    raw_connection c(s.port());
    c.send(head("/echo", "Content-Length: 11\r\nExpect: " + expect + "\r\n"));
    std::string interim = read_until_contains(c, "\r\n\r\n", 2000ms);
    CHECK(interim == "HTTP/1.1 100 Continue\r\n\r\n");
    c.send("hello world");
    auto rs = read_n(c, 1);
    REQUIRE(rs.size() == 1);
    CHECK(rs[0].status == 200);
    CHECK(rs[0].body == "hello world");
    CHECK_FALSE(rs[0].has("connection"));
    // The body was read in full: the connection carries the next request.
    c.send(get("/next"));
    auto next = read_n(c, 1);
    REQUIRE(next.size() == 1);
    CHECK(next[0].body == "/next");
}

TEST_CASE("body: no 100 Continue is sent before the handler reads", "[wire][body][expect]") {
    auto st = std::make_shared<seen>();
    auto release = std::make_shared<std::atomic<bool>>(false);
    // The handler waits (bounded) before reading: nothing may arrive meanwhile.
    test_server s(make_handler([release](response_writer& w, request& r) {
        for (int i = 0; i < 200 && !release->load(); ++i) std::this_thread::sleep_for(5ms);
        std::string body;
        (void)r.body().read_all(body);
        (void)w.write(body);
    }));
    raw_connection c(s.port());
    c.send(head("/echo", "Content-Length: 2\r\nExpect: 100-continue\r\n"));
    raw_result before = c.read_until_idle(150ms);
    release->store(true);
    CHECK(before.bytes.empty());
    std::string interim = read_until_contains(c, "\r\n\r\n", 2000ms);
    CHECK(interim == "HTTP/1.1 100 Continue\r\n\r\n");
    c.send("ok");
    auto rs = read_n(c, 1);
    REQUIRE(rs.size() == 1);
    CHECK(rs[0].body == "ok");
}

TEST_CASE("body: Expect: 100-continue with a handler that does not read gets no 100 and the connection closes",
          "[wire][body][expect]") {
    auto st = std::make_shared<seen>();
    test_server s(router(st));
    raw_connection c(s.port());
    c.send(head("/ignore", "Content-Length: 1000\r\nExpect: 100-continue\r\n"));
    raw_result r = c.read_until_idle(2000ms);
    CHECK(r.bytes.find("100 Continue") == std::string::npos);
    auto rs = parse_responses(r.bytes, {}, r.closed);
    REQUIRE(rs.size() == 1);
    CHECK(rs[0].status == 200);
    CHECK(rs[0].body == "ignored");
    CHECK(rs[0].header("connection") == "close");
    CHECK(r.closed);
}

TEST_CASE("body: Expect: 100-continue without a body or on HTTP/1.0 sends no 100", "[wire][body][expect]") {
    SECTION("Content-Length: 0") {
        auto st = std::make_shared<seen>();
        test_server s(router(st));
        raw_connection c(s.port());
        c.send(head("/echo", "Content-Length: 0\r\nExpect: 100-continue\r\n"));
        raw_result r = c.read_responses(1, {}, 2000ms);
        CHECK(r.bytes.find("100 Continue") == std::string::npos);
        auto rs = parse_responses(r.bytes, {}, r.closed);
        REQUIRE(rs.size() == 1);
        CHECK(rs[0].status == 200);
        CHECK(rs[0].body.empty());
    }
    SECTION("HTTP/1.0: the body is read without a 100") {
        auto st = std::make_shared<seen>();
        test_server s(router(st));
        raw_connection c(s.port());
        c.send(head("/echo", "Content-Length: 5\r\nExpect: 100-continue\r\n", "HTTP/1.0") + "hello");
        raw_result r = c.read_until_idle(2000ms);
        CHECK(r.bytes.find("100 Continue") == std::string::npos);
        auto rs = parse_responses(r.bytes, {}, r.closed);
        REQUIRE(rs.size() == 1);
        CHECK(rs[0].status == 200);
        CHECK(rs[0].body == "hello");
    }
}

TEST_CASE("body: an expectation other than 100-continue gets 417 and the handler is not called",
          "[wire][body][expect]") {
    auto expect = GENERATE(std::string("something"), std::string("101-switch"), std::string("100-continue-please"));
    auto st = std::make_shared<seen>();
    test_server s(router(st));
    raw_connection c(s.port());
    c.send(with_length("/echo", "hello", "Expect: " + expect + "\r\n") + get("/next"));
    raw_result r = c.read_until_idle(2000ms);
    CHECK(r.closed);
    auto rs = parse_responses(r.bytes, {}, r.closed);
    REQUIRE(rs.size() == 1);
    CHECK(rs[0].status == 417);
    CHECK(rs[0].header("connection") == "close");
    CHECK(st->calls.load() == 0);
}

TEST_CASE("body: a bad chunk line makes the handler's read fail and closes the connection", "[wire][body]") {
    auto bad = GENERATE(std::string("zz\r\nhello\r\n0\r\n\r\n"),            // not hex
                        std::string("5\r\nhelloXX0\r\n\r\n"),               // no CRLF after data
                        std::string("-1\r\nx\r\n0\r\n\r\n"),                // sign
                        std::string("fffffffffffffffffff\r\nx\r\n0\r\n\r\n"),  // overflow
                        std::string("5\nhello\r\n0\r\n\r\n"));              // bare LF
    auto st = std::make_shared<seen>();
    test_server s(router(st));
    raw_connection c(s.port());
    c.send(head("/echo", "Transfer-Encoding: chunked\r\n") + bad + get("/next"));
    raw_result r = c.read_until_idle(2000ms);
    CHECK(r.closed);
    auto errors = st->get();
    REQUIRE(errors.size() == 1);
    CHECK(errors[0] == errc::bad_chunked_encoding);
    auto rs = parse_responses(r.bytes, {}, r.closed);
    REQUIRE(rs.size() == 1);
    CHECK(rs[0].status == 400);
    CHECK(rs[0].header("connection") == "close");
    CHECK(r.bytes.find("/next") == std::string::npos);
}

TEST_CASE("body: a client that stops mid-body makes the read fail with unexpected_eof", "[wire][body]") {
    auto framing = GENERATE(std::string("length"), std::string("chunked"));
    auto st = std::make_shared<seen>();
    test_server s(router(st));
    raw_connection c(s.port());
    if (framing == "length") c.send(head("/echo", "Content-Length: 100\r\n") + "only part");
    else c.send(head("/echo", "Transfer-Encoding: chunked\r\n") + "64\r\nonly part");
    c.shutdown_write();
    raw_result r = c.read_until_idle(2000ms);
    CHECK(r.closed);
    auto errors = st->get();
    REQUIRE(errors.size() == 1);
    CHECK(errors[0] == errc::unexpected_eof);
}
