// conformance_server: the route sets the differential tests run against both
// ringhttp and Go's net/http (tests/go/conformance is its Go twin).
//
// Usage: conformance_server --addr HOST:PORT [--routes seed|modern] [--threads N]
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <stdexcept>
#include <string>

#include <ringhttp/ringhttp.hpp>

#include "stop_on_signal.hpp"

namespace {

using ringhttp::request;
using ringhttp::response_writer;

void text(response_writer& w, std::string_view s) { w.write(s); }

void seed_routes(ringhttp::serve_mux& mux) {
    mux.handle_func("/", [](response_writer& w, request&) { text(w, "Hello world!\n"); });
    mux.handle_func("/user/", [](response_writer& w, request&) { text(w, "Hello thinkerou!\n"); });
    mux.handle_func("/images/", [](response_writer& w, request&) { text(w, "images\n"); });
    mux.handle_func("/images/thumbnails/", [](response_writer& w, request&) { text(w, "thumbnails\n"); });
    mux.handle_func("/exact", [](response_writer& w, request&) { text(w, "exact\n"); });
    mux.handle_func("example.com/", [](response_writer& w, request&) { text(w, "host example.com\n"); });
    mux.handle_func("example.com/user/", [](response_writer& w, request&) { text(w, "host example.com user\n"); });
    mux.handle_func("/echo", [](response_writer& w, request& r) {
        std::string body;
        if (std::error_code ec = r.body().read_all(body)) {
            ringhttp::error(w, "body: " + ec.message(), ringhttp::status_bad_request);
            return;
        }
        ringhttp::header& h = w.header();
        h.set("X-Method", r.method());
        h.set("X-Path", r.url().path);
        h.set("X-Raw-Query", r.url().raw_query);
        h.set("X-Host", r.host());
        h.set("X-Content-Length", std::to_string(r.content_length()));
        h.set("X-Proto", r.proto());
        std::string foo;
        for (std::string_view v : r.header().values("Foo")) {
            if (!foo.empty()) foo.push_back(',');
            foo.append(v);
        }
        h.set("X-Header-Foo", foo);
        w.write(body);
    });
    mux.handle_func("/big", [](response_writer& w, request&) { w.write(std::string(10000, 'a')); });
    mux.handle_func("/sized", [](response_writer& w, request&) {
        w.header().set("Content-Length", "5");
        w.write("hello");
    });
    mux.handle_func("/nocontent", [](response_writer& w, request&) { w.write_header(ringhttp::status_no_content); });
    mux.handle_func("/redirect", [](response_writer& w, request& r) { ringhttp::redirect(w, r, "/user/", 302); });
    mux.handle_func("/error", [](response_writer& w, request&) { ringhttp::error(w, "teapot", 418); });
    mux.handle_func("/panic", [](response_writer&, request&) { throw std::runtime_error("boom"); });
    mux.handle_func("/flush", [](response_writer& w, request&) {
        w.write("a");
        w.flush();
        w.write("b");
    });
    mux.handle_func("/ignore-body", [](response_writer& w, request&) { text(w, "ignored\n"); });
    mux.handle_func("/html", [](response_writer& w, request&) { w.write("<!DOCTYPE html><html><body>hi</body></html>"); });
    mux.handle("/strip/", ringhttp::strip_prefix("/strip", ringhttp::make_handler([](response_writer& w, request& r) {
                   w.write("stripped:" + std::string(r.url().path));
               })));
}

// Each modern route sets X-Pattern to the pattern that matched and writes its text.
void modern_route(ringhttp::serve_mux& mux, const char* pattern, std::string (*body)(request&)) {
    mux.handle_func(pattern, [body](response_writer& w, request& r) {
        w.header().set("X-Pattern", r.pattern());
        w.write(body(r));
    });
}

void modern_routes(ringhttp::serve_mux& mux) {
    modern_route(mux, "GET /items/{id}", [](request& r) { return "item " + std::string(r.path_value("id")); });
    modern_route(mux, "POST /items/{id}", [](request& r) { return "post item " + std::string(r.path_value("id")); });
    modern_route(mux, "GET /items/new", [](request&) { return std::string("new item"); });
    modern_route(mux, "/items/{id}/edit", [](request& r) { return "edit " + std::string(r.path_value("id")); });
    modern_route(mux, "GET /files/{path...}", [](request& r) { return "file [" + std::string(r.path_value("path")) + "]"; });
    modern_route(mux, "GET /exact/{$}", [](request&) { return std::string("exact root"); });
    modern_route(mux, "/tree/", [](request&) { return std::string("tree"); });
    modern_route(mux, "GET /gtree/", [](request&) { return std::string("gtree"); });
    modern_route(mux, "GET /b/{bucket}/o/{obj...}", [](request& r) {
        return "bucket " + std::string(r.path_value("bucket")) + " obj " + std::string(r.path_value("obj"));
    });
    modern_route(mux, "api.example/items/{id}", [](request& r) { return "host item " + std::string(r.path_value("id")); });
    modern_route(mux, "HEAD /head-only", [](request&) { return std::string(); });
    modern_route(mux, "GET /getdel", [](request&) { return std::string("getdel"); });
    modern_route(mux, "DELETE /getdel", [](request&) { return std::string("getdel"); });
    modern_route(mux, "GET /{$}", [](request&) { return std::string("root"); });
}

[[noreturn]] void usage(const char* argv0) {
    std::fprintf(stderr, "usage: %s --addr HOST:PORT [--routes seed|modern] [--threads N]\n", argv0);
    std::exit(2);
}

}  // namespace

int main(int argc, char** argv) {
    std::string addr = "127.0.0.1:8080";
    std::string routes = "seed";
    unsigned threads = 1;  // the differential test compares one ring with Go
    for (int i = 1; i < argc; ++i) {
        std::string_view arg = argv[i];
        if (i + 1 >= argc) usage(argv[0]);
        if (arg == "--addr") addr = argv[++i];
        else if (arg == "--routes") routes = argv[++i];
        else if (arg == "--threads") threads = static_cast<unsigned>(std::atoi(argv[++i]));
        else usage(argv[0]);
    }
    auto mux = std::make_shared<ringhttp::serve_mux>();
    if (routes == "seed") seed_routes(*mux);
    else if (routes == "modern") modern_routes(*mux);
    else usage(argv[0]);
    ringhttp::server srv({.addr = addr, .handler = mux, .threads = threads});
    ringhttp::tools::stop_on_signal stopper(srv);
    std::error_code ec = srv.listen_and_serve();
    std::fprintf(stderr, "conformance_server: %s\n", ec.message().c_str());
    return ec == ringhttp::errc::server_closed ? 0 : 1;
}
