// Wire tests: response framing, Go's chunkWriter.writeHeader rules, checked
// byte for byte over 127.0.0.1.
#include <catch2/catch_test_macros.hpp>
#include <catch2/generators/catch_generators.hpp>

#include <atomic>
#include <chrono>
#include <future>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <ringhttp/ringhttp.hpp>

#include "tests/support/wire.hpp"

using namespace ringhttp;
using namespace ringhttp::test;
using namespace std::chrono_literals;

namespace {

std::string get(std::string_view path, std::string_view proto = "HTTP/1.1", std::string_view extra = "",
                std::string_view method = "GET") {
    std::string s;
    s.append(method).append(" ").append(path).append(" ").append(proto).append("\r\nHost: test\r\n");
    s.append(extra).append("\r\n");
    return s;
}

struct got {
    std::vector<response> rs;
    bool closed = false;
    std::string raw;
};

// Reads n responses (fewer if the server closes or 5 s pass).
got read_n(raw_connection& c, std::size_t n, const std::vector<std::string>& methods = {}) {
    raw_result r = c.read_responses(n, methods, 5000ms);
    return {parse_responses(r.bytes, methods, r.closed), r.closed, r.bytes};
}

// Sends one request on a fresh connection and reads its response; `closed`
// tells whether the server then closed, waiting at most `idle` for it (0: do
// not wait, closed is then only known for close-delimited responses).
got one(std::uint16_t port, std::string_view req, const std::vector<std::string>& methods = {},
        std::chrono::milliseconds idle = 0ms) {
    raw_connection c(port);
    c.send(req);
    raw_result r = c.read_responses(1, methods, 5000ms);
    if (!r.closed && idle.count() > 0) {
        raw_result more = c.read_until_idle(idle);
        r.bytes += more.bytes;
        r.closed = more.closed;
    }
    return {parse_responses(r.bytes, methods, r.closed), r.closed, r.bytes};
}

// gate lets a handler wait (bounded) until the test releases it; released on
// destruction so a failing test never leaves the ring thread blocked.
struct gate {
    std::promise<void> p;
    std::shared_future<void> f = p.get_future().share();
    std::atomic<bool> done{false};
    void release() {
        if (!done.exchange(true)) p.set_value();
    }
    bool wait(std::chrono::milliseconds d) const { return f.wait_for(d) == std::future_status::ready; }
};
struct gate_guard {
    std::shared_ptr<gate> g;
    ~gate_guard() { g->release(); }
};

// Reads until `needle` appears or `deadline` passes; returns what was read.
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

bool looks_like_http_date(const std::string& d) {
    // IMF-fixdate: "Sun, 06 Nov 1994 08:49:37 GMT"
    if (d.size() != 29) return false;
    return d[3] == ',' && d[4] == ' ' && d[7] == ' ' && d[11] == ' ' && d[16] == ' ' && d[19] == ':' &&
           d[22] == ':' && d.substr(25) == " GMT";
}

handler_ptr writes(std::string body) {
    return make_handler([body](response_writer& w, request&) { (void)w.write(body); });
}

}  // namespace

TEST_CASE("framing: a small body without Content-Length gets one even 0", "[wire][framing]") {
    auto size = GENERATE(std::size_t{0}, std::size_t{1}, std::size_t{100}, std::size_t{4096});
    test_server s(writes(std::string(size, 'a')));
    got g = one(s.port(), get("/"));
    REQUIRE(g.rs.size() == 1);
    const response& r = g.rs[0];
    CHECK(r.status == 200);
    CHECK(r.frame == response::framing::length);
    CHECK(r.header("content-length") == std::to_string(size));
    CHECK_FALSE(r.has("transfer-encoding"));
    CHECK(r.body == std::string(size, 'a'));
}

