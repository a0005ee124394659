// Wire tests: server_options::proxy_protocol on a real server over loopback
// sockets. The PROXY header comes first; remote_addr() is the client it
// names; anything else closes the connection without a response.
#include <catch2/catch_test_macros.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <chrono>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <ringhttp/ringhttp.hpp>

#include "tests/proxy/proxy_headers.hpp"
#include "tests/support/wire.hpp"

using namespace ringhttp;
using namespace ringhttp::test;
using namespace ringhttp::test::proxy;
using namespace std::chrono_literals;

namespace {

const std::string get = "GET /who HTTP/1.1\r\nHost: test\r\n\r\n";

// Answers every request with the remote address it sees.
handler_ptr who() {
    return make_handler([](response_writer& w, request& r) { w.write(std::string(r.remote_addr())); });
}

server_options with_proxy(std::chrono::nanoseconds header_timeout = std::chrono::seconds(10)) {
    server_options o;
    o.proxy_protocol = true;
    o.read_header_timeout = header_timeout;
    return o;
}

// The client's own end of c, as the server would see it without a header.
std::string local_addr(const raw_connection& c) {
    sockaddr_in a{};
    socklen_t len = sizeof a;
    ::getsockname(c.fd(), reinterpret_cast<sockaddr*>(&a), &len);
    char ip[INET_ADDRSTRLEN];
    ::inet_ntop(AF_INET, &a.sin_addr, ip, sizeof ip);
    return std::string(ip) + ":" + std::to_string(ntohs(a.sin_port));
}

// Sends bytes on a new connection and returns the bodies of n responses.
std::vector<std::string> bodies(std::uint16_t port, const std::string& bytes, std::size_t n,
                                std::string* socket_peer = nullptr) {
    raw_connection c(port);
    if (socket_peer != nullptr) *socket_peer = local_addr(c);
    c.send(bytes);
    raw_result r = c.read_responses(n, {}, 10000ms);
    std::vector<std::string> out;
    for (const response& resp : parse_responses(r.bytes, {}, r.closed)) {
        out.push_back(resp.status == 200 ? resp.body : "status " + std::to_string(resp.status));
    }
    return out;
}

// Expects the server to close c without sending a byte.
void expect_silent_close(raw_connection& c) {
    raw_result r = c.read_until_idle(10000ms);
    CHECK(r.closed);
    CHECK(r.bytes.empty());
}

}  // namespace

TEST_CASE("proxy wire: remote_addr is the client a v1 or v2 header names", "[proxy][wire]") {
    test_server s(who(), with_proxy());
    struct named {
        const char* name;
        std::string header;
        std::string want;  // "" means the socket's own peer
    };
    const std::vector<named> cases = {
        {"v1 TCP4", "PROXY TCP4 203.0.113.7 10.0.0.1 4242 80\r\n", "203.0.113.7:4242"},
        {"v1 TCP6", "PROXY TCP6 2001:db8::7 2001:db8::1 4242 443\r\n", "[2001:db8::7]:4242"},
        {"v1 TCP6 IPv4-mapped", "PROXY TCP6 ::ffff:198.51.100.2 ::1 9 80\r\n", "198.51.100.2:9"},
        {"v1 UNKNOWN", "PROXY UNKNOWN\r\n", ""},
        {"v2 TCP4", v2(0x21, 0x11, inet4("192.0.2.10", "10.0.0.1", 65535, 80)), "192.0.2.10:65535"},
        {"v2 TCP6", v2(0x21, 0x21, inet6("2001:db8:1::5", "2001:db8::1", 1, 443)), "[2001:db8:1::5]:1"},
        {"v2 TCP4 with TLVs",
         v2(0x21, 0x11, inet4("192.0.2.11", "10.0.0.1", 5555, 80) + tlv(0x02, "example.com") + tlv(0x04, std::string(100, '\0'))),
         "192.0.2.11:5555"},
        {"v2 LOCAL", v2(0x20, 0x00, ""), ""},
        {"v2 UNSPEC", v2(0x21, 0x00, tlv(0x04, "x")), ""},
    };
    for (const named& c : cases) {
        INFO(c.name);
        std::string peer;
        std::vector<std::string> got = bodies(s.port(), c.header + get, 1, &peer);
        REQUIRE(got.size() == 1);
        CHECK(got[0] == (c.want.empty() ? peer : c.want));
    }
}

TEST_CASE("proxy wire: pipelined requests right after the header in one packet all see the client", "[proxy][wire]") {
    test_server s(who(), with_proxy());
    for (const std::string& header :
         {std::string("PROXY TCP4 203.0.113.9 10.0.0.1 1000 80\r\n"), v2(0x21, 0x11, inet4("203.0.113.9", "10.0.0.1", 1000, 80))}) {
        std::vector<std::string> got = bodies(s.port(), header + get + get + get, 3);
        REQUIRE(got.size() == 3);
        for (const std::string& b : got) CHECK(b == "203.0.113.9:1000");
    }
}

