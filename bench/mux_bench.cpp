// serve_mux lookup cost by route kind and count, alone and with a
// concurrent writer. bench/go_mux measures Go 1.19's and Go 1.23's ServeMux
// over the same route sets and requests; bench/mux_bench.sh runs both.
//
// Route sets (N routes, i in [0, N)):
//   static    /api/v1/resource{i}               request /api/v1/resource{j}
//   subtree   /api/v1/resource{i}/              request /api/v1/resource{j}/items
//   wildcard  /api/v1/resource{i}/{id}          request /api/v1/resource{j}/42
//   host      host{i}.example/api/v1/resource   request Host host{j}.example:8080, /api/v1/resource
//   seed      "/" and "/user/" (tools/hello)    requests /, /user/x, /anything (N is ignored)
// The requests cycle over min(N, 1024) routes j = k * 7919 % N.
//
// BM_mux_lookup_<kind>/<N>: the routing decision (Go's mux.Handler(r)):
//   handler and pattern, path segments ready for the values. Run on an RCU
//   ring thread that passes a quiescent state every 256 lookups.
// BM_mux_lookup_<kind>_guarded/<N>: the same on a thread that never
//   registered with RCU (each lookup takes a read_guard).
// BM_mux_serve_<kind>/<N>: serve_http with a handler that does nothing:
//   adds r.set_pattern() and copying the path values into the request.
// BM_mux_lookup_<kind>_writer/<N>: BM_mux_lookup with another thread
//   registering a route of the same kind (in a subtree the reads never
//   touch) every 100 microseconds; _writer_busy: back to back.
#include <benchmark/benchmark.h>

#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <ringhttp/httptest.hpp>
#include <ringhttp/serve_mux.hpp>

#include "engine/base/rcu.hpp"
#include "engine/http/request_access.hpp"
#include "mux/lookup.hpp"