TEST_CASE("framing: pipelined plain 200s of every size around a 4 KB block keep order and length", "[wire][framing]") {
    // A plain 200 (no handler fields) goes out as a cached head with its
    // body copied after it when both fit the output block, else in pieces:
    // sizes either side of that, and lengths that change and come back, so
    // the cached head is rebuilt and reused. Each body is one letter, by index.
    test_server s(make_handler([](response_writer& w, request& r) {
        const std::string_view path = r.url().path;  // "/<size>/<letter>"
        const std::size_t slash = path.rfind('/');
        const std::size_t size = std::stoul(std::string(path.substr(1, slash - 1)));
        (void)w.write(std::string(size, path[slash + 1]));
    }));
    const std::vector<std::size_t> sizes = {13, 0, 13, 1, 3900, 3930, 3940, 3950, 3960, 4000, 4096, 13, 2000, 2000, 2000, 0};
    std::string batch;
    for (std::size_t i = 0; i < sizes.size(); ++i)
        batch += get("/" + std::to_string(sizes[i]) + "/" + std::string(1, static_cast<char>('a' + i)));
    raw_connection c(s.port());
    c.send(batch);
    got g = read_n(c, sizes.size());
    REQUIRE(g.rs.size() == sizes.size());
    std::size_t total = 0;
    for (std::size_t i = 0; i < sizes.size(); ++i) {
        INFO("response " << i << ", " << sizes[i] << " bytes");
        const response& r = g.rs[i];
        CHECK(r.version == "HTTP/1.1");
        CHECK(r.status == 200);
        CHECK(r.frame == response::framing::length);
        CHECK(r.header("content-length") == std::to_string(sizes[i]));
        CHECK(r.body == std::string(sizes[i], static_cast<char>('a' + i)));
        CHECK(r.has("date"));
        CHECK(r.has("content-type") == (sizes[i] != 0));
        total += g.raw.find("\r\n\r\n", total) + 4 - total + sizes[i];
    }
    CHECK(total == g.raw.size());  // nothing between or after the responses
    CHECK_FALSE(g.closed);
}

TEST_CASE("framing: a small body written in pieces gets the total Content-Length", "[wire][framing]") {
    test_server s(make_handler([](response_writer& w, request&) {
        for (int i = 0; i < 100; ++i) (void)w.write("0123456789");
    }));
    got g = one(s.port(), get("/"));
    REQUIRE(g.rs.size() == 1);
    CHECK(g.rs[0].header("content-length") == "1000");
    CHECK(g.rs[0].body.size() == 1000);
}

TEST_CASE("framing: a body past 4 KB is chunked for HTTP/1.1 and the connection stays open", "[wire][framing]") {
    auto pieces = GENERATE(1, 10, 1000);  // one write of 10000 bytes, or many smaller ones
    const std::size_t total = 10000;
    test_server s(make_handler([pieces, total](response_writer& w, request&) {
        std::string part(total / static_cast<std::size_t>(pieces), 'b');
        for (int i = 0; i < pieces; ++i) (void)w.write(part);
    }));
    raw_connection c(s.port());
    c.send(get("/") + get("/"));
    got g = read_n(c, 2);
    REQUIRE(g.rs.size() == 2);
    for (const response& r : g.rs) {
        CHECK(r.status == 200);
        CHECK(r.frame == response::framing::chunked);
        CHECK_FALSE(r.has("content-length"));
        CHECK(r.body == std::string(total, 'b'));
    }
    CHECK_FALSE(g.closed);
}

TEST_CASE("framing: 4097 bytes are chunked and 4096 are not", "[wire][framing]") {
    auto size = GENERATE(std::size_t{4096}, std::size_t{4097});
    test_server s(writes(std::string(size, 'c')));
    got g = one(s.port(), get("/"));
    REQUIRE(g.rs.size() == 1);
    CHECK(g.rs[0].frame == (size > 4096 ? response::framing::chunked : response::framing::length));
    CHECK(g.rs[0].body.size() == size);
}

TEST_CASE("framing: a body past 4 KB for HTTP/1.0 is close-delimited and the connection closes", "[wire][framing]") {
    auto extra = GENERATE(std::string(), std::string("Connection: keep-alive\r\n"));
    test_server s(writes(std::string(10000, 'd')));
    got g = one(s.port(), get("/", "HTTP/1.0", extra), {}, 2000ms);
    REQUIRE(g.rs.size() == 1);
    const response& r = g.rs[0];
    CHECK(r.version == "HTTP/1.0");
    CHECK(r.frame == response::framing::close);
    CHECK_FALSE(r.has("content-length"));
    CHECK_FALSE(r.has("transfer-encoding"));
    CHECK(r.header("connection") != "keep-alive");
    CHECK(r.body == std::string(10000, 'd'));
    CHECK(g.closed);
}

