// Unit tests of the PROXY protocol header parser (engine/proxy_protocol.*),
// against HAProxy's doc/proxy-protocol.txt: v1 lines, v2 binary headers,
// every split of the input, and malformed headers.
#include <catch2/catch_test_macros.hpp>
#include <catch2/generators/catch_generators.hpp>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "engine/http1/proxy_protocol.hpp"
#include "tests/proxy/proxy_headers.hpp"

using ringhttp::engine::proxy_header_parser;
using namespace ringhttp::test::proxy;

namespace {

struct outcome {
    proxy_header_parser::status state = proxy_header_parser::status::need_more;
    std::size_t consumed = 0;     // header bytes, summed over the feeds
    std::string source;           // format_source(), "" without one
    bool has_source = false;
    int version = 0;
};

// Feeds input in pieces cut at the given offsets (ascending), stopping at
// done or error, as the ring would with bytes arriving in separate recvs.
outcome run(std::string_view input, const std::vector<std::size_t>& cuts = {}) {
    proxy_header_parser p;
    outcome o;
    std::size_t from = 0;
    std::vector<std::size_t> ends = cuts;
    ends.push_back(input.size());
    for (std::size_t end : ends) {
        if (end < from) continue;
        const auto res = p.feed(input.data() + from, end - from);
        o.state = res.state;
        if (res.state == proxy_header_parser::status::error) break;
        o.consumed += res.consumed;
        if (res.state == proxy_header_parser::status::done) break;
        REQUIRE(res.consumed == end - from);  // need_more takes all it was given
        from = end;
    }
    o.has_source = p.has_source();
    char buf[64];
    o.source.assign(buf, p.format_source(buf, sizeof buf));
    o.version = p.version();
    return o;
}

struct valid_case {
    const char* name;
    std::string header;
    std::string source;  // "" when the header names none
    int version;
};

std::vector<valid_case> valid_cases() {
    return {
        {"v1 TCP4", "PROXY TCP4 192.168.0.1 192.168.0.11 56324 443\r\n", "192.168.0.1:56324", 1},
        {"v1 TCP6", "PROXY TCP6 2001:db8::1 2001:db8::2 1234 80\r\n", "[2001:db8::1]:1234", 1},
        {"v1 TCP6 IPv4-mapped", "PROXY TCP6 ::ffff:10.0.0.1 ::1 65535 0\r\n", "10.0.0.1:65535", 1},
        {"v1 TCP6 longest", "PROXY TCP6 ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff 65535 65535\r\n",
         "[ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff]:65535", 1},
        {"v1 UNKNOWN", "PROXY UNKNOWN\r\n", "", 1},
        {"v1 UNKNOWN with addresses", "PROXY UNKNOWN ffff:f...f:ffff ffff:f...f:ffff 65535 65535\r\n", "", 1},
        {"v1 UNKNOWN of 107 bytes", "PROXY UNKNOWN " + std::string(107 - 16, 'x') + "\r\n", "", 1},
        {"v2 PROXY TCP4", v2(0x21, 0x11, inet4("203.0.113.7", "10.0.0.1", 4242, 80)), "203.0.113.7:4242", 2},
        {"v2 PROXY UDP4", v2(0x21, 0x12, inet4("203.0.113.7", "10.0.0.1", 53, 53)), "203.0.113.7:53", 2},
        {"v2 PROXY TCP6", v2(0x21, 0x21, inet6("2001:db8::7", "2001:db8::1", 4242, 443)), "[2001:db8::7]:4242", 2},
        {"v2 PROXY TCP6 IPv4-mapped", v2(0x21, 0x21, inet6("::ffff:198.51.100.9", "::1", 1, 2)), "198.51.100.9:1", 2},
        {"v2 PROXY TCP4 with TLVs",
         v2(0x21, 0x11, inet4("203.0.113.8", "10.0.0.1", 5000, 80) + tlv(0x02, "example.com") + tlv(0x05, "unique-id") +
                            tlv(0x04, std::string(300, '\0'))),
         "203.0.113.8:5000", 2},
        {"v2 PROXY TCP6 with TLVs", v2(0x21, 0x21, inet6("2001:db8::9", "::1", 7, 8) + tlv(0x01, "h2")), "[2001:db8::9]:7", 2},
        {"v2 LOCAL, empty", v2(0x20, 0x00, ""), "", 2},
        {"v2 LOCAL with an address block", v2(0x20, 0x11, inet4("203.0.113.7", "10.0.0.1", 1, 2)), "", 2},
        {"v2 LOCAL with an unknown family (ignored)", v2(0x20, 0xff, "abc"), "", 2},
        {"v2 PROXY UNSPEC", v2(0x21, 0x00, ""), "", 2},
        {"v2 PROXY UNSPEC with TLVs", v2(0x21, 0x00, tlv(0x04, "noop")), "", 2},
        {"v2 PROXY UNIX stream", v2(0x21, 0x31, std::string(216, 'u')), "", 2},
    };
}

}  // namespace