TEST_CASE("proxy wire: the address holds for every request of a keep-alive connection", "[proxy][wire]") {
    test_server s(who(), with_proxy());
    raw_connection c(s.port());
    c.send("PROXY TCP4 203.0.113.20 10.0.0.1 2020 80\r\n" + get);
    auto first = parse_responses(c.read_responses(1).bytes, {}, false);
    REQUIRE(first.size() == 1);
    CHECK(first[0].body == "203.0.113.20:2020");
    std::this_thread::sleep_for(50ms);
    c.send(get);
    auto second = parse_responses(c.read_responses(1).bytes, {}, false);
    REQUIRE(second.size() == 1);
    CHECK(second[0].body == "203.0.113.20:2020");
}

TEST_CASE("proxy wire: a header and request split at every byte boundary are served the same", "[proxy][wire]") {
    test_server s(who(), with_proxy());
    const std::vector<std::pair<std::string, std::string>> cases = {
        {"PROXY TCP6 2001:db8::42 ::1 4321 80\r\n", "[2001:db8::42]:4321"},
        {v2(0x21, 0x11, inet4("198.51.100.77", "10.0.0.1", 7777, 80) + tlv(0x05, "id-1")), "198.51.100.77:7777"},
    };
    for (const auto& [header, want] : cases) {
        const std::string input = header + get;
        for (std::size_t cut = 1; cut < header.size() + 4; ++cut) {
            INFO("cut at " << cut << " of " << input.size());
            raw_connection c(s.port());
            c.send(std::string_view(input).substr(0, cut));
            std::this_thread::sleep_for(5ms);  // a separate segment, and usually a separate recv
            c.send(std::string_view(input).substr(cut));
            auto got = parse_responses(c.read_responses(1).bytes, {}, false);
            REQUIRE(got.size() == 1);
            CHECK(got[0].body == want);
        }
    }
}

TEST_CASE("proxy wire: a long v2 header arriving in many packets pins nothing and works", "[proxy][wire]") {
    test_server s(who(), with_proxy());
    const std::string header = v2(0x21, 0x11, inet4("192.0.2.99", "10.0.0.1", 9999, 80) + tlv(0x04, std::string(60000, 'p')));
    raw_connection c(s.port());
    for (std::size_t at = 0; at < header.size(); at += 8000) {
        c.send(std::string_view(header).substr(at, 8000));
        std::this_thread::sleep_for(2ms);
    }
    c.send(get);
    auto got = parse_responses(c.read_responses(1).bytes, {}, false);
    REQUIRE(got.size() == 1);
    CHECK(got[0].body == "192.0.2.99:9999");
}

TEST_CASE("proxy wire: a missing or malformed header closes the connection without a response", "[proxy][wire]") {
    test_server s(who(), with_proxy());
    const std::vector<std::pair<const char*, std::string>> bad = {
        {"plain HTTP", get},
        {"v1 too long", "PROXY UNKNOWN " + std::string(200, 'x') + "\r\n" + get},
        {"v1 bad protocol", "PROXY TCP9 1.2.3.4 5.6.7.8 1 2\r\n" + get},
        {"v1 bad address", "PROXY TCP4 1.2.3.999 5.6.7.8 1 2\r\n" + get},
        {"v1 family mismatch", "PROXY TCP4 ::1 5.6.7.8 1 2\r\n" + get},
        {"v1 bad port", "PROXY TCP4 1.2.3.4 5.6.7.8 99999 2\r\n" + get},
        {"v1 bare LF", "PROXY TCP4 1.2.3.4 5.6.7.8 1 2\n" + get},
        {"v2 bad signature", std::string("\r\n\r\n\0\r\nQUIZ\n", 12) + std::string(20, '\0') + get},
        {"v2 bad version", v2(0x11, 0x11, inet4("1.2.3.4", "5.6.7.8", 1, 2)) + get},
        {"v2 bad command", v2(0x23, 0x11, inet4("1.2.3.4", "5.6.7.8", 1, 2)) + get},
        {"v2 bad family", v2(0x21, 0x51, inet4("1.2.3.4", "5.6.7.8", 1, 2)) + get},
        {"v2 length too short", v2(0x21, 0x21, inet4("1.2.3.4", "5.6.7.8", 1, 2)) + get},
        {"two headers", "PROXY UNKNOWN\r\nPROXY UNKNOWN\r\n" + get},
    };
    for (const auto& [name, bytes] : bad) {
        INFO(name);
        raw_connection c(s.port());
        c.send(bytes);
        if (std::string_view(name) == "two headers") {
            // The second header is not HTTP: a 400, as any bad request.
            raw_result r = c.read_until_idle(10000ms);
            auto rs = parse_responses(r.bytes, {}, r.closed);
            REQUIRE(rs.size() == 1);
            CHECK(rs[0].status == 400);
            continue;
        }
        expect_silent_close(c);
    }
    // Each rejected header was reported once to the error log, naming the socket's peer.
    std::size_t reported = 0;
    for (const std::string& line : s.log_lines())
        if (line.find("http: PROXY protocol error from 127.0.0.1:") == 0) ++reported;
    CHECK(reported == bad.size() - 1);
    // The server is unharmed.
    auto ok = bodies(s.port(), "PROXY TCP4 192.0.2.1 192.0.2.2 1 2\r\n" + get, 1);
    REQUIRE(ok.size() == 1);
    CHECK(ok[0] == "192.0.2.1:1");
}

