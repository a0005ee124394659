// Wire tests: the receive buffer pool. When the kernel runs out of provided
// buffers (ENOBUFS ends a multishot recv), the ring grows the pool or waits
// for buffers to come back; no connection is stalled for good.
#include <catch2/catch_test_macros.hpp>

#include <atomic>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include <ringhttp/ringhttp.hpp>

#include "tests/support/wire.hpp"

using namespace ringhttp;
using namespace ringhttp::test;
using namespace std::chrono_literals;

namespace {

handler_ptr echo_length() {
    return make_handler([](response_writer& w, request& r) {
        std::string body;
        if (r.body().read_all(body)) return;
        w.write(std::to_string(body.size()));
    });
}

// n clients at once, each sending a request with a body of `size` bytes in
// small pieces; returns how many got the right answer.
int clients_served(std::uint16_t port, int n, std::size_t size) {
    std::atomic<int> ok{0};
    std::vector<std::thread> ts;
    for (int i = 0; i < n; ++i)
        ts.emplace_back([&] {
            raw_connection c(port);
            c.send("POST /x HTTP/1.1\r\nHost: t\r\nContent-Length: " + std::to_string(size) + "\r\n\r\n");
            const std::string piece(1000, 'b');
            for (std::size_t sent = 0; sent < size; sent += piece.size()) {
                c.send(std::string_view(piece).substr(0, std::min(piece.size(), size - sent)));
                std::this_thread::sleep_for(1ms);
            }
            raw_result r = c.read_responses(1, {}, 10000ms);
            auto rs = parse_responses(r.bytes, {}, r.closed);
            if (rs.size() == 1 && rs[0].body == std::to_string(size)) ++ok;
        });
    for (auto& t : ts) t.join();
    return ok.load();
}

}  // namespace

TEST_CASE("buffers: a pool of 2 receive buffers grows and serves 64 clients at once", "[wire][buffers]") {
    test_server s(echo_length(), {.recv_buffer_size = 1024, .recv_buffers = 2, .recv_buffers_max = 128});
    CHECK(clients_served(s.port(), 64, 20000) == 64);
}

TEST_CASE("buffers: a pool that cannot grow past 4 buffers still serves 64 clients at once", "[wire][buffers]") {
    // ENOBUFS over and over: connections wait for buffers to come back, and
    // every one of them is served in the end.
    test_server s(echo_length(), {.recv_buffer_size = 1024, .recv_buffers = 2, .recv_buffers_max = 4});
    CHECK(clients_served(s.port(), 64, 20000) == 64);
}