namespace {

using namespace ringhttp;

enum class kind { static_routes, subtree, wildcard, host, seed };

std::string route_pattern(kind k, int i) {
    const std::string n = std::to_string(i);
    switch (k) {
        case kind::static_routes: return "/api/v1/resource" + n;
        case kind::subtree: return "/api/v1/resource" + n + "/";
        case kind::wildcard: return "/api/v1/resource" + n + "/{id}";
        case kind::host: break;
        case kind::seed: return i == 0 ? "/" : "/user/";
    }
    std::string host = "host";
    host += n;
    return host + ".example/api/v1/resource";
}

std::unique_ptr<request> route_request(kind k, int j) {
    const std::string n = std::to_string(j);
    std::string target;
    switch (k) {
        case kind::static_routes: target = "/api/v1/resource" + n; break;
        case kind::subtree: target = "/api/v1/resource" + n + "/items"; break;
        case kind::wildcard: target = "/api/v1/resource" + n + "/42"; break;
        case kind::host: target = "/api/v1/resource"; break;
        case kind::seed: target = j == 0 ? "/" : j == 1 ? "/user/x" : "/anything"; break;
    }
    auto r = httptest::new_request("GET", target);
    std::string host = "localhost";
    if (k == kind::host) {
        host = "host";
        host += n;
        host += ".example:8080";
    }
    r->set_host(host);
    return r;
}

struct fixture {
    std::unique_ptr<serve_mux> mux;
    std::vector<std::unique_ptr<request>> requests;
};

// Registers the routes of kind k and makes its requests.
void fill(fixture& f, kind k, int n) {
    f.mux = std::make_unique<serve_mux>();
    auto noop = make_handler([](response_writer&, request&) {});
    if (k == kind::seed) {
        for (int i = 0; i < 2; ++i) f.mux->handle(route_pattern(k, i), noop);
        for (int j = 0; j < 3; ++j) f.requests.push_back(route_request(k, j));
        return;
    }
    for (int i = 0; i < n; ++i) f.mux->handle(route_pattern(k, i), noop);
    const int distinct = n < 1024 ? n : 1024;
    for (int q = 0; q < distinct; ++q) f.requests.push_back(route_request(k, static_cast<int>(q * 7919L % n)));
}

// One mux per (kind, size), built on first use and kept for the process.
fixture& setup(kind k, int n) {
    static std::map<std::pair<int, int>, fixture> cache;
    fixture& f = cache[{static_cast<int>(k), n}];
    if (f.mux) return f;
    fill(f, k, n);
    return f;
}

// A writer thread registering more routes of the readers' kind, in a
// subtree the readers never ask for: /writer/g<gen>..., or host
// writer<gen>.example/... for the host kind.
std::string writer_pattern(kind k, long gen) {
    const std::string g = std::to_string(gen);
    switch (k) {
        case kind::static_routes: return "/writer/g" + g;
        case kind::subtree:
        case kind::seed: return "/writer/g" + g + "/";
        case kind::wildcard: return "/writer/g" + g + "/{id}";
        case kind::host: break;
    }
    std::string host = "writer";
    host += g;
    return host + ".example/api/v1/resource";
}

class writer {
public:
    writer(serve_mux& mux, kind k, std::chrono::microseconds pause) : thread_([this, &mux, k, pause] {
        auto noop = make_handler([](response_writer&, request&) {});
        for (long gen = 0; !stop_.load(std::memory_order_relaxed); ++gen) {
            mux.handle(writer_pattern(k, gen), noop);
            registered_.fetch_add(1, std::memory_order_relaxed);
            if (pause.count() > 0) std::this_thread::sleep_for(pause);
        }
    }) {}
    ~writer() {
        stop_.store(true);
        thread_.join();
    }
    long registered() const { return registered_.load(); }

private:
    std::atomic<bool> stop_{false};
    std::atomic<long> registered_{0};
    std::thread thread_;
};

// The writer registers into the shared fixture; give each writer run its
// own mux so that earlier runs do not grow the routes later runs see.
fixture& private_setup(kind k, int n) {
    static std::map<std::pair<int, int>, std::vector<std::unique_ptr<fixture>>> store;
    auto& v = store[{static_cast<int>(k), n}];
    v.push_back(std::make_unique<fixture>());
    fixture& f = *v.back();
    fill(f, k, n);
    return f;
}

void run_lookups(benchmark::State& state, fixture& f, bool ring_thread) {
    if (ring_thread) rcu::register_thread();
    const std::size_t count = f.requests.size();
    std::size_t q = 0;
    unsigned tick = 0;
    for (auto _ : state) {
        mux_detail::request_path path;
        mux_detail::lookup res;
        mux_detail::access::find(*f.mux, *f.requests[q], path, res);
        benchmark::DoNotOptimize(res.matched);
        if (res.kind != mux_detail::outcome::matched) state.SkipWithError("route not matched");
        if (++q == count) q = 0;
        if (ring_thread && (++tick & 255u) == 0) rcu::quiescent();
    }
    if (ring_thread) rcu::unregister_thread();
    state.SetItemsProcessed(state.iterations());
}

template <kind K>
void BM_lookup(benchmark::State& state) {
    run_lookups(state, setup(K, static_cast<int>(state.range(0))), true);
}

template <kind K>
void BM_lookup_guarded(benchmark::State& state) {
    run_lookups(state, setup(K, static_cast<int>(state.range(0))), false);
}

template <kind K, int PauseMicros>
void BM_lookup_writer(benchmark::State& state) {
    fixture& f = private_setup(K, static_cast<int>(state.range(0)));
    long registered;
    {
        writer w(*f.mux, K, std::chrono::microseconds(PauseMicros));
        run_lookups(state, f, true);
        registered = w.registered();
    }
    state.counters["registered"] = static_cast<double>(registered);
    rcu::synchronize();
}

// Makes r ready to be served again: drops the path values and arena
// contents serve_http added, keeping what new_request set.
void refresh(request& r) {
    const url u = r.url();
    const std::string_view method = r.method(), host = r.host(), uri = r.request_uri(), addr = r.remote_addr();
    using detail::request_access;
    request_access::reset(r);
    r.url() = u;
    request_access::set_method(r, method);
    request_access::set_proto(r, "HTTP/1.1", 1, 1);
    request_access::set_host(r, host);
    request_access::set_request_uri(r, uri);
    request_access::set_remote_addr(r, addr);
}

template <kind K>
void BM_serve(benchmark::State& state) {
    fixture& f = setup(K, static_cast<int>(state.range(0)));
    rcu::register_thread();
    httptest::response_recorder w;
    const std::size_t count = f.requests.size();
    std::size_t q = 0;
    unsigned tick = 0;
    for (auto _ : state) {
        request& r = *f.requests[q];
        f.mux->serve_http(w, r);
        benchmark::DoNotOptimize(r.pattern().data());
        if (++q == count) q = 0;
        if ((++tick & 255u) == 0) {
            rcu::quiescent();
            // Bounded arena growth (a few hundred KiB per request at most)
            // for about 1% of the run time.
            if ((tick & 0x3FFFFu) == 0)
                for (auto& req : f.requests) refresh(*req);
        }
    }
    for (auto& req : f.requests) refresh(*req);
    rcu::unregister_thread();
    state.SetItemsProcessed(state.iterations());
}

}  // namespace

