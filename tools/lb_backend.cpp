// lb_backend: a ringhttp backend for the load-balancer tests (tests/lb/).
//
// It serves a few of conformance_server's seed routes and, around every
// route, does what a test behind HAProxy needs to see from the backend side:
//
//   - echoes the request's X-Request-ID (HAProxy's unique-id, which names the
//     client connection) into the response, so that a client can tell a
//     response to its own request from one meant for someone else;
//   - counts the requests its handlers served and, with --ids FILE, appends
//     a line "X-REQUEST-ID PEER" for each (PEER: HAProxy's end of the upstream
//     connection), so that the test can compare them with what HAProxy logged
//     as forwarded and see which upstream connections clients shared.
//
// /healthz answers HAProxy's health checks and is not counted (HAProxy does
// not log checks as requests). On SIGTERM it shuts down gracefully (see
// stop_on_signal.hpp) and prints "lb_backend NAME: served N, begun M, checks
// K" on stdout: N requests ran a route other than /healthz; M requests began
// (conn_state active), the K health checks and those the engine answered
// with an error before any handler ran included.
//
// Usage: lb_backend --addr HOST:PORT [--name NAME] [--threads N] [--ids FILE]
//                   [--idle-timeout-ms MS]
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include <ringhttp/ringhttp.hpp>

#include "stop_on_signal.hpp"

namespace {

using ringhttp::request;
using ringhttp::response_writer;

void echo(response_writer& w, request& r) {
    std::string body;
    if (std::error_code ec = r.body().read_all(body)) {
        ringhttp::error(w, "body: " + ec.message(), ringhttp::status_bad_request);
        return;
    }
    ringhttp::header& h = w.header();
    h.set("X-Method", r.method());
    h.set("X-Path", r.url().path);
    h.set("X-Content-Length", std::to_string(r.content_length()));
    std::string foo;
    for (std::string_view v : r.header().values("Foo")) {
        if (!foo.empty()) foo.push_back(',');
        foo.append(v);
    }
    // The hostile cases' smuggled request carries its marker in Foo.
    h.set("X-Header-Foo", foo);
    w.write(body);
}

/// tagging_handler wraps the routes: it echoes X-Request-ID, counts and logs.
class tagging_handler final : public ringhttp::handler {
public:
    tagging_handler(ringhttp::handler_ptr next, std::FILE* ids) : next_(std::move(next)), ids_(ids) {}

    void serve_http(response_writer& w, request& r) const override {
        if (r.url().path == "/healthz") {
            checks_.fetch_add(1, std::memory_order_relaxed);
            next_->serve_http(w, r);
            return;
        }
        const std::string_view id = r.header().get("X-Request-Id");
        // Set before the route runs, so that it goes out whatever the route writes.
        if (!id.empty()) w.header().set("X-Request-Id", id);
        served_.fetch_add(1, std::memory_order_relaxed);
        if (ids_ != nullptr) {
            std::lock_guard lock(mu_);
            // The peer is HAProxy's end of the upstream connection: requests of
            // different clients on one peer show that it was shared.
            const std::string_view peer = r.remote_addr();
            std::fprintf(ids_, "%.*s %.*s\n", static_cast<int>(id.empty() ? 1 : id.size()),
                         id.empty() ? "-" : id.data(), static_cast<int>(peer.size()), peer.data());
            std::fflush(ids_);
        }
        next_->serve_http(w, r);
    }

    std::uint64_t served() const noexcept { return served_.load(); }
    std::uint64_t checks() const noexcept { return checks_.load(); }

private:
    ringhttp::handler_ptr next_;
    std::FILE* ids_;
    mutable std::mutex mu_;
    mutable std::atomic<std::uint64_t> served_{0};
    mutable std::atomic<std::uint64_t> checks_{0};
};

[[noreturn]] void usage(const char* argv0) {
    std::fprintf(stderr,
                 "usage: %s --addr HOST:PORT [--name NAME] [--threads N] [--ids FILE] [--idle-timeout-ms MS]\n",
                 argv0);
    std::exit(2);
}

}  // namespace

int main(int argc, char** argv) {
    std::string addr = "127.0.0.1:8080";
    std::string name = "backend";
    std::string ids_path;
    unsigned threads = 1;
    long idle_ms = 120'000;
    for (int i = 1; i < argc; ++i) {
        std::string_view arg = argv[i];
        if (i + 1 >= argc) usage(argv[0]);
        if (arg == "--addr") addr = argv[++i];
        else if (arg == "--name") name = argv[++i];
        else if (arg == "--threads") threads = static_cast<unsigned>(std::atoi(argv[++i]));
        else if (arg == "--ids") ids_path = argv[++i];
        else if (arg == "--idle-timeout-ms") idle_ms = std::atol(argv[++i]);
        else usage(argv[0]);
    }
    std::FILE* ids = nullptr;
    if (!ids_path.empty() && (ids = std::fopen(ids_path.c_str(), "a")) == nullptr) {
        std::perror(ids_path.c_str());
        return 2;
    }
    auto mux = std::make_shared<ringhttp::serve_mux>();
    mux->handle_func("/", [](response_writer& w, request&) { w.write("Hello world!\n"); });
    mux->handle_func("/exact", [](response_writer& w, request&) { w.write("exact\n"); });
    mux->handle_func("/echo", echo);
    mux->handle_func("/healthz", [](response_writer& w, request&) { w.write("ok\n"); });
    auto root = std::make_shared<tagging_handler>(mux, ids);
    // Go's ConnState: a connection turns active when a request's first byte
    // arrives, so this counts every request begun, the ones the engine
    // rejected before any handler ran included.
    auto begun = std::make_shared<std::atomic<std::uint64_t>>(0);
    ringhttp::server srv({.addr = addr,
                          .handler = root,
                          .idle_timeout = std::chrono::milliseconds(idle_ms),
                          .conn_state =
                              [begun](const ringhttp::connection_info&, ringhttp::conn_state s) {
                                  if (s == ringhttp::conn_state::active) begun->fetch_add(1, std::memory_order_relaxed);
                              },
                          .threads = threads});
    std::error_code ec;
    {
        ringhttp::tools::stop_on_signal stopper(srv);
        ec = srv.listen_and_serve();
    }
    std::printf("lb_backend %s: served %llu, begun %llu, checks %llu\n", name.c_str(),
                static_cast<unsigned long long>(root->served()), static_cast<unsigned long long>(begun->load()),
                static_cast<unsigned long long>(root->checks()));
    std::fflush(stdout);
    if (ids != nullptr) std::fclose(ids);
    if (ec != ringhttp::errc::server_closed)
        std::fprintf(stderr, "lb_backend %s: %s\n", name.c_str(), ec.message().c_str());
    return ec == ringhttp::errc::server_closed ? 0 : 1;
}