TEST_CASE("framing: a handler-set Content-Length is sent once and respected", "[wire][framing]") {
    auto size = GENERATE(std::size_t{5}, std::size_t{10000});
    test_server s(make_handler([size](response_writer& w, request&) {
        w.header().set("Content-Length", std::to_string(size));
        (void)w.write(std::string(size, 'e'));
    }));
    raw_connection c(s.port());
    c.send(get("/") + get("/"));
    got g = read_n(c, 2);
    REQUIRE(g.rs.size() == 2);
    for (const response& r : g.rs) {
        CHECK(r.frame == response::framing::length);
        CHECK(r.headers.count("content-length") == 1);
        CHECK(r.header("content-length") == std::to_string(size));
        CHECK_FALSE(r.has("transfer-encoding"));
        CHECK(r.body == std::string(size, 'e'));
    }
    CHECK_FALSE(g.closed);
}

TEST_CASE("framing: a body shorter than the declared Content-Length closes the connection", "[wire][framing]") {
    test_server s(make_handler([](response_writer& w, request&) {
        w.header().set("Content-Length", "10");
        (void)w.write("hello");
    }));
    raw_connection c(s.port());
    c.send(get("/") + get("/second"));
    raw_result r = c.read_until_idle(2000ms);
    CHECK(r.closed);
    std::size_t head_end = r.bytes.find("\r\n\r\n");
    REQUIRE(head_end != std::string::npos);
    CHECK(r.bytes.find("Content-Length: 10\r\n") < head_end);
    // Exactly the 5 bytes written, and nothing for the pipelined second request.
    CHECK(r.bytes.substr(head_end + 4) == "hello");
}

TEST_CASE("framing: a write past the declared Content-Length fails with errc::content_length", "[wire][framing]") {
    struct state {
        std::mutex mu;
        io_result first, second;
    };
    auto st = std::make_shared<state>();
    test_server s(make_handler([st](response_writer& w, request&) {
        w.header().set("Content-Length", "5");
        io_result a = w.write("hel");
        io_result b = w.write("lo world");
        std::lock_guard lock(st->mu);
        st->first = a;
        st->second = b;
    }));
    got g = one(s.port(), get("/"), {}, 2000ms);
    {
        std::lock_guard lock(st->mu);
        CHECK(st->first.n == 3);
        CHECK_FALSE(st->first.ec);
        CHECK(st->second.n == 0);
        CHECK(st->second.ec == errc::content_length);
    }
    // The head and the 3 accepted bytes went out; 2 bytes short: Go closes.
    CHECK(g.closed);
    CHECK(g.raw.find("Content-Length: 5\r\n") != std::string::npos);
    CHECK(g.raw.substr(g.raw.find("\r\n\r\n") + 4) == "hel");
}

TEST_CASE("framing: an invalid handler-set Content-Length is logged and replaced", "[wire][framing]") {
    test_server s(make_handler([](response_writer& w, request&) {
        w.header().set("Content-Length", "abc");
        (void)w.write("hello");
    }));
    got g = one(s.port(), get("/"));
    REQUIRE(g.rs.size() == 1);
    CHECK(g.rs[0].header("content-length") == "5");
    CHECK(g.rs[0].body == "hello");
    bool logged = false;
    for (const std::string& l : s.log_lines()) logged |= l.find("invalid Content-Length") != std::string::npos;
    CHECK(logged);
}

TEST_CASE("framing: Content-Type is sniffed from the first bytes when unset", "[wire][framing]") {
    struct row {
        std::string body;
        std::string type;  // empty: no Content-Type
    };
    auto [body, type] = GENERATE(values<row>({
        {"<html><body>hi</body></html>", "text/html; charset=utf-8"},
        {"<!DOCTYPE html><html>", "text/html; charset=utf-8"},
        {"hello world\n", "text/plain; charset=utf-8"},
        {std::string("\x00\x01\x02\x03 binary", 11), "application/octet-stream"},
        {"%PDF-1.4 ...", "application/pdf"},
        {"<html>" + std::string(10000, 'x'), "text/html; charset=utf-8"},  // chunked: sniffed too
        {"", ""},
    }));
    test_server s(writes(body));
    got g = one(s.port(), get("/"));
    REQUIRE(g.rs.size() == 1);
    CHECK(g.rs[0].headers.count("content-type") == (type.empty() ? 0u : 1u));
    CHECK(g.rs[0].header("content-type") == type);
    CHECK(g.rs[0].body == body);
}

