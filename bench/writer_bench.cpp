// The response writer's engine side: serializing a head into a connection's
// 4 KB output blocks, and appending bodies to the block chain, as the engine
// does per response (the blocks recycle through the ring's out_pool).
#include <benchmark/benchmark.h>

#include <string>

#include <ringhttp/header.hpp>

#include "engine/ring/output.hpp"
#include "engine/http1/response_head.hpp"

namespace {

using namespace ringhttp;
using namespace ringhttp::engine;

constexpr std::string_view date = "Thu, 26 Nov 2026 12:00:00 GMT";

// One head into the chain, then the chain "sent" (consumed), so the block
// goes back to the pool as after a send completion.
void write_head(benchmark::State& state, const header& h, const head_fields& f) {
    out_pool pool;
    out_chain chain;
    for (auto _ : state) {
        const std::size_t size = head_size(h, f);
        char* start = chain.reserve(pool, size);
        chain.commit(static_cast<std::size_t>(put_head(start, h, f) - start));
        benchmark::DoNotOptimize(chain.head()->data);
        chain.consume(pool, chain.bytes());
    }
}

// The seed's hello response: no handler fields; Date, Content-Length and a
// sniffed Content-Type added by the engine.
void BM_writer_head_hello(benchmark::State& state) {
    header h;
    write_head(state, h, {.status_line = status_line(true, 200), .date = date, .content_length = "13",
                          .content_type = "text/plain; charset=utf-8"});
}
BENCHMARK(BM_writer_head_hello);

// An API response with ten handler-set fields.
void BM_writer_head_10_fields(benchmark::State& state) {
    header h;
    h.set("Content-Type", "application/json");
    h.set("Cache-Control", "no-store, max-age=0");
    h.set("X-Request-Id", "0123456789abcdef0123456789abcdef");
    h.set("Vary", "Accept-Encoding, Origin");
    h.set("Access-Control-Allow-Origin", "https://www.example.com");
    h.set("Access-Control-Allow-Credentials", "true");
    h.set("Strict-Transport-Security", "max-age=63072000; includeSubDomains");
    h.set("X-Content-Type-Options", "nosniff");
    h.set("Set-Cookie", "session=8f14e45fceea167a5a36dedd4bea2543; Path=/; HttpOnly; Secure");
    h.set("Server-Timing", "db;dur=53, app;dur=47.2");
    write_head(state, h, {.status_line = status_line(true, 200), .date = date, .content_length = "1234"});
}
BENCHMARK(BM_writer_head_10_fields);

// A body of state.range(0) bytes appended in handler-sized writes of 1 KiB,
// then sent: bytes per second is the writer's copy rate into 4 KB blocks.
void BM_writer_body(benchmark::State& state) {
    const std::string piece(1024, 'x');
    const auto total = static_cast<std::size_t>(state.range(0));
    out_pool pool;
    out_chain chain;
    for (auto _ : state) {
        for (std::size_t n = 0; n < total; n += piece.size()) chain.append(pool, piece);
        benchmark::DoNotOptimize(chain.head()->data);
        chain.consume(pool, chain.bytes());
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * state.range(0));
}
BENCHMARK(BM_writer_body)->Arg(1024)->Arg(16 * 1024)->Arg(256 * 1024);

}  // namespace

BENCHMARK_MAIN();
