// file_server over real sockets: file bytes are read through the ring, so a
// read that waits stalls only its own request, large files stream intact,
// and clients that leave or servers that close mid-read hurt nothing.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include <catch2/catch_test_macros.hpp>

#include <ringhttp/file_server.hpp>
#include <ringhttp/ringhttp.hpp>

#include "tests/lib/files/files_tree.hpp"
#include "tests/support/wire.hpp"

using namespace std::chrono_literals;
using ringhttp::test::parse_responses;
using ringhttp::test::raw_connection;
using ringhttp::test::test_server;

namespace {

std::string get_request(std::string_view path, std::string_view extra = {}) {
    return "GET " + std::string(path) + " HTTP/1.1\r\nHost: x\r\n" + std::string(extra) + "\r\n";
}

// fifo makes a named pipe below root and holds its write end open (so a
// reader waits for bytes instead of seeing end of file).
struct fifo {
    std::string path;
    int wfd = -1;
    explicit fifo(std::string p) : path(std::move(p)) {
        REQUIRE(::mkfifo(path.c_str(), 0644) == 0);
        wfd = ::open(path.c_str(), O_RDWR | O_NONBLOCK | O_CLOEXEC);
        REQUIRE(wfd >= 0);
    }
    void finish(std::string_view data) {
        if (wfd < 0) return;
        if (!data.empty()) REQUIRE(::write(wfd, data.data(), data.size()) == static_cast<ssize_t>(data.size()));
        ::close(wfd);
        wfd = -1;
    }
    ~fifo() {
        if (wfd >= 0) ::close(wfd);
    }
};

}  // namespace

TEST_CASE("file_server: a large file streams through the ring intact", "[files][wire]") {
    files_tree tree;
    test_server srv(ringhttp::file_server(tree.root()));
    raw_connection c(srv.port());
    c.send(get_request("/big.bin"));
    auto got = c.read_responses(1, {"GET"}, 60s);
    auto rs = parse_responses(got.bytes, {"GET"}, got.closed);
    REQUIRE(rs.size() == 1);
    CHECK(rs[0].status == 200);
    CHECK(rs[0].header("content-length") == std::to_string(tree.big.size()));
    CHECK(rs[0].header("accept-ranges") == "bytes");
    CHECK(rs[0].body.size() == tree.big.size());
    CHECK(rs[0].body == tree.big);

    // A range deep inside the file, on the same connection.
    c.send(get_request("/big.bin", "Range: bytes=2000000-2000009\r\n"));
    got = c.read_responses(1, {"GET"}, 30s);
    rs = parse_responses(got.bytes, {"GET"}, got.closed);
    REQUIRE(rs.size() == 1);
    CHECK(rs[0].status == 206);
    CHECK(rs[0].header("content-range") == "bytes 2000000-2000009/" + std::to_string(tree.big.size()));
    CHECK(rs[0].body == tree.big.substr(2000000, 10));
}

TEST_CASE("file_server: several downloads at once on one ring all complete", "[files][wire]") {
    files_tree tree;
    test_server srv(ringhttp::file_server(tree.root()));
    std::vector<std::unique_ptr<raw_connection>> conns;
    for (int i = 0; i < 4; ++i) {
        conns.push_back(std::make_unique<raw_connection>(srv.port()));
        conns.back()->send(get_request("/big.bin", "Range: bytes=" + std::to_string(i * 100000) + "-\r\n"));
    }
    for (int i = 0; i < 4; ++i) {
        auto got = conns[i]->read_responses(1, {"GET"}, 60s);
        auto rs = parse_responses(got.bytes, {"GET"}, got.closed);
        REQUIRE(rs.size() == 1);
        CHECK(rs[0].status == 206);
        CHECK(rs[0].body == tree.big.substr(static_cast<std::size_t>(i) * 100000));
    }
}

TEST_CASE("file_server: a read that waits stalls only its own request", "[files][wire]") {
    files_tree tree;
    fifo slow(tree.root() + "/slow");
    test_server srv(ringhttp::file_server(tree.root()));  // one ring

    raw_connection a(srv.port());
    a.send(get_request("/slow"));  // no extension: the sniffer reads the pipe, which has no bytes yet
    std::this_thread::sleep_for(200ms);

    // The ring still serves others while /slow's read is in flight.
    raw_connection b(srv.port());
    b.send(get_request("/hello.txt"));
    auto got_b = b.read_responses(1, {"GET"}, 20s);
    auto rb = parse_responses(got_b.bytes, {"GET"}, got_b.closed);
    REQUIRE(rb.size() == 1);
    CHECK(rb[0].status == 200);
    CHECK(rb[0].body == tree.hello);
    CHECK(a.read_until_idle(100ms).bytes.empty());  // /slow is still waiting

    slow.finish("abc");
    auto got_a = a.read_responses(1, {"GET"}, 20s);
    auto ra = parse_responses(got_a.bytes, {"GET"}, got_a.closed);
    REQUIRE(ra.size() == 1);
    CHECK(ra[0].status == 200);
    CHECK(ra[0].header("content-type") == "text/plain; charset=utf-8");  // sniffed from "abc"
}

TEST_CASE("file_server: closing the server cancels a read that would never end", "[files][wire]") {
    files_tree tree;
    fifo slow(tree.root() + "/slow");
    const auto t0 = std::chrono::steady_clock::now();
    {
        test_server srv(ringhttp::file_server(tree.root()));
        raw_connection a(srv.port());
        a.send(get_request("/slow"));
        std::this_thread::sleep_for(200ms);
        // test_server's destructor closes the server: it must return though
        // the pipe never delivers a byte (the ring cancels the read).
    }
    // Not a speed check: without the cancel, close() never returns at all.
    CHECK(std::chrono::steady_clock::now() - t0 < 60s);
}

TEST_CASE("file_server: a client that leaves mid-download hurts nothing", "[files][wire]") {
    files_tree tree;
    test_server srv(ringhttp::file_server(tree.root()));
    for (int i = 0; i < 3; ++i) {
        raw_connection c(srv.port());
        c.send(get_request("/big.bin"));
        auto first = c.read_until_idle(200ms);
        CHECK(!first.bytes.empty());
        c.reset_close();
    }
    raw_connection d(srv.port());
    d.send(get_request("/hello.txt"));
    auto got = d.read_responses(1, {"GET"}, 20s);
    auto rs = parse_responses(got.bytes, {"GET"}, got.closed);
    REQUIRE(rs.size() == 1);
    CHECK(rs[0].status == 200);
    CHECK(rs[0].body == tree.hello);
}

TEST_CASE("file_server: traversal on the wire never reaches outside the root", "[files][wire]") {
    files_tree tree;
    test_server srv(ringhttp::file_server(tree.root()));
    for (const char* target : {"/../outside.txt", "/%2e%2e/outside.txt", "/..%2foutside.txt", "/escape", "/abs",
                               "/sub/../../outside.txt", "/.%2e/outside.txt"}) {
        raw_connection c(srv.port());
        c.send(get_request(target));
        auto got = c.read_responses(1, {"GET"}, 10s);
        auto rs = parse_responses(got.bytes, {"GET"}, got.closed);
        INFO(target);
        CHECK(got.bytes.find("outside\n") == std::string::npos);
        if (!rs.empty()) CHECK(rs[0].status != 200);
    }
}