TEST_CASE("framing: Content-Type is not sniffed when set or when Content-Encoding is set", "[wire][framing]") {
    SECTION("handler's Content-Type is kept, once") {
        test_server s(make_handler([](response_writer& w, request&) {
            w.header().set("Content-Type", "application/json");
            (void)w.write("<html>");
        }));
        got g = one(s.port(), get("/"));
        REQUIRE(g.rs.size() == 1);
        CHECK(g.rs[0].headers.count("content-type") == 1);
        CHECK(g.rs[0].header("content-type") == "application/json");
    }
    SECTION("Content-Encoding set: no Content-Type") {
        test_server s(make_handler([](response_writer& w, request&) {
            w.header().set("Content-Encoding", "gzip");
            (void)w.write("<html><body>not really gzip</body></html>");
        }));
        got g = one(s.port(), get("/"));
        REQUIRE(g.rs.size() == 1);
        CHECK_FALSE(g.rs[0].has("content-type"));
        CHECK(g.rs[0].header("content-encoding") == "gzip");
    }
    SECTION("an empty Content-Type set by the handler stays empty (Go: present key, no sniffing)") {
        test_server s(make_handler([](response_writer& w, request&) {
            w.header().set("Content-Type", "");
            (void)w.write("<html>");
        }));
        got g = one(s.port(), get("/"));
        REQUIRE(g.rs.size() == 1);
        CHECK(g.rs[0].header("content-type").empty());
    }
}

TEST_CASE("framing: every response carries a Date header in IMF-fixdate form", "[wire][framing]") {
    auto code = GENERATE(200, 204, 304, 404);
    test_server s(make_handler([code](response_writer& w, request&) { w.write_header(code); }));
    got g = one(s.port(), get("/"));
    REQUIRE(g.rs.size() == 1);
    CHECK(g.rs[0].headers.count("date") == 1);
    CHECK(looks_like_http_date(g.rs[0].header("date")));
}

TEST_CASE("framing: a handler-set Date replaces the server's", "[wire][framing]") {
    test_server s(make_handler([](response_writer& w, request&) {
        w.header().set("Date", "Sun, 06 Nov 1994 08:49:37 GMT");
    }));
    got g = one(s.port(), get("/"));
    REQUIRE(g.rs.size() == 1);
    CHECK(g.rs[0].headers.count("date") == 1);
    CHECK(g.rs[0].header("date") == "Sun, 06 Nov 1994 08:49:37 GMT");
}

TEST_CASE("framing: HEAD gets the headers a GET would and no body", "[wire][framing]") {
    struct row {
        std::size_t size;
        bool has_length;
    };
    // Go: a small written body gives Content-Length; nothing written gives
    // none (the handler may have skipped the body for HEAD); a big one gives
    // neither Content-Length nor chunked.
    auto [size, has_length] = GENERATE(values<row>({{5, true}, {0, false}, {10000, false}}));
    test_server s(writes(std::string(size, 'h')));
    raw_connection c(s.port());
    // A GET follows on the same connection: any stray body byte would corrupt it.
    c.send(get("/", "HTTP/1.1", "", "HEAD") + get("/after"));
    got g = read_n(c, 2, {"HEAD", "GET"});
    REQUIRE(g.rs.size() == 2);
    const response& h = g.rs[0];
    CHECK(h.status == 200);
    CHECK(h.body.empty());
    CHECK(h.has("content-length") == has_length);
    if (has_length) CHECK(h.header("content-length") == std::to_string(size));
    CHECK_FALSE(h.has("transfer-encoding"));
    if (size > 0) CHECK(h.header("content-type") == "text/plain; charset=utf-8");
    CHECK(g.rs[1].body == std::string(size, 'h'));
    CHECK_FALSE(g.closed);
}

TEST_CASE("framing: HEAD with a handler-set Content-Length keeps it", "[wire][framing]") {
    test_server s(make_handler([](response_writer& w, request&) { w.header().set("Content-Length", "1234"); }));
    raw_connection c(s.port());
    c.send(get("/", "HTTP/1.1", "", "HEAD") + get("/", "HTTP/1.1", "", "HEAD"));
    got g = read_n(c, 2, {"HEAD", "HEAD"});
    REQUIRE(g.rs.size() == 2);
    CHECK(g.rs[0].header("content-length") == "1234");
    CHECK(g.rs[1].header("content-length") == "1234");
    raw_result rest = c.read_until_idle(150ms);
    CHECK_FALSE(rest.closed);
}

