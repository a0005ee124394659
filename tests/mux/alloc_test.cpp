// Routing a request allocates nothing for static, subtree, one-wildcard,
// host and multi-wildcard routes, and the seed's (issue 3). Counts calls to
// the global operator new, which this test program replaces.
#include <catch2/catch_test_macros.hpp>

#include <atomic>
#include <cstdlib>
#include <new>
#include <string>

#include <ringhttp/httptest.hpp>
#include <ringhttp/serve_mux.hpp>

#include "engine/base/rcu.hpp"
#include "mux/lookup.hpp"

namespace {
std::atomic<long> allocations{0};
}

void* operator new(std::size_t n) {
    allocations.fetch_add(1, std::memory_order_relaxed);
    if (void* p = std::malloc(n == 0 ? 1 : n)) return p;
    throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }

using namespace ringhttp;

namespace {

long allocations_to_route(const serve_mux& mux, request& r) {
    const long before = allocations.load();
    mux_detail::request_path path;
    mux_detail::lookup res;
    mux_detail::access::find(mux, r, path, res);
    REQUIRE(res.kind == mux_detail::outcome::matched);
    return allocations.load() - before;
}

long allocations_to_serve(const serve_mux& mux, request& r) {
    httptest::response_recorder w;
    const long before = allocations.load();
    mux.serve_http(w, r);
    const long n = allocations.load() - before;
    REQUIRE(w.code == 200);
    return n;
}

}  // namespace

TEST_CASE("serve_mux: a lookup allocates nothing for static, subtree, wildcard, host and multi routes", "[mux][alloc]") {
    serve_mux mux;
    auto noop = make_handler([](response_writer&, request&) {});
    for (int i = 0; i < 1000; ++i) {
        const std::string n = std::to_string(i);
        mux.handle("/api/v1/static" + n, noop);
        mux.handle("/api/v1/tree" + n + "/", noop);
        mux.handle("/api/v1/wild" + n + "/{id}", noop);
        mux.handle("GET host" + n + ".example/api/v1/resource", noop);
        mux.handle("/api/v1/files" + n + "/{path...}", noop);
    }
    const char* targets[] = {"/api/v1/static500", "/api/v1/tree500/items/42", "/api/v1/wild500/42", "/api/v1/resource",
                             "/api/v1/files500/a/b"};
    for (const char* target : targets) {
        auto r = httptest::new_request("GET", target);
        if (std::string_view(target) == "/api/v1/resource") r->set_host("host500.example:8080");
        INFO(target);
        allocations_to_route(mux, *r);  // warm this thread's RCU record
        CHECK(allocations_to_route(mux, *r) == 0);
        // serve_http copies path values into the request's arena, which
        // keeps its block once warm, as the engine reuses requests.
        allocations_to_serve(mux, *r);
        CHECK(allocations_to_serve(mux, *r) == 0);
    }
}

TEST_CASE("serve_mux: the seed's lookups allocate nothing", "[mux][alloc]") {
    serve_mux mux;
    auto noop = make_handler([](response_writer&, request&) {});
    mux.handle("/", noop);
    mux.handle("/user/", noop);
    for (const char* target : {"/", "/user/x", "/anything", "/user/"}) {
        INFO(target);
        auto r = httptest::new_request("GET", target);
        allocations_to_route(mux, *r);
        CHECK(allocations_to_route(mux, *r) == 0);
        allocations_to_serve(mux, *r);
        CHECK(allocations_to_serve(mux, *r) == 0);
    }
}

TEST_CASE("serve_mux: a ring thread's lookup allocates nothing either", "[mux][alloc]") {
    serve_mux mux;
    mux.handle("/a/{x}", make_handler([](response_writer&, request&) {}));
    rcu::register_thread();
    auto r = httptest::new_request("GET", "/a/b");
    allocations_to_route(mux, *r);
    CHECK(allocations_to_route(mux, *r) == 0);
    rcu::quiescent();
    rcu::unregister_thread();
}