TEST_CASE("proxy_header_parser: valid headers give the source and end where the header ends", "[proxy]") {
    const std::string after = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
    for (const valid_case& c : valid_cases()) {
        INFO(c.name);
        outcome o = run(c.header + after);
        CHECK(o.state == proxy_header_parser::status::done);
        CHECK(o.consumed == c.header.size());
        CHECK(o.source == c.source);
        CHECK(o.has_source == !c.source.empty());
        CHECK(o.version == c.version);
    }
}

TEST_CASE("proxy_header_parser: a header cut at every byte boundary parses the same", "[proxy]") {
    const std::string after = "GET / HTTP/1.1\r\n\r\n";
    for (const valid_case& c : valid_cases()) {
        const std::string input = c.header + after;
        for (std::size_t cut = 0; cut <= input.size(); ++cut) {
            INFO(c.name << ", cut at " << cut);
            outcome o = run(input, {cut});
            CHECK(o.state == proxy_header_parser::status::done);
            CHECK(o.consumed == c.header.size());
            CHECK(o.source == c.source);
        }
        // And one byte at a time.
        std::vector<std::size_t> every;
        for (std::size_t i = 1; i < input.size(); ++i) every.push_back(i);
        INFO(c.name << ", byte by byte");
        outcome o = run(input, every);
        CHECK(o.state == proxy_header_parser::status::done);
        CHECK(o.consumed == c.header.size());
        CHECK(o.source == c.source);
    }
}

TEST_CASE("proxy_header_parser: an incomplete header asks for more", "[proxy]") {
    for (const valid_case& c : valid_cases()) {
        INFO(c.name);
        for (std::size_t n = 0; n < c.header.size(); ++n) {
            outcome o = run(std::string_view(c.header).substr(0, n));
            CHECK(o.state == proxy_header_parser::status::need_more);
            CHECK(o.consumed == n);
            CHECK_FALSE(o.has_source);
        }
    }
}