TEST_CASE("framing: 204 and 304 carry no body nor Content-Length nor Transfer-Encoding", "[wire][framing]") {
    auto code = GENERATE(204, 304);
    struct state {
        std::mutex mu;
        io_result res;
    };
    auto st = std::make_shared<state>();
    test_server s(make_handler([code, st](response_writer& w, request& r) {
        if (r.url().path == "/after") {
            (void)w.write("after");
            return;
        }
        w.header().set("Content-Length", "5");
        w.header().set("Transfer-Encoding", "chunked");
        w.header().set("Content-Type", "text/plain");
        w.write_header(code);
        io_result res = w.write("hello");
        std::lock_guard lock(st->mu);
        st->res = res;
    }));
    raw_connection c(s.port());
    c.send(get("/") + get("/after"));
    got g = read_n(c, 2);
    REQUIRE(g.rs.size() == 2);
    const response& r = g.rs[0];
    CHECK(r.status == code);
    CHECK_FALSE(r.has("content-length"));
    CHECK_FALSE(r.has("transfer-encoding"));
    // Go's suppressedHeaders: 304 drops Content-Type too, 204 keeps it.
    CHECK(r.has("content-type") == (code == 204));
    // The next response starts right after the head: no body bytes between.
    CHECK(g.raw.find("\r\n\r\nHTTP/1.1 200") != std::string::npos);
    CHECK(g.rs[1].body == "after");
    std::lock_guard lock(st->mu);
    CHECK(st->res.n == 0);
    CHECK(st->res.ec == errc::body_not_allowed);
}

TEST_CASE("framing: write on a 204 returns errc::body_not_allowed", "[wire][framing]") {
    struct state {
        std::mutex mu;
        io_result res;
    };
    auto st = std::make_shared<state>();
    test_server s(make_handler([st](response_writer& w, request&) {
        w.write_header(status_no_content);
        io_result res = w.write("x");
        std::lock_guard lock(st->mu);
        st->res = res;
    }));
    got g = one(s.port(), get("/"));
    REQUIRE(g.rs.size() == 1);
    CHECK(g.rs[0].status == 204);
    std::lock_guard lock(st->mu);
    CHECK(st->res.ec == errc::body_not_allowed);
}

TEST_CASE("framing: flush sends the head and the data at once chunked while the handler runs",
          "[wire][framing]") {
    auto g_ = std::make_shared<gate>();
    test_server s(make_handler([g_](response_writer& w, request&) {
        (void)w.write("first");
        (void)w.flush();
        g_->wait(3000ms);
        (void)w.write("second");
    }));
    gate_guard guard{g_};
    raw_connection c(s.port());
    c.send(get("/"));
    std::string early = read_until_contains(c, "first\r\n", 2000ms);
    const bool arrived_early = early.find("5\r\nfirst\r\n") != std::string::npos;
    g_->release();
    CHECK(arrived_early);
    CHECK(early.find("0\r\n\r\n") == std::string::npos);  // not finished yet
    std::string all = early + read_until_contains(c, "0\r\n\r\n", 3000ms);
    auto rs = parse_responses(all, {}, false);
    REQUIRE(rs.size() == 1);
    CHECK(rs[0].frame == response::framing::chunked);
    CHECK(rs[0].body == "firstsecond");
    CHECK(rs[0].header("content-type") == "text/plain; charset=utf-8");
}

TEST_CASE("framing: flush before any write sends the head alone", "[wire][framing]") {
    auto g_ = std::make_shared<gate>();
    test_server s(make_handler([g_](response_writer& w, request&) {
        w.write_header(status_accepted);
        (void)w.flush();
        g_->wait(3000ms);
        (void)w.write("late");
    }));
    gate_guard guard{g_};
    raw_connection c(s.port());
    c.send(get("/"));
    std::string early = read_until_contains(c, "\r\n\r\n", 2000ms);
    const bool head_early = early.find("HTTP/1.1 202 Accepted\r\n") == 0 && early.find("\r\n\r\n") != std::string::npos;
    g_->release();
    CHECK(head_early);
    std::string all = early + read_until_contains(c, "0\r\n\r\n", 3000ms);
    auto rs = parse_responses(all, {}, false);
    REQUIRE(rs.size() == 1);
    CHECK(rs[0].status == 202);
    CHECK(rs[0].frame == response::framing::chunked);
    CHECK(rs[0].body == "late");
    // Nothing to sniff from when the head went out (Go: len(p) == 0).
    CHECK_FALSE(rs[0].has("content-type"));
}

