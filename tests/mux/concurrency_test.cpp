// Lock-free reads under concurrent registration: one writer registers
// 10,000 patterns while reader threads (ring threads announcing quiescent
// states, and plain threads using read guards) look up without pause.
// Built and run under ThreadSanitizer too (docs/MUX.md, "Testing").
#include <catch2/catch_test_macros.hpp>

#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <ringhttp/httptest.hpp>
#include <ringhttp/serve_mux.hpp>

#include "engine/base/rcu.hpp"
#include "mux/lookup.hpp"

using namespace ringhttp;

namespace {

constexpr int stable_per_kind = 50;
constexpr int writer_patterns = 10000;

struct probe {
    std::unique_ptr<request> req;
    std::string want_pattern;
    std::string value_name;  // empty: no wildcard to check
    std::string want_value;
};

probe make_probe(std::string_view method, const std::string& target, std::string host, std::string pattern,
                 std::string name = {}, std::string value = {}) {
    probe p{httptest::new_request(method, target), std::move(pattern), std::move(name), std::move(value)};
    p.req->set_host(host);
    return p;
}

// The n-th pattern the writer registers, and a request only it serves.
probe writer_probe(int n) {
    const std::string i = std::to_string(n);
    switch (n % 5) {
        case 0: return make_probe("GET", "/dyn/d" + i, "localhost", "/dyn/d" + i);
        case 1: return make_probe("GET", "/stable/s" + i + "x/7", "localhost", "/stable/s" + i + "x/{id}", "id", "7");
        case 2:
            return make_probe("GET", "/stable-w/n" + i + "/8/more", "localhost", "/stable-w/n" + i + "/{id}/more", "id",
                              "8");
        case 3: {
            std::string host = "h";  // built by appending: GCC 12 -Wrestrict misfires on "lit" + string&&
            host += std::to_string(n % stable_per_kind);
            host += ".example";
            return make_probe("GET", "/dyn/d" + i, host, host + "/dyn/d" + i);
        }
        default: {
            const std::string tree = "/stable-tree/t" + std::to_string(n % stable_per_kind) + "/m" + i;
            return make_probe("GET", tree, "localhost", "GET " + tree);
        }
    }
}

bool routes_to(const serve_mux& mux, const probe& p) {
    mux_detail::request_path path;
    mux_detail::lookup res;
    mux_detail::access::find(mux, *p.req, path, res);
    if (res.kind != mux_detail::outcome::matched || res.matched->text != p.want_pattern) return false;
    if (p.value_name.empty()) return true;
    // The values come from the request path, never from the snapshot.
    auto copy = httptest::new_request(p.req->method(), p.req->request_uri());
    copy->set_host(p.req->host());
    mux_detail::assign_path_values(*copy, res, path);
    return copy->path_value(p.value_name) == p.want_value;
}

}  // namespace

TEST_CASE("serve_mux: readers always find stable routes while a writer registers 10,000 patterns",
          "[mux][concurrency]") {
    serve_mux mux;
    auto noop = make_handler([](response_writer&, request&) {});
    std::vector<probe> stable;
    for (int i = 0; i < stable_per_kind; ++i) {
        const std::string n = std::to_string(i);
        mux.handle("/stable/s" + n, noop);
        mux.handle("/stable-tree/t" + n + "/", noop);
        mux.handle("/stable-w/w" + n + "/{id}", noop);
        mux.handle("h" + n + ".example/stable", noop);
        stable.push_back(make_probe("GET", "/stable/s" + n, "localhost", "/stable/s" + n));
        stable.push_back(make_probe("GET", "/stable-tree/t" + n + "/x/y", "localhost", "/stable-tree/t" + n + "/"));
        stable.push_back(make_probe("HEAD", "/stable-w/w" + n + "/42", "localhost", "/stable-w/w" + n + "/{id}", "id",
                                    "42"));
        stable.push_back(make_probe("GET", "/stable", "h" + n + ".example:80", "h" + n + ".example/stable"));
    }
    std::vector<probe> dynamic;
    dynamic.reserve(writer_patterns);
    for (int n = 0; n < writer_patterns; ++n) dynamic.push_back(writer_probe(n));

    std::atomic<int> published{0};  // writer patterns registered so far
    std::atomic<bool> done{false};
    std::atomic<int> started{0};
    std::atomic<long> misses{0};
    std::atomic<long> lookups{0};

    auto reader = [&](bool ring_thread, unsigned seed) {
        if (ring_thread) rcu::register_thread();
        started.fetch_add(1);
        unsigned x = seed;
        long local = 0;
        long local_misses = 0;
        auto next = [&x] { return x = x * 1103515245u + 12345u; };
        while (!done.load(std::memory_order_relaxed)) {
            for (int k = 0; k < 16; ++k) {
                const probe& s = stable[next() % stable.size()];
                if (!routes_to(mux, s)) ++local_misses;
                // Anything the writer finished registering must be visible.
                const int n = published.load(std::memory_order_acquire);
                if (n > 0 && !routes_to(mux, dynamic[next() % static_cast<unsigned>(n)])) ++local_misses;
                local += 2;
            }
            if (ring_thread) rcu::quiescent();  // one event-loop iteration
        }
        if (ring_thread) rcu::unregister_thread();
        lookups.fetch_add(local);
        misses.fetch_add(local_misses);
    };

    std::vector<std::thread> readers;
    readers.emplace_back(reader, true, 1u);
    readers.emplace_back(reader, true, 2u);
    readers.emplace_back(reader, false, 3u);
    readers.emplace_back(reader, false, 4u);
    while (started.load() != 4) std::this_thread::yield();

    std::thread writer([&] {
        for (int n = 0; n < writer_patterns; ++n) {
            mux.handle(dynamic[n].want_pattern, noop);
            published.store(n + 1, std::memory_order_release);
        }
    });
    writer.join();
    done.store(true);
    for (auto& t : readers) t.join();

    INFO(lookups.load() << " lookups during registration");
    CHECK(misses.load() == 0);
    CHECK(lookups.load() > 0);
    CHECK(mux_detail::access::pattern_count(mux) == 4 * stable_per_kind + writer_patterns);
    for (const probe& p : stable) CHECK(routes_to(mux, p));
    long missing = 0;
    for (const probe& p : dynamic) missing += routes_to(mux, p) ? 0 : 1;
    CHECK(missing == 0);
    rcu::synchronize();
    CHECK(rcu::pending() == 0);
}
