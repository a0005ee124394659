// fault_server: the server the fault and load tests (tests/faults/) attack.
//
// Usage: fault_server --addr HOST:PORT [--threads N] [--read-header-timeout-ms MS]
//                     [--read-timeout-ms MS] [--write-timeout-ms MS] [--idle-timeout-ms MS]
//
// Routes:
//   /          "Hello world!\n" (the probe)
//   /panic     throws std::runtime_error on every request (Go's panic)
//   /panic-after?n=N  writes N bytes (default 100 KB), flushes, then throws;
//              with "declare" in the query it first sets Content-Length: 2N
//   /big?n=N   N bytes of 'a' (default 1 MiB), written 16 KiB at a time
//   /upload    reads the whole body, answers its length
//   /stats     the connection and error counters, one "name value" a line:
//              open (accepted and not yet closed, this one included), accepted,
//              closed, panics (handler exceptions logged), accept_errors
//
// The counters come from the conn_state hook and error_log, so the tests can
// check that every connection the attacks opened is closed again. Shuts down
// gracefully on SIGINT and SIGTERM.
#include <atomic>
#include <charconv>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>

#include <ringhttp/ringhttp.hpp>

#include "stop_on_signal.hpp"

namespace {

using ringhttp::request;
using ringhttp::response_writer;

std::atomic<std::uint64_t> accepted{0};
std::atomic<std::uint64_t> closed{0};
std::atomic<std::uint64_t> panics{0};
std::atomic<std::uint64_t> accept_errors{0};
std::atomic<std::uint64_t> other_errors{0};

// query_size reads "n=DIGITS" from a raw query; fallback when absent or bad.
std::size_t query_size(std::string_view q, std::size_t fallback) {
    while (!q.empty()) {
        std::string_view kv = q.substr(0, q.find('&'));
        q.remove_prefix(kv.size() < q.size() ? kv.size() + 1 : q.size());
        if (kv.starts_with("n=")) {
            std::size_t n = 0;
            auto [p, ec] = std::from_chars(kv.data() + 2, kv.data() + kv.size(), n);
            if (ec == std::errc{} && p == kv.data() + kv.size()) return n;
        }
    }
    return fallback;
}

void big(response_writer& w, request& r) {
    const std::size_t n = query_size(r.url().raw_query, std::size_t{1} << 20);
    w.header().set("Content-Type", "application/octet-stream");
    w.header().set("Content-Length", std::to_string(n));
    static const std::string block(16 * 1024, 'a');
    for (std::size_t left = n; left > 0;) {
        const std::size_t k = left < block.size() ? left : block.size();
        // A client that went away (reset, timeout) fails the write: stop.
        if (w.write(std::string_view(block).substr(0, k)).ec) return;
        left -= k;
    }
}

void upload(response_writer& w, request& r) {
    char buf[16 * 1024];
    std::size_t total = 0;
    for (;;) {
        ringhttp::io_result res = r.body().read(buf);
        total += res.n;
        if (res.ec == ringhttp::errc::eof) break;
        if (res.ec) {
            ringhttp::error(w, "body: " + res.ec.message(), ringhttp::status_bad_request);
            return;
        }
    }
    w.write(std::to_string(total) + "\n");
}

void stats(response_writer& w, request&) {
    const std::uint64_t a = accepted.load(), c = closed.load();
    std::string s;
    s += "open " + std::to_string(a - c) + "\n";
    s += "accepted " + std::to_string(a) + "\n";
    s += "closed " + std::to_string(c) + "\n";
    s += "panics " + std::to_string(panics.load()) + "\n";
    s += "accept_errors " + std::to_string(accept_errors.load()) + "\n";
    s += "other_errors " + std::to_string(other_errors.load()) + "\n";
    w.header().set("Content-Type", "text/plain");
    w.write(s);
}

// error_log counts the lines by kind and prints only the first few of each:
// a handler that throws on every request under wrk would otherwise write
// hundreds of thousands of lines.
void error_log(std::string_view line) {
    std::atomic<std::uint64_t>* counter = &other_errors;
    if (line.find("panic serving") != std::string_view::npos) counter = &panics;
    else if (line.find("Accept error") != std::string_view::npos) counter = &accept_errors;
    if (counter->fetch_add(1) < 5) std::fprintf(stderr, "%.*s\n", static_cast<int>(line.size()), line.data());
}

std::chrono::milliseconds ms_arg(const char* s) { return std::chrono::milliseconds(std::atoll(s)); }

[[noreturn]] void usage(const char* argv0) {
    std::fprintf(stderr,
                 "usage: %s --addr HOST:PORT [--threads N] [--read-header-timeout-ms MS] [--read-timeout-ms MS]\n"
                 "          [--write-timeout-ms MS] [--idle-timeout-ms MS]\n",
                 argv0);
    std::exit(2);
}

}  // namespace

int main(int argc, char** argv) {
    ringhttp::server_options opts;
    opts.addr = "127.0.0.1:8080";
    for (int i = 1; i < argc; ++i) {
        std::string_view arg = argv[i];
        if (i + 1 >= argc) usage(argv[0]);
        const char* v = argv[++i];
        if (arg == "--addr") opts.addr = v;
        else if (arg == "--threads") opts.threads = static_cast<unsigned>(std::atoi(v));
        else if (arg == "--read-header-timeout-ms") opts.read_header_timeout = ms_arg(v);
        else if (arg == "--read-timeout-ms") opts.read_timeout = ms_arg(v);
        else if (arg == "--write-timeout-ms") opts.write_timeout = ms_arg(v);
        else if (arg == "--idle-timeout-ms") opts.idle_timeout = ms_arg(v);
        else usage(argv[0]);
    }
    auto mux = std::make_shared<ringhttp::serve_mux>();
    mux->handle_func("/", [](response_writer& w, request&) { w.write("Hello world!\n"); });
    mux->handle_func("/panic", [](response_writer&, request&) { throw std::runtime_error("fault_server: boom"); });
    mux->handle_func("/panic-after", [](response_writer& w, request& r) {
        // Throws after n bytes of body (default 100 KB, past the 4 KB the
        // writer stages, so the head and part of the body are on the wire).
        const std::size_t n = query_size(r.url().raw_query, 100 * 1024);
        if (r.url().raw_query.find("declare") != std::string_view::npos) {
            w.header().set("Content-Length", std::to_string(2 * n));  // promise more than is sent
        }
        w.write(std::string(n, 'a'));
        w.flush();
        throw std::runtime_error("fault_server: boom mid-body");
    });
    mux->handle_func("/big", big);
    mux->handle_func("/upload", upload);
    mux->handle_func("/stats", stats);
    opts.handler = mux;
    opts.error_log = error_log;
    opts.conn_state = [](const ringhttp::connection_info&, ringhttp::conn_state s) {
        if (s == ringhttp::conn_state::new_) accepted.fetch_add(1);
        else if (s == ringhttp::conn_state::closed) closed.fetch_add(1);
    };
    ringhttp::server srv(std::move(opts));
    ringhttp::tools::stop_on_signal stopper(srv);
    std::error_code ec = srv.listen_and_serve();
    std::fprintf(stderr, "fault_server: %s (panics %llu, accept errors %llu)\n", ec.message().c_str(),
                 static_cast<unsigned long long>(panics.load()), static_cast<unsigned long long>(accept_errors.load()));
    return ec == ringhttp::errc::server_closed ? 0 : 1;
}