TEST_CASE("framing: Transfer-Encoding identity from the handler means close-delimited", "[wire][framing]") {
    auto size = GENERATE(std::size_t{5}, std::size_t{10000});
    test_server s(make_handler([size](response_writer& w, request&) {
        w.header().set("Transfer-Encoding", "identity");
        (void)w.write(std::string(size, 'i'));
    }));
    got g = one(s.port(), get("/"), {}, 2000ms);
    REQUIRE(g.rs.size() == 1);
    const response& r = g.rs[0];
    CHECK(r.frame == response::framing::close);
    CHECK_FALSE(r.has("transfer-encoding"));
    CHECK_FALSE(r.has("content-length"));
    CHECK(r.body == std::string(size, 'i'));
    CHECK(g.closed);
}

TEST_CASE("framing: Content-Length with Transfer-Encoding chunked drops the length and logs", "[wire][framing]") {
    test_server s(make_handler([](response_writer& w, request&) {
        w.header().set("Content-Length", "5");
        w.header().set("Transfer-Encoding", "chunked");
        (void)w.write("hello");
    }));
    got g = one(s.port(), get("/"));
    REQUIRE(g.rs.size() == 1);
    CHECK(g.rs[0].frame == response::framing::chunked);
    CHECK(g.rs[0].headers.count("transfer-encoding") == 1);
    CHECK_FALSE(g.rs[0].has("content-length"));
    CHECK(g.rs[0].body == "hello");
    bool logged = false;
    for (const std::string& l : s.log_lines()) logged |= l.find("both Transfer-Encoding") != std::string::npos;
    CHECK(logged);
}

TEST_CASE("framing: CR and LF in header values cannot inject fields", "[wire][framing]") {
    test_server s(make_handler([](response_writer& w, request&) {
        w.header().set("X-Evil", "a\r\nSet-Cookie: injected=1");
        w.header().set("X-Lf", "b\nX-Injected: 1");
        w.header().set("X-Bad\r\nX-Name-Injected", "c");
        w.header().set("Location", "/x\r\n\r\n<html>smuggled");
        (void)w.write("ok");
    }));
    got g = one(s.port(), get("/"));
    REQUIRE(g.rs.size() == 1);
    const response& r = g.rs[0];
    CHECK_FALSE(r.has("set-cookie"));
    CHECK_FALSE(r.has("x-injected"));
    CHECK_FALSE(r.has("x-name-injected"));
    CHECK(r.header("x-evil").find("Set-Cookie") != std::string::npos);  // kept, on one line
    CHECK(r.body == "ok");
    std::size_t head_end = g.raw.find("\r\n\r\n");
    REQUIRE(head_end != std::string::npos);
    std::string head = g.raw.substr(0, head_end);
    for (std::size_t i = 0; i < head.size(); ++i) {
        if (head[i] == '\n') {
            INFO("byte " << i);
            CHECK(head[i - 1] == '\r');
        }
        if (head[i] == '\r') CHECK((i + 1 < head.size() && head[i + 1] == '\n'));
    }
}

TEST_CASE("framing: a superfluous write_header is logged and ignored", "[wire][framing]") {
    SECTION("write_header twice") {
        test_server s(make_handler([](response_writer& w, request&) {
            w.write_header(201);
            w.write_header(404);
        }));
        got g = one(s.port(), get("/"));
        REQUIRE(g.rs.size() == 1);
        CHECK(g.rs[0].status == 201);
        auto lines = s.log_lines();
        REQUIRE(lines.size() == 1);
        CHECK(lines[0].find("superfluous response.WriteHeader call") != std::string::npos);
    }
    SECTION("write then write_header") {
        test_server s(make_handler([](response_writer& w, request&) {
            (void)w.write("body");
            w.write_header(500);
        }));
        got g = one(s.port(), get("/"));
        REQUIRE(g.rs.size() == 1);
        CHECK(g.rs[0].status == 200);
        CHECK(g.rs[0].body == "body");
        auto lines = s.log_lines();
        REQUIRE(lines.size() == 1);
        CHECK(lines[0].find("superfluous response.WriteHeader call") != std::string::npos);
    }
}

