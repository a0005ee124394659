// Wire tests: bodies of any size with bounded memory, and events flushed one
// by one (server-sent events).
#include <catch2/catch_test_macros.hpp>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <string>
#include <thread>

#include <sys/socket.h>

#include <ringhttp/ringhttp.hpp>

#include "tests/support/wire.hpp"

using namespace ringhttp;
using namespace ringhttp::test;
using namespace std::chrono_literals;

namespace {

constexpr std::int64_t gib = std::int64_t{1} << 30;

// The bound on peak RSS: 64 MiB, the figure. AddressSanitizer's
// shadow memory and quarantine make a sanitized build's numbers meaningless.
#if defined(__SANITIZE_ADDRESS__)
constexpr long rss_limit = 1L << 40;
#else
constexpr long rss_limit = 64L * 1024 * 1024;
#endif

// Peak resident memory of this process (server and client alike), in bytes.
long peak_rss() {
    std::ifstream f("/proc/self/status");
    std::string line;
    while (std::getline(f, line))
        if (line.rfind("VmHWM:", 0) == 0) return std::stol(line.substr(6)) * 1024;
    return -1;
}

// Resets the peak so the test measures its own transfer only.
void reset_peak_rss() {
    std::ofstream("/proc/self/clear_refs") << "5";
}

handler_ptr streaming_routes() {
    return make_handler([](response_writer& w, request& r) {
        if (r.url().path == "/upload") {
            // Counts the body as it arrives, 64 KiB at a time.
            static thread_local char buf[64 * 1024];
            std::int64_t total = 0;
            for (;;) {
                io_result got = r.body().read(buf);
                total += static_cast<std::int64_t>(got.n);
                if (got.ec == errc::eof) break;
                if (got.ec) {
                    error(w, "body: " + got.ec.message(), status_bad_request);
                    return;
                }
            }
            w.write(std::to_string(total));
            return;
        }
        if (r.url().path == "/download") {
            std::string chunk(64 * 1024, 'd');
            for (std::int64_t sent = 0; sent < gib; sent += static_cast<std::int64_t>(chunk.size()))
                if (w.write(chunk).ec) return;
            return;
        }
        w.write("?");
    });
}

}  // namespace

TEST_CASE("streaming: a 1 GiB upload streams through a plain handler in bounded memory", "[wire][streaming]") {
    test_server s(streaming_routes());
    reset_peak_rss();
    raw_connection c(s.port());
    c.send("POST /upload HTTP/1.1\r\nHost: t\r\nContent-Length: " + std::to_string(gib) + "\r\n\r\n");
    std::string chunk(256 * 1024, 'u');
    for (std::int64_t sent = 0; sent < gib; sent += static_cast<std::int64_t>(chunk.size())) c.send(chunk);
    raw_result r = c.read_responses(1, {}, 30000ms);
    auto rs = parse_responses(r.bytes, {}, r.closed);
    REQUIRE(rs.size() == 1);
    CHECK(rs[0].body == std::to_string(gib));
    const long peak = peak_rss();
    INFO("peak RSS " << peak / 1024 << " KiB");
    CHECK(peak < rss_limit);
}

TEST_CASE("streaming: a 1 GiB chunked upload streams in bounded memory", "[wire][streaming]") {
    test_server s(streaming_routes());
    reset_peak_rss();
    raw_connection c(s.port());
    c.send("POST /upload HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n");
    std::string piece(256 * 1024, 'c');
    char size_line[32];
    std::snprintf(size_line, sizeof size_line, "%zx\r\n", piece.size());
    const std::string chunk = size_line + piece + "\r\n";
    for (std::int64_t sent = 0; sent < gib; sent += static_cast<std::int64_t>(piece.size())) c.send(chunk);
    c.send("0\r\n\r\n");
    raw_result r = c.read_responses(1, {}, 30000ms);
    auto rs = parse_responses(r.bytes, {}, r.closed);
    REQUIRE(rs.size() == 1);
    CHECK(rs[0].body == std::to_string(gib));
    CHECK(peak_rss() < rss_limit);
}

TEST_CASE("streaming: a 1 GiB download streams through a plain handler in bounded memory", "[wire][streaming]") {
    test_server s(streaming_routes());
    reset_peak_rss();
    raw_connection c(s.port());
    c.send("GET /download HTTP/1.1\r\nHost: t\r\n\r\n");
    // Read and decode the chunked stream without keeping it.
    std::int64_t payload = 0;
    std::string pending;
    bool head_done = false;
    bool ended = false;
    std::int64_t chunk_left = -1;
    static char buf[256 * 1024];
    const auto deadline = std::chrono::steady_clock::now() + 60s;
    while (!ended && std::chrono::steady_clock::now() < deadline) {
        ssize_t n = ::recv(c.fd(), buf, sizeof buf, 0);
        if (n <= 0) break;
        pending.append(buf, static_cast<std::size_t>(n));
        std::size_t pos = 0;
        if (!head_done) {
            std::size_t end = pending.find("\r\n\r\n");
            if (end == std::string::npos) continue;
            REQUIRE(pending.find("Transfer-Encoding: chunked") < end);
            head_done = true;
            pos = end + 4;
        }
        for (;;) {
            if (chunk_left < 0) {
                std::size_t le = pending.find("\r\n", pos);
                if (le == std::string::npos) break;
                chunk_left = std::stoll(pending.substr(pos, le - pos), nullptr, 16);
                pos = le + 2;
                if (chunk_left == 0) {
                    ended = true;
                    break;
                }
            }
            const std::int64_t take = std::min<std::int64_t>(chunk_left, static_cast<std::int64_t>(pending.size() - pos));
            payload += take;
            pos += static_cast<std::size_t>(take);
            chunk_left -= take;
            if (chunk_left > 0 || pending.size() - pos < 2) break;
            pos += 2;  // CRLF after the chunk data
            chunk_left = -1;
        }
        pending.erase(0, pos);
    }
    CHECK(ended);
    CHECK(payload == gib);
    CHECK(peak_rss() < rss_limit);
}

TEST_CASE("streaming: 1,000 events flushed one by one arrive one by one", "[wire][streaming][sse]") {
    std::atomic<int> seen{0};
    test_server s(make_handler([&](response_writer& w, request&) {
        w.header().set("Content-Type", "text/event-stream");
        for (int i = 0; i < 1000; ++i) {
            w.write("data: " + std::to_string(i) + "\n\n");
            w.flush();
            // The next event is written only once the client has this one: a
            // flush that did not send would never be seen (bounded wait).
            const auto until = std::chrono::steady_clock::now() + 5s;
            while (seen.load() <= i && std::chrono::steady_clock::now() < until) std::this_thread::yield();
            if (seen.load() <= i) return;
        }
    }));
    raw_connection c(s.port());
    c.send("GET /events HTTP/1.1\r\nHost: t\r\n\r\n");
    std::string got;
    char buf[4096];
    int events = 0;
    while (events < 1000) {
        ssize_t n = ::recv(c.fd(), buf, sizeof buf, 0);
        if (n <= 0) break;
        got.append(buf, static_cast<std::size_t>(n));
        for (std::size_t at; (at = got.find("data: " + std::to_string(events) + "\n\n")) != std::string::npos;) {
            got.erase(0, at + 8);
            ++events;
            seen = events;
        }
    }
    CHECK(events == 1000);
}
