// The PROXY header costs no allocation: a warm ring reads v1 and v2 headers
// on fresh connections without more heap allocations on its thread than the
// same connections without the header (tests/support/alloc_counter.hpp).
#include <catch2/catch_test_macros.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <new>
#include <string>
#include <thread>

#include <ringhttp/ringhttp.hpp>

#include "tests/proxy/proxy_headers.hpp"
#include "tests/support/alloc_counter.hpp"

namespace {

using namespace ringhttp;
using namespace ringhttp::test::proxy;
using namespace ringhttp::test::alloc;

struct ring_server {
    server srv;
    std::thread thread;

    // No deadlines: the timer wheel grows a slot's entry list the first
    // time a deadline lands in it, which a short test cannot warm up.
    explicit ring_server(handler_ptr h, bool proxy)
        : srv({.addr = "127.0.0.1:0",
               .handler = std::move(h),
               .read_header_timeout = std::chrono::nanoseconds(0),
               .idle_timeout = std::chrono::nanoseconds(0),
               .threads = 1,
               .proxy_protocol = proxy}) {
        REQUIRE_FALSE(srv.listen());
        thread = std::thread([this] {
            on_ring_thread = true;
            srv.serve();
        });
    }
    ~ring_server() {
        srv.close();
        thread.join();
    }
};

// One connection: sends bytes, reads the whole response (it ends with the
// body "ok"), closes. Returns whether the response came.
bool one_connection(std::uint16_t port, const std::string& bytes) {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
        ::close(fd);
        return false;
    }
    bool ok = ::send(fd, bytes.data(), bytes.size(), 0) == static_cast<ssize_t>(bytes.size());
    std::string got;
    char buf[4096];
    while (ok && (got.size() < 2 || got.compare(got.size() - 2, 2, "ok") != 0)) {
        ssize_t n = ::recv(fd, buf, sizeof buf, 0);
        if (n <= 0) ok = false;
        else got.append(buf, static_cast<std::size_t>(n));
    }
    ::close(fd);
    return ok;
}

// Allocations on the ring thread over `rounds` connections, each with
// `prefix` before its request, after as many to warm up.
long count(bool proxy, const std::string& prefix, int rounds) {
    ring_server s(make_handler([](response_writer& w, request&) { w.write("ok"); }), proxy);
    const std::string bytes = prefix + "GET / HTTP/1.1\r\nHost: a\r\n\r\n";
    for (int i = 0; i < rounds; ++i) REQUIRE(one_connection(s.srv.port(), bytes));
    std::this_thread::sleep_for(std::chrono::milliseconds(200));  // the server closes its ends
    return count_during([&] {
        for (int i = 0; i < rounds; ++i) REQUIRE(one_connection(s.srv.port(), bytes));
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
    });
}

}  // namespace

TEST_CASE("proxy alloc: reading PROXY headers allocates nothing on a warm ring", "[proxy][alloc]") {
    const int rounds = 300;
    const long plain = count(false, "", rounds);
    const long v1 = count(true, "PROXY TCP4 203.0.113.7 10.0.0.1 4242 80\r\n", rounds);
    const long v1_6 = count(true, "PROXY TCP6 2001:db8::7 2001:db8::1 4242 443\r\n", rounds);
    const long v2_tlv = count(true, v2(0x21, 0x21, inet6("2001:db8::7", "2001:db8::1", 1, 2) + tlv(0x04, std::string(500, 'x'))), rounds);
    const long local = count(true, v2(0x20, 0x00, ""), rounds);
    UNSCOPED_INFO("allocations over " << rounds << " connections: plain " << plain << ", v1 " << v1 << ", v1 TCP6 "
                                      << v1_6 << ", v2 TCP6 with TLV " << v2_tlv << ", v2 LOCAL " << local);
    // A header that allocated would cost at least one allocation per
    // connection. The ring's own once-a-second work (rcu::reclaim freeing
    // retired objects) may allocate a couple of times in any run, with or
    // without the header: allow that much, far below one per connection.
    const long slack = rounds / 30;
    CHECK(plain <= slack);
    CHECK(v1 <= slack);
    CHECK(v1_6 <= slack);
    CHECK(v2_tlv <= slack);
    CHECK(local <= slack);
}

TEST_CASE("proxy alloc: the counter sees a rejected header's log line", "[proxy][alloc]") {
    // Guard against a counter that cannot fail: the error path formats a log
    // line (a std::string) on the ring thread, and that is seen.
    std::atomic<int> lines{0};
    server srv({.addr = "127.0.0.1:0",
                .handler = make_handler([](response_writer& w, request&) { w.write("ok"); }),
                .error_log = [&lines](std::string_view) { lines.fetch_add(1); },
                .threads = 1,
                .proxy_protocol = true});
    REQUIRE_FALSE(srv.listen());
    std::thread t([&srv] {
        on_ring_thread = true;
        srv.serve();
    });
    bool answered = true;
    const long n = count_during([&] { answered = one_connection(srv.port(), "GET / HTTP/1.1\r\nHost: a\r\n\r\n"); });
    srv.close();
    t.join();
    CHECK_FALSE(answered);
    CHECK(lines.load() == 1);
    CHECK(n >= 1);
}