TEST_CASE("framing: header changes after write_header do not reach the wire", "[wire][framing]") {
    test_server s(make_handler([](response_writer& w, request&) {
        w.header().set("X-Before", "1");
        w.write_header(200);
        w.header().set("X-After", "1");
        (void)w.write("x");
    }));
    got g = one(s.port(), get("/"));
    REQUIRE(g.rs.size() == 1);
    CHECK(g.rs[0].has("x-before"));
    CHECK_FALSE(g.rs[0].has("x-after"));
}

TEST_CASE("framing: write_header(103) sends an informational response before the final one", "[wire][framing]") {
    test_server s(make_handler([](response_writer& w, request&) {
        w.header().set("Link", "</style.css>; rel=preload; as=style");
        w.write_header(status_early_hints);
        w.write_header(status_early_hints);  // several 1xx are allowed
        (void)w.write("final");
    }));
    raw_connection c(s.port());
    c.send(get("/") + get("/"));
    got g = read_n(c, 6);
    // 103, 103, 200, then 103, 103, 200.
    REQUIRE(g.rs.size() == 6);
    for (int i = 0; i < 2; ++i) {
        CHECK(g.rs[3 * i].status == 103);
        CHECK(g.rs[3 * i].header("link") == "</style.css>; rel=preload; as=style");
        CHECK_FALSE(g.rs[3 * i].has("content-length"));
        CHECK_FALSE(g.rs[3 * i].has("transfer-encoding"));
        CHECK(g.rs[3 * i + 1].status == 103);
        CHECK(g.rs[3 * i + 2].status == 200);
        CHECK(g.rs[3 * i + 2].body == "final");
    }
    CHECK(g.raw.rfind("HTTP/1.1 103 Early Hints\r\n", 0) == 0);
    CHECK(s.log_lines().empty());
}

TEST_CASE("framing: a 103 goes out at once before the handler finishes as Go flushes 1xx", "[wire][framing]") {
    auto g_ = std::make_shared<gate>();
    test_server s(make_handler([g_](response_writer& w, request&) {
        w.header().set("Link", "</a.js>; rel=preload");
        w.write_header(status_early_hints);
        g_->wait(3000ms);
        (void)w.write("final");
    }));
    gate_guard guard{g_};
    raw_connection c(s.port());
    c.send(get("/"));
    std::string early = read_until_contains(c, "\r\n\r\n", 1500ms);
    const bool hint_early = early.rfind("HTTP/1.1 103 Early Hints\r\n", 0) == 0;
    g_->release();
    CHECK(hint_early);
    std::string all = early + read_until_contains(c, "final", 4000ms);
    auto rs = parse_responses(all, {}, false);
    REQUIRE(rs.size() == 2);
    CHECK(rs[0].status == 103);
    CHECK(rs[1].status == 200);
    CHECK(rs[1].body == "final");
}

TEST_CASE("framing: HTTP/1.0 requests get an HTTP/1.0 status line", "[wire][framing]") {
    test_server s(writes("ten"));
    got g = one(s.port(), get("/", "HTTP/1.0"), {}, 2000ms);
    REQUIRE(g.rs.size() == 1);
    CHECK(g.rs[0].version == "HTTP/1.0");
    CHECK(g.rs[0].header("content-length") == "3");
    CHECK(g.closed);
}

TEST_CASE("framing: empty writes and repeated flushes never emit an empty chunk", "[wire][framing]") {
    test_server s(make_handler([](response_writer& w, request&) {
        (void)w.write("a");
        (void)w.flush();
        (void)w.flush();
        (void)w.write("");
        (void)w.flush();
        (void)w.write("b");
        (void)w.write("");
    }));
    raw_connection c(s.port());
    c.send(get("/") + get("/"));
    got g = read_n(c, 2);
    REQUIRE(g.rs.size() == 2);
    for (const response& r : g.rs) {
        CHECK(r.frame == response::framing::chunked);
        CHECK(r.body == "ab");
    }
    CHECK(g.raw.find("\r\n0\r\n\r\nHTTP/1.1") != std::string::npos);
}

