// serve_mux behaviour beyond the routing table: registration rules,
// lifetimes across snapshots, registration from a handler, the default mux.
#include <catch2/catch_test_macros.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <memory>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include <ringhttp/httptest.hpp>
#include <ringhttp/response_controller.hpp>
#include <ringhttp/serve_mux.hpp>

#include "engine/base/rcu.hpp"

using namespace ringhttp;

namespace {

handler_ptr noop() {
    return make_handler([](response_writer&, request&) {});
}

struct outcome {
    int code;
    std::string pattern;
    std::string location;
    std::string allow;
    bool operator==(const outcome&) const = default;
};

outcome serve(const serve_mux& mux, std::string_view method, std::string_view target,
              std::string_view host = "localhost") {
    auto r = httptest::new_request(method, target);
    if (r->url().host.empty()) r->set_host(host);
    httptest::response_recorder w;
    mux.serve_http(w, *r);
    return {w.code, std::string(r->pattern()), std::string(w.result_header().get("Location")),
            std::string(w.result_header().get("Allow"))};
}

std::string thrown(serve_mux& mux, std::string_view pattern, handler_ptr h) {
    try {
        mux.handle(pattern, std::move(h));
    } catch (const std::invalid_argument& e) {
        return e.what();
    }
    return "no exception";
}

}  // namespace

TEST_CASE("serve_mux: /tree redirects to /tree/ with 301, keeping the query", "[mux]") {
    serve_mux mux;
    mux.handle("/tree/", noop());
    CHECK(serve(mux, "GET", "/tree?a=1&b=2") == outcome{301, "/tree/", "/tree/?a=1&b=2", ""});
    CHECK(serve(mux, "GET", "/tree/x") == outcome{200, "/tree/", "", ""});
}

TEST_CASE("serve_mux: registering /tree as well stops the redirect", "[mux]") {
    serve_mux mux;
    mux.handle("/tree/", noop());
    mux.handle("/tree", noop());
    CHECK(serve(mux, "GET", "/tree") == outcome{200, "/tree", "", ""});
}

TEST_CASE("serve_mux: an empty pattern, a null handler or a duplicate throws", "[mux]") {
    serve_mux mux;
    CHECK(thrown(mux, "", noop()) == "http: invalid pattern");
    CHECK(thrown(mux, "/a", nullptr) == "http: nil handler");
    mux.handle("/a", noop());
    CHECK(thrown(mux, "/a", noop()) ==
          "pattern \"/a\" conflicts with pattern \"/a\":\n/a matches the same requests as /a");
    // A failed registration changes nothing.
    CHECK(serve(mux, "GET", "/a") == outcome{200, "/a", "", ""});
}

TEST_CASE("serve_mux: registration order never changes the outcome", "[mux]") {
    std::vector<std::string> patterns = {
        "GET /items/{id}", "POST /items/{id}", "GET /items/new", "/items/{id}/edit", "GET /files/{path...}",
        "GET /exact/{$}", "/tree/", "GET /gtree/", "GET /b/{bucket}/o/{obj...}", "api.example/items/{id}",
        "HEAD /head-only", "GET /getdel", "DELETE /getdel", "GET /{$}", "/images/", "/images/thumbnails/",
        "example.com/", "/posts/{id}", "/posts/latest", "/posts/{id}/edit",
    };
    struct probe {
        const char* method;
        const char* target;
        const char* host;
    };
    const std::vector<probe> probes = {
        {"GET", "/items/new", "h"},     {"GET", "/items/7", "h"},       {"PUT", "/items/7", "h"},
        {"GET", "/items/7/edit", "h"},  {"GET", "/files/a/b", "h"},     {"GET", "/exact", "h"},
        {"GET", "/tree", "h"},          {"POST", "/gtree", "h"},        {"GET", "/b/x/o/y/z", "h"},
        {"GET", "/items/7", "api.example"}, {"GET", "/head-only", "h"}, {"POST", "/getdel", "h"},
        {"GET", "/", "h"},              {"GET", "/images/thumbnails/a", "h"}, {"GET", "/images/a", "h"},
        {"GET", "/x", "example.com"},   {"GET", "/posts/latest/edit", "h"}, {"GET", "/nope", "h"},
        {"GET", "/a/../posts/1", "h"},
    };
    std::vector<outcome> reference;
    std::mt19937 rng(7);
    for (int round = 0; round < 25; ++round) {
        serve_mux mux;
        for (const std::string& p : patterns) mux.handle(p, noop());
        std::vector<outcome> got;
        for (const probe& p : probes) got.push_back(serve(mux, p.method, p.target, p.host));
        if (round == 0) {
            reference = got;
        } else {
            CHECK(got == reference);
        }
        std::shuffle(patterns.begin(), patterns.end(), rng);
    }
}