TEST_CASE("proxy wire: a header cut short by the client's close or by the header timeout ends silently", "[proxy][wire]") {
    test_server s(who(), with_proxy(300ms));
    SECTION("the client half-closes in the middle of a v1 header") {
        raw_connection c(s.port());
        c.send("PROXY TCP4 1.2.3.4 5.6");
        c.shutdown_write();
        expect_silent_close(c);
    }
    SECTION("the client half-closes in the middle of a v2 header") {
        raw_connection c(s.port());
        c.send(v2(0x21, 0x11, inet4("1.2.3.4", "5.6.7.8", 1, 2)).substr(0, 20));
        c.shutdown_write();
        expect_silent_close(c);
    }
    SECTION("a partial header meets read_header_timeout: closed without a 408") {
        raw_connection c(s.port());
        c.send("PROXY TCP4 1.2.3.4 5.6.7.8 1 ");
        expect_silent_close(c);
    }
    SECTION("nothing at all meets read_header_timeout") {
        raw_connection c(s.port());
        expect_silent_close(c);
    }
    SECTION("a header, then a partial request head, gets the usual 408") {
        raw_connection c(s.port());
        c.send("PROXY UNKNOWN\r\nGET /who HTTP/1.1\r\nHo");
        raw_result r = c.read_until_idle(10000ms);
        auto rs = parse_responses(r.bytes, {}, r.closed);
        REQUIRE(rs.size() == 1);
        CHECK(rs[0].status == 408);
    }
    // Other clients are served meanwhile.
    auto ok = bodies(s.port(), "PROXY TCP4 192.0.2.1 192.0.2.2 1 2\r\n" + get, 1);
    REQUIRE(ok.size() == 1);
    CHECK(ok[0] == "192.0.2.1:1");
}

TEST_CASE("proxy wire: with the option off a PROXY line is a bad request (400)", "[proxy][wire]") {
    test_server s(who());
    for (const std::string& header :
         {std::string("PROXY TCP4 203.0.113.7 10.0.0.1 4242 80\r\n"), v2(0x21, 0x11, inet4("203.0.113.7", "10.0.0.1", 4242, 80))}) {
        raw_connection c(s.port());
        c.send(header + get);
        raw_result r = c.read_until_idle(10000ms);
        auto rs = parse_responses(r.bytes, {}, r.closed);
        REQUIRE(rs.size() == 1);
        CHECK(rs[0].status == 400);
        CHECK(r.closed);
    }
    std::string peer;
    auto got = bodies(s.port(), get, 1, &peer);
    REQUIRE(got.size() == 1);
    CHECK(got[0] == peer);
}

TEST_CASE("proxy wire: conn_state reports the proxied client once the header is read", "[proxy][wire]") {
    struct seen {
        std::mutex mu;
        std::vector<std::pair<conn_state, std::string>> events;
    };
    auto log = std::make_shared<seen>();
    server_options o = with_proxy();
    o.conn_state = [log](const connection_info& ci, conn_state st) {
        std::lock_guard lock(log->mu);
        log->events.emplace_back(st, std::string(ci.remote_addr));
    };
    std::string peer;
    {
        test_server s(who(), o);
        auto got = bodies(s.port(), "PROXY TCP4 203.0.113.30 10.0.0.1 3030 80\r\n" + get, 1, &peer);
        REQUIRE(got.size() == 1);
        CHECK(got[0] == "203.0.113.30:3030");
    }  // the server closes the connection: a closed event
    std::lock_guard lock(log->mu);
    REQUIRE(log->events.size() >= 3);
    CHECK(log->events.front().first == conn_state::new_);
    CHECK(log->events.front().second == peer);  // before the header, the socket's peer
    for (std::size_t i = 1; i < log->events.size(); ++i) CHECK(log->events[i].second == "203.0.113.30:3030");
    CHECK(log->events.back().first == conn_state::closed);
}