TEST_CASE("framing: writes of every size around the 4 KB buffer make an exact chunked body", "[wire][framing]") {
    auto sizes = GENERATE(std::vector<std::size_t>{4095, 1, 4096, 4097},
                          std::vector<std::size_t>{1, 4096, 2, 8192, 3},
                          std::vector<std::size_t>{5000, 4000, 100, 4096, 0, 65536, 7},
                          std::vector<std::size_t>{4096, 4096, 4096});
    test_server s(make_handler([sizes](response_writer& w, request&) {
        char c = 'a';
        for (std::size_t n : sizes) {
            (void)w.write(std::string(n, c));
            c = c == 'z' ? 'a' : static_cast<char>(c + 1);
        }
    }));
    std::string want;
    char c = 'a';
    for (std::size_t n : sizes) {
        want += std::string(n, c);
        c = c == 'z' ? 'a' : static_cast<char>(c + 1);
    }
    raw_connection conn(s.port());
    conn.send(get("/") + get("/"));
    got g = read_n(conn, 2);
    REQUIRE(g.rs.size() == 2);
    for (const response& r : g.rs) {
        CHECK(r.frame == (want.size() > 4096 ? response::framing::chunked : response::framing::length));
        CHECK(r.body == want);
    }
}

TEST_CASE("framing: a status without a reason phrase gets Go's \"status code N\" text", "[wire][framing]") {
    test_server s(make_handler([](response_writer& w, request&) { w.write_header(599); }));
    got g = one(s.port(), get("/"));
    REQUIRE(g.rs.size() == 1);
    CHECK(g.raw.rfind("HTTP/1.1 599 status code 599\r\n", 0) == 0);
}

TEST_CASE("framing: a handler-set Transfer-Encoding chunked gives one chunked header", "[wire][framing]") {
    test_server s(make_handler([](response_writer& w, request&) {
        w.header().set("Transfer-Encoding", "chunked");
        (void)w.write("small");
    }));
    got g = one(s.port(), get("/"));
    REQUIRE(g.rs.size() == 1);
    CHECK(g.rs[0].frame == response::framing::chunked);
    CHECK(g.rs[0].headers.count("transfer-encoding") == 1);
    CHECK_FALSE(g.rs[0].has("content-length"));
    // Go does not sniff when a Transfer-Encoding is set.
    CHECK_FALSE(g.rs[0].has("content-type"));
    CHECK(g.rs[0].body == "small");
}

TEST_CASE("framing: OPTIONS * is answered by the server with an empty 200", "[wire][framing]") {
    auto calls = std::make_shared<std::atomic<int>>(0);
    test_server s(make_handler([calls](response_writer& w, request&) {
        calls->fetch_add(1);
        (void)w.write("handler");
    }));
    raw_connection c(s.port());
    c.send("OPTIONS * HTTP/1.1\r\nHost: test\r\n\r\n" + get("/after"));
    got g = read_n(c, 2);
    REQUIRE(g.rs.size() == 2);
    CHECK(g.rs[0].status == 200);
    CHECK(g.rs[0].header("content-length") == "0");
    CHECK(g.rs[1].body == "handler");
    CHECK(calls->load() == 1);
}

TEST_CASE("framing: flush on an HTTP/1.0 response sends a close-delimited body", "[wire][framing]") {
    test_server s(make_handler([](response_writer& w, request&) {
        (void)w.write("one ");
        (void)w.flush();
        (void)w.write("two");
    }));
    got g = one(s.port(), get("/", "HTTP/1.0", "Connection: keep-alive\r\n"), {}, 2000ms);
    REQUIRE(g.rs.size() == 1);
    CHECK(g.rs[0].frame == response::framing::close);
    CHECK(g.rs[0].body == "one two");
    CHECK(g.closed);
}

// Go sends the values of keys declared in a "Trailer" header, and of keys set
// with the "Trailer:" prefix, as chunked trailers; a declared trailer forces
// chunking even for a small body. response_writer::header() documents
// trailers as the one change that counts after the head is written.
TEST_CASE("framing: declared trailers are sent after the last chunk as Go sends them", "[wire][framing]") {
    test_server s(make_handler([](response_writer& w, request&) {
        w.header().set("Trailer", "X-Checksum");
        (void)w.write("hello");
        w.header().set("X-Checksum", "abc");
        w.header().set("Trailer:X-Late", "late");
    }));
    got g = one(s.port(), get("/"));
    REQUIRE(g.rs.size() == 1);
    CHECK(g.rs[0].frame == response::framing::chunked);
    CHECK(g.rs[0].header("trailer") == "X-Checksum");
    CHECK(g.rs[0].body == "hello");
    CHECK(g.raw.find("0\r\nX-Checksum: abc\r\n") != std::string::npos);
    CHECK(g.raw.find("X-Late: late\r\n") != std::string::npos);
    CHECK(g.raw.find("Trailer:X-Late") == std::string::npos);
}