#define MUX_SIZES ->Arg(10)->Arg(100)->Arg(1000)->Arg(10000)

BENCHMARK(BM_lookup<kind::static_routes>)->Name("BM_mux_lookup_static") MUX_SIZES;
BENCHMARK(BM_lookup<kind::subtree>)->Name("BM_mux_lookup_subtree") MUX_SIZES;
BENCHMARK(BM_lookup<kind::wildcard>)->Name("BM_mux_lookup_wildcard") MUX_SIZES;
BENCHMARK(BM_lookup<kind::host>)->Name("BM_mux_lookup_host") MUX_SIZES;
BENCHMARK(BM_lookup<kind::seed>)->Name("BM_mux_lookup_seed")->Arg(2);

BENCHMARK(BM_lookup_guarded<kind::static_routes>)->Name("BM_mux_lookup_static_guarded") MUX_SIZES;
BENCHMARK(BM_lookup_guarded<kind::subtree>)->Name("BM_mux_lookup_subtree_guarded") MUX_SIZES;
BENCHMARK(BM_lookup_guarded<kind::wildcard>)->Name("BM_mux_lookup_wildcard_guarded") MUX_SIZES;
BENCHMARK(BM_lookup_guarded<kind::host>)->Name("BM_mux_lookup_host_guarded") MUX_SIZES;

BENCHMARK(BM_serve<kind::static_routes>)->Name("BM_mux_serve_static") MUX_SIZES;
BENCHMARK(BM_serve<kind::subtree>)->Name("BM_mux_serve_subtree") MUX_SIZES;
BENCHMARK(BM_serve<kind::wildcard>)->Name("BM_mux_serve_wildcard") MUX_SIZES;
BENCHMARK(BM_serve<kind::host>)->Name("BM_mux_serve_host") MUX_SIZES;
BENCHMARK(BM_serve<kind::seed>)->Name("BM_mux_serve_seed")->Arg(2);

BENCHMARK(BM_lookup_writer<kind::static_routes, 100>)->Name("BM_mux_lookup_static_writer") MUX_SIZES->UseRealTime();
BENCHMARK(BM_lookup_writer<kind::subtree, 100>)->Name("BM_mux_lookup_subtree_writer") MUX_SIZES->UseRealTime();
BENCHMARK(BM_lookup_writer<kind::wildcard, 100>)->Name("BM_mux_lookup_wildcard_writer") MUX_SIZES->UseRealTime();
BENCHMARK(BM_lookup_writer<kind::host, 100>)->Name("BM_mux_lookup_host_writer") MUX_SIZES->UseRealTime();
BENCHMARK(BM_lookup_writer<kind::static_routes, 0>)->Name("BM_mux_lookup_static_writer_busy") MUX_SIZES->UseRealTime();

BENCHMARK_MAIN();