TEST_CASE("serve_mux: pattern and path values stay valid after later registrations are reclaimed", "[mux]") {
    serve_mux mux;
    mux.handle("GET /users/{name}/files/{rest...}", noop());
    auto r = httptest::new_request("GET", "/users/ana%20b/files/a%2Fb/c");
    httptest::response_recorder w;
    mux.serve_http(w, *r);
    REQUIRE(w.code == 200);
    // Many new snapshots replace the one r was routed with; all old ones go.
    for (int i = 0; i < 300; ++i) mux.handle("/more/" + std::to_string(i), noop());
    rcu::synchronize();
    CHECK(rcu::pending() == 0);
    CHECK(r->pattern() == "GET /users/{name}/files/{rest...}");
    CHECK(r->path_value("name") == "ana b");
    CHECK(r->path_value("rest") == "a/b/c");
    CHECK(r->path_value("missing").empty());
}

TEST_CASE("serve_mux: a handler running on a ring thread may register routes", "[mux]") {
    serve_mux mux;
    rcu::register_thread();
    mux.handle_func("/register", [&mux](response_writer& w, request&) {
        mux.handle_func("/registered", [](response_writer& w2, request&) { w2.write("new route"); });
        w.write("done");
    });
    CHECK(serve(mux, "GET", "/register").code == 200);
    auto r = httptest::new_request("GET", "/registered");
    httptest::response_recorder w;
    mux.serve_http(w, *r);
    CHECK(w.body == "new route");
    rcu::quiescent();
    rcu::unregister_thread();
    rcu::synchronize();
    CHECK(rcu::pending() == 0);
}

TEST_CASE("serve_mux: handler(r) never returns null and its handlers answer like serve_http", "[mux]") {
    serve_mux mux;
    mux.handle("GET /only-get", noop());
    auto r = httptest::new_request("POST", "/only-get");
    route rt = mux.handler(*r);
    REQUIRE(rt.handler);
    CHECK(rt.pattern.empty());
    httptest::response_recorder w;
    rt.handler->serve_http(w, *r);
    CHECK(w.code == 405);
    CHECK(w.result_header().get("Allow") == "GET, HEAD");
    CHECK(w.body == "Method Not Allowed\n");

    auto missing = httptest::new_request("GET", "/missing");
    route nf = mux.handler(*missing);
    REQUIRE(nf.handler);
    httptest::response_recorder w2;
    nf.handler->serve_http(w2, *missing);
    CHECK(w2.code == 404);
}

TEST_CASE("serve_mux: an empty mux answers 404", "[mux]") {
    serve_mux mux;
    CHECK(serve(mux, "GET", "/") == outcome{404, "", "", ""});
}

TEST_CASE("serve_mux: OPTIONS * gets 400 and Connection: close", "[mux]") {
    serve_mux mux;
    mux.handle("/", noop());
    auto r = httptest::new_request("OPTIONS", "*");
    httptest::response_recorder w;
    mux.serve_http(w, *r);
    CHECK(w.code == 400);
    CHECK(w.result_header().get("Connection") == "close");
    CHECK(w.body.empty());
}

TEST_CASE("serve_mux: the free handle and handle_func register on default_serve_mux", "[mux]") {
    handle("/default-mux-test/a", noop());
    handle_func("/default-mux-test/b/", [](response_writer& w, request&) { w.write("b"); });
    CHECK(serve(default_serve_mux(), "GET", "/default-mux-test/a").pattern == "/default-mux-test/a");
    CHECK(serve(default_serve_mux(), "GET", "/default-mux-test/b") ==
          outcome{301, "/default-mux-test/b/", "/default-mux-test/b/", ""});
    CHECK(&default_serve_mux() == &default_serve_mux());
}

TEST_CASE("serve_mux: a mux serves as a handler inside another mux", "[mux]") {
    auto api = std::make_shared<serve_mux>();
    api->handle("GET /api/v1/{thing}", noop());
    serve_mux root;
    root.handle("/api/", api);
    auto r = httptest::new_request("GET", "/api/v1/widgets");
    httptest::response_recorder w;
    root.serve_http(w, *r);
    CHECK(w.code == 200);
    CHECK(r->pattern() == "GET /api/v1/{thing}");
    CHECK(r->path_value("thing") == "widgets");
}