TEST_CASE("proxy_header_parser: malformed headers are errors, however they are split", "[proxy]") {
    const std::string sig = v2_signature();
    const std::vector<std::pair<const char*, std::string>> bad = {
        {"HTTP instead", "GET / HTTP/1.1\r\nHost: x\r\n\r\n"},
        {"lower case", "proxy TCP4 1.2.3.4 5.6.7.8 1 2\r\n"},
        {"PROXY alone", "PROXY\r\n"},
        {"no protocol", "PROXY \r\n"},
        {"unknown protocol", "PROXY TCP5 1.2.3.4 5.6.7.8 1 2\r\n"},
        {"UDP4 in v1", "PROXY UDP4 1.2.3.4 5.6.7.8 1 2\r\n"},
        {"TCP4 without addresses", "PROXY TCP4\r\n"},
        {"TCP4 cut short", "PROXY TCP4 1.2.3.4 5.6.7.8 1\r\n"},
        {"extra field", "PROXY TCP4 1.2.3.4 5.6.7.8 1 2 3\r\n"},
        {"two spaces", "PROXY TCP4 1.2.3.4  5.6.7.8 1 2\r\n"},
        {"tab separator", "PROXY TCP4 1.2.3.4\t5.6.7.8 1 2\r\n"},
        {"bare LF", "PROXY TCP4 1.2.3.4 5.6.7.8 1 2\n"},
        {"CR without LF", "PROXY TCP4 1.2.3.4 5.6.7.8 1 2\rX"},
        {"UNKNOWN with bare CR", "PROXY UNKNOWN\rGET"},
        {"bad IPv4 octet", "PROXY TCP4 1.2.3.256 5.6.7.8 1 2\r\n"},
        {"IPv4 with a leading zero", "PROXY TCP4 01.2.3.4 5.6.7.8 1 2\r\n"},
        {"IPv4 too short", "PROXY TCP4 1.2.3 5.6.7.8 1 2\r\n"},
        {"IPv6 under TCP4", "PROXY TCP4 ::1 5.6.7.8 1 2\r\n"},
        {"IPv4 under TCP6", "PROXY TCP6 1.2.3.4 ::1 1 2\r\n"},
        {"bad destination", "PROXY TCP4 1.2.3.4 5.6.7 1 2\r\n"},
        {"mixed families", "PROXY TCP6 ::1 5.6.7.8 1 2\r\n"},
        {"IPv6 with a zone", "PROXY TCP6 fe80::1%eth0 ::1 1 2\r\n"},
        {"address too long", "PROXY TCP6 " + std::string(60, 'f') + " ::1 1 2\r\n"},
        {"port too big", "PROXY TCP4 1.2.3.4 5.6.7.8 65536 2\r\n"},
        {"port of six digits", "PROXY TCP4 1.2.3.4 5.6.7.8 000001 2\r\n"},
        {"negative port", "PROXY TCP4 1.2.3.4 5.6.7.8 -1 2\r\n"},
        {"port with a sign", "PROXY TCP4 1.2.3.4 5.6.7.8 1 +2\r\n"},
        {"hex port", "PROXY TCP4 1.2.3.4 5.6.7.8 0x10 2\r\n"},
        {"UNKNOWN of 108 bytes", "PROXY UNKNOWN " + std::string(108 - 16, 'x') + "\r\n"},
        {"no CRLF in 107 bytes", "PROXY UNKNOWN " + std::string(300, 'x')},
        {"v2: bad signature", std::string(sig).replace(5, 1, "\x0e") + "\x21\x11" + std::string("\x00\x0c", 2) + std::string(12, '\0')},
        {"v2: signature then HTTP", sig.substr(0, 4) + "GET / HTTP/1.1\r\n\r\n"},
        {"v2: version 1", v2(0x11, 0x11, inet4("1.2.3.4", "5.6.7.8", 1, 2))},
        {"v2: version 3", v2(0x31, 0x11, inet4("1.2.3.4", "5.6.7.8", 1, 2))},
        {"v2: command 2", v2(0x22, 0x11, inet4("1.2.3.4", "5.6.7.8", 1, 2))},
        {"v2: command 15", v2(0x2f, 0x11, inet4("1.2.3.4", "5.6.7.8", 1, 2))},
        {"v2: family 4", v2(0x21, 0x41, inet4("1.2.3.4", "5.6.7.8", 1, 2))},
        {"v2: transport 3", v2(0x21, 0x13, inet4("1.2.3.4", "5.6.7.8", 1, 2))},
        {"v2: INET with UNSPEC transport", v2(0x21, 0x10, inet4("1.2.3.4", "5.6.7.8", 1, 2))},
        {"v2: INET block too short", v2(0x21, 0x11, inet4("1.2.3.4", "5.6.7.8", 1, 2).substr(0, 11))},
        {"v2: INET6 block too short", v2(0x21, 0x21, inet6("::1", "::2", 1, 2).substr(0, 35))},
        {"v2: INET6 length with INET addresses", v2(0x21, 0x21, inet4("1.2.3.4", "5.6.7.8", 1, 2))},
        {"v2: UNIX block too short", v2(0x21, 0x31, std::string(215, 'u'))},
    };
    for (const auto& [name, input] : bad) {
        INFO(name);
        outcome whole = run(input);
        CHECK(whole.state == proxy_header_parser::status::error);
        CHECK_FALSE(whole.has_source);
        for (std::size_t cut = 0; cut <= input.size(); ++cut) {
            INFO("cut at " << cut);
            CHECK(run(input, {cut}).state == proxy_header_parser::status::error);
        }
    }
}

