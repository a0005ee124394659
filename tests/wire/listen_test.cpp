// Wire tests: listen(): a port in use is an error unless sharing is asked
// for, and a bad address fails with Go's words.
#include <catch2/catch_test_macros.hpp>

#include <string>
#include <system_error>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <ringhttp/ringhttp.hpp>

#include "tests/support/wire.hpp"

using namespace ringhttp;
using namespace ringhttp::test;

namespace {

handler_ptr hello() {
    return make_handler([](response_writer& w, request&) { w.write("hello\n"); });
}

std::string addr(std::uint16_t port) { return "127.0.0.1:" + std::to_string(port); }

}  // namespace

TEST_CASE("listen: a second server on a port in use fails with address already in use", "[wire][listen]") {
    test_server first(hello(), server_options{.threads = 2});
    server second(server_options{.addr = addr(first.port()), .handler = hello(), .threads = 2});
    std::error_code ec = second.listen();
    CHECK(ec == std::errc::address_in_use);
    // The first one's own rings share the port, and it still serves.
    exchange_result r = exchange(first.port(), "GET / HTTP/1.1\r\nHost: t\r\n\r\n");
    REQUIRE(r.responses.size() == 1);
    CHECK(r.responses[0].body == "hello\n");
}

TEST_CASE("listen: a port another program listens on without SO_REUSEPORT is in use", "[wire][listen]") {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    REQUIRE(fd >= 0);
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) == 0);
    REQUIRE(::listen(fd, 16) == 0);
    socklen_t len = sizeof sa;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&sa), &len);
    server s(server_options{.addr = addr(ntohs(sa.sin_port)), .handler = hello(), .threads = 1});
    CHECK(s.listen() == std::errc::address_in_use);
    ::close(fd);
}

TEST_CASE("listen: with reuse_port, two servers share the address", "[wire][listen]") {
    test_server first(hello(), server_options{.threads = 1, .reuse_port = true});
    server second(server_options{.addr = addr(first.port()), .handler = hello(), .threads = 1, .reuse_port = true});
    CHECK_FALSE(second.listen());
    CHECK(second.port() == first.port());
}

TEST_CASE("listen: one ring without reuse_port holds its address alone, even against a sharing server",
          "[wire][listen]") {
    test_server first(hello(), server_options{.threads = 1});
    server second(server_options{.addr = addr(first.port()), .handler = hello(), .threads = 1, .reuse_port = true});
    CHECK(second.listen() == std::errc::address_in_use);
}

TEST_CASE("listen: leading zeros in a port are a number, as in Go", "[wire][listen]") {
    server s(server_options{.addr = "127.0.0.1:000000", .handler = hello(), .threads = 1});
    CHECK_FALSE(s.listen());
    CHECK(s.port() != 0);
}

TEST_CASE("server options: a zero max_header_bytes means the default, as in Go", "[wire][listen]") {
    test_server s(hello(), server_options{.max_header_bytes = 0});
    CHECK(s.srv().options().max_header_bytes == default_max_header_bytes);
    const std::string big(10000, 'v');
    exchange_result r = exchange(s.port(), "GET / HTTP/1.1\r\nHost: t\r\nX-Big: " + big + "\r\nConnection: close\r\n\r\n");
    REQUIRE(r.responses.size() == 1);
    CHECK(r.responses[0].status == 200);
}

TEST_CASE("listen: port 0 gives every ring the same free port", "[wire][listen]") {
    test_server s(hello(), server_options{.threads = 3});
    CHECK(s.port() != 0);
    for (int i = 0; i < 12; ++i) {
        exchange_result r = exchange(s.port(), "GET / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
        REQUIRE(r.responses.size() == 1);
        CHECK(r.responses[0].status == 200);
    }
}

TEST_CASE("listen: a bad address fails with Go's error", "[wire][listen]") {
    struct row {
        const char* addr;
        errc want;
        const char* message;
    };
    for (const row& r : {row{"127.0.0.1:80x", errc::unknown_port, "unknown port"},
                         row{"127.0.0.1:99999", errc::invalid_port, "invalid port"},
                         row{"127.0.0.1:1000000000000000000000", errc::invalid_port, "invalid port"},
                         row{"127.0.0.1", errc::missing_port, "missing port in address"}}) {
        CAPTURE(r.addr);
        server s(server_options{.addr = r.addr, .handler = hello(), .threads = 1});
        std::error_code ec = s.listen();
        CHECK(ec == r.want);
        CHECK(ec.message() == r.message);
    }
}