TEST_CASE("serve_mux: a deep path routes through a multi wildcard", "[mux]") {
    serve_mux mux;
    mux.handle("/deep/{rest...}", noop());
    std::string target = "/deep";
    for (int i = 0; i < 200; ++i) target += "/s" + std::to_string(i);
    auto r = httptest::new_request("GET", target);
    httptest::response_recorder w;
    mux.serve_http(w, *r);
    CHECK(w.code == 200);
    CHECK(r->path_value("rest") == target.substr(6));
}

namespace {

// A loopback client for the CONNECT test: sends, then reads what comes until
// the server closes or stays silent for `idle`.
struct tunnel_client {
    int fd = -1;
    explicit tunnel_client(std::uint16_t port) {
        fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_port = htons(port);
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        REQUIRE(::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
    }
    ~tunnel_client() { ::close(fd); }
    tunnel_client(const tunnel_client&) = delete;
    tunnel_client& operator=(const tunnel_client&) = delete;
    void send(std::string_view s) const {
        REQUIRE(::send(fd, s.data(), s.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(s.size()));
    }
    // Reads until `want` has come, the server closes, or nothing comes for a while.
    std::string read_until(std::string_view want, bool* closed = nullptr) const {
        std::string got;
        char buf[4096];
        for (;;) {
            pollfd p{fd, POLLIN, 0};
            if (::poll(&p, 1, 1000) <= 0) break;
            const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
            if (n <= 0) {
                if (closed != nullptr) *closed = true;
                break;
            }
            got.append(buf, static_cast<std::size_t>(n));
            if (!want.empty() && got.find(want) != std::string::npos) break;
        }
        return got;
    }
};

}  // namespace

TEST_CASE("serve_mux: an authority-form CONNECT reaches only a CONNECT handler, which tunnels by hijacking",
          "[mux][connect]") {
    // RFC 9110 §9.3.6: a 2xx to CONNECT starts a tunnel. Go's mux redirects
    // "CONNECT host:443" to "/" (the empty path's trailing-slash redirect);
    // serve_mux hands it to a pattern registered for CONNECT, and answers
    // 405 when there is none, never the catch-all's 200.
    auto mux = std::make_shared<serve_mux>();
    mux->handle_func("CONNECT tunnel.example:443/", [](response_writer& w, request& r) {
        response_controller rc(w);
        hijacked_connection hc;
        if (rc.hijack(hc)) return;
        const std::string ok = "HTTP/1.1 200 Connection Established\r\n\r\n";
        (void)::send(hc.fd, ok.data(), ok.size(), MSG_NOSIGNAL);
        // The tunnel: echo four bytes, those read with the head first.
        std::string got = hc.buffered;
        char buf[64];
        while (got.size() < 4) {
            const ssize_t n = ::recv(hc.fd, buf, sizeof buf, 0);
            if (n <= 0) break;
            got.append(buf, static_cast<std::size_t>(n));
        }
        got = "tunnel to " + std::string(r.host()) + ": " + got;
        (void)::send(hc.fd, got.data(), got.size(), MSG_NOSIGNAL);
        ::close(hc.fd);
    });
    mux->handle_func("/", [](response_writer& w, request&) { w.write("root"); });
    httptest::server s(mux);

    SECTION("the CONNECT handler gets it and tunnels") {
        tunnel_client c(s.port());
        c.send("CONNECT tunnel.example:443 HTTP/1.1\r\nHost: tunnel.example:443\r\n\r\npi");
        CHECK(c.read_until("\r\n\r\n") == "HTTP/1.1 200 Connection Established\r\n\r\n");
        c.send("ng");
        bool closed = false;
        CHECK(c.read_until("", &closed) == "tunnel to tunnel.example:443: ping");
        CHECK(closed);
    }
    SECTION("no CONNECT handler for the authority: 405, not the catch-all, and the connection goes on") {
        tunnel_client c(s.port());
        c.send("CONNECT other.example:443 HTTP/1.1\r\nHost: other.example:443\r\n\r\n");
        const std::string refused = c.read_until("Method Not Allowed\n");
        CHECK(refused.rfind("HTTP/1.1 405 Method Not Allowed\r\n", 0) == 0);
        CHECK(refused.find("\r\nAllow: \r\n") != std::string::npos);
        CHECK(refused.find("Location") == std::string::npos);
        c.send("GET / HTTP/1.1\r\nHost: h\r\n\r\n");
        const std::string next = c.read_until("root");
        CHECK(next.rfind("HTTP/1.1 200 OK\r\n", 0) == 0);
    }
}