TEST_CASE("proxy_header_parser: garbage is rejected at its first wrong byte", "[proxy]") {
    proxy_header_parser p;
    auto r = p.feed("G", 1);
    CHECK(r.state == proxy_header_parser::status::error);
    CHECK(p.error_reason() != nullptr);
    proxy_header_parser q;
    CHECK(q.feed("PROXX", 5).state == proxy_header_parser::status::error);
    proxy_header_parser v;
    CHECK(v.feed("\r\n\r\n\0\r\nQUIX", 12).state == proxy_header_parser::status::error);
}

TEST_CASE("proxy_header_parser: after the header it takes nothing more", "[proxy]") {
    proxy_header_parser p;
    const std::string h = "PROXY UNKNOWN\r\n";
    CHECK(p.feed(h.data(), h.size()).state == proxy_header_parser::status::done);
    auto again = p.feed("GET", 3);
    CHECK(again.state == proxy_header_parser::status::done);
    CHECK(again.consumed == 0);
    CHECK(p.feed("", 0).state == proxy_header_parser::status::done);

    proxy_header_parser e;
    CHECK(e.feed("X", 1).state == proxy_header_parser::status::error);
    CHECK(e.feed("PROXY UNKNOWN\r\n", 15).state == proxy_header_parser::status::error);
    e.reset();
    CHECK(e.feed("PROXY UNKNOWN\r\n", 15).state == proxy_header_parser::status::done);
}

TEST_CASE("proxy_header_parser: a v2 header of the longest length is skipped by count", "[proxy]") {
    const std::string body = inet4("192.0.2.1", "192.0.2.2", 1000, 80) + tlv(0x04, std::string(65535 - 12 - 3, 'z'));
    REQUIRE(body.size() == 65535);
    const std::string h = v2(0x21, 0x11, body);
    outcome o = run(h + "GET", {1, 17, 29, 30000});
    CHECK(o.state == proxy_header_parser::status::done);
    CHECK(o.consumed == h.size());
    CHECK(o.source == "192.0.2.1:1000");
}

TEST_CASE("proxy_header_parser: mutated headers get the same verdict however they are split", "[proxy]") {
    // Deterministic mutations of the valid headers (a fixed-seed LCG): flip,
    // insert or drop bytes, then compare one feed with two and with byte by byte.
    std::uint64_t state = 0x9e3779b97f4a7c15ULL;
    auto next = [&state](std::uint64_t bound) {
        state = state * 6364136223846793005ULL + 1442695040888963407ULL;
        return static_cast<std::size_t>((state >> 33) % bound);
    };
    const std::string after = "GET / HTTP/1.1\r\n\r\n";
    std::size_t done = 0, errors = 0;
    for (const valid_case& c : valid_cases()) {
        for (int round = 0; round < 200; ++round) {
            std::string input = c.header;
            for (std::size_t k = 1 + next(3); k > 0 && !input.empty(); --k) {
                const std::size_t at = next(input.size());
                switch (next(3)) {
                    case 0: input[at] = static_cast<char>(next(256)); break;
                    case 1: input.insert(at, 1, static_cast<char>(next(256))); break;
                    default: input.erase(at, 1); break;
                }
            }
            input += after;
            INFO(c.name << ", round " << round);
            const outcome whole = run(input);
            const outcome two = run(input, {next(input.size() + 1)});
            std::vector<std::size_t> every;
            for (std::size_t i = 1; i < input.size(); ++i) every.push_back(i);
            const outcome bytes = run(input, every);
            CHECK(two.state == whole.state);
            CHECK(bytes.state == whole.state);
            if (whole.state == proxy_header_parser::status::done) {
                ++done;
                CHECK(two.consumed == whole.consumed);
                CHECK(bytes.consumed == whole.consumed);
                CHECK(two.source == whole.source);
                CHECK(bytes.source == whole.source);
                CHECK(whole.consumed <= input.size());
            } else if (whole.state == proxy_header_parser::status::error) {
                ++errors;
            }
        }
    }
    // Both verdicts occur, so the comparison means something.
    CHECK(done > 0);
    CHECK(errors > 0);
}
