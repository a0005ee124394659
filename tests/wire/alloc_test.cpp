// The hot path allocates nothing: a warm server answers the seed program's
// requests (through a serve_mux, keep-alive and pipelined) without a single
// heap allocation on its ring thread.
#include <catch2/catch_test_macros.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <cstring>
#include <new>
#include <string>
#include <thread>

#include <ringhttp/ringhttp.hpp>

#include "tests/support/alloc_counter.hpp"

namespace {

using namespace ringhttp;
using namespace ringhttp::test::alloc;

struct hello_server {
    server srv;
    std::thread thread;

    explicit hello_server(handler_ptr mux) : srv({.addr = "127.0.0.1:0", .handler = std::move(mux), .threads = 1}) {
        REQUIRE_FALSE(srv.listen());
        thread = std::thread([this] {
            on_ring_thread = true;
            srv.serve();
        });
    }
    ~hello_server() {
        srv.close();
        thread.join();
    }
};

int connect_to(std::uint16_t port) {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
    return fd;
}

// Sends `batch` pipelined requests and reads until all `batch` bodies came
// back; returns how many "Hello world!\n" bodies were seen.
int round_trip(int fd, const std::string& requests, int batch, char* buf, std::size_t cap) {
    if (::send(fd, requests.data(), requests.size(), 0) != static_cast<ssize_t>(requests.size())) return -1;
    int seen = 0;
    std::size_t have = 0;
    while (seen < batch) {
        ssize_t n = ::recv(fd, buf + have, cap - have, 0);
        if (n <= 0) return -1;
        have += static_cast<std::size_t>(n);
        // Count complete responses: each ends with the 13-byte body.
        seen = 0;
        const char* p = buf;
        const char* end = buf + have;
        while ((p = static_cast<const char*>(memmem(p, static_cast<std::size_t>(end - p), "Hello world!\n", 13))) != nullptr) {
            ++seen;
            p += 13;
        }
    }
    return seen;
}

long count_allocations(int batch, int rounds) {
    auto mux = std::make_shared<serve_mux>();
    mux->handle_func("/", [](response_writer& w, request&) { w.write("Hello world!\n"); });
    mux->handle_func("/user/", [](response_writer& w, request&) { w.write("Hello thinkerou!\n"); });
    hello_server s(mux);
    int fd = connect_to(s.srv.port());
    std::string requests;
    for (int i = 0; i < batch; ++i) requests += "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: alloc-test\r\n\r\n";
    static char buf[1 << 16];
    for (int i = 0; i < 500; ++i) REQUIRE(round_trip(fd, requests, batch, buf, sizeof buf) == batch);  // warm up
    const long n = count_during([&] {
        for (int i = 0; i < rounds; ++i) REQUIRE(round_trip(fd, requests, batch, buf, sizeof buf) == batch);
    });
    ::close(fd);
    return n;
}

}  // namespace

TEST_CASE("alloc: a warm ring answers keep-alive requests without allocating", "[alloc]") {
    CHECK(count_allocations(1, 5000) == 0);
}

TEST_CASE("alloc: a warm ring answers pipelined requests without allocating", "[alloc]") {
    CHECK(count_allocations(16, 500) == 0);
}

TEST_CASE("alloc: the counter sees allocations on the ring thread", "[alloc]") {
    // Guard against a counter that cannot fail: a handler that allocates is seen.
    auto mux = std::make_shared<serve_mux>();
    mux->handle_func("/", [](response_writer& w, request&) {
        std::string s(1000, 'x');
        w.write(std::string_view(s).substr(0, 0));
        w.write("Hello world!\n");
    });
    hello_server s(mux);
    int fd = connect_to(s.srv.port());
    static char buf[1 << 16];
    const std::string req = "GET / HTTP/1.1\r\nHost: a\r\n\r\n";
    REQUIRE(round_trip(fd, req, 1, buf, sizeof buf) == 1);
    const long n = count_during([&] { REQUIRE(round_trip(fd, req, 1, buf, sizeof buf) == 1); });
    ::close(fd);
    CHECK(n >= 1);
}
