// The request codec: find a head, parse it in place, canonicalize fields.
#include <benchmark/benchmark.h>

#include <cstring>
#include <string>

#include "engine/http1/chunked_decoder.hpp"
#include "engine/http1/http1_parser.hpp"
#include "engine/http1/http1_parser_detail.hpp"
#include "engine/http/request_access.hpp"

namespace {

using namespace ringhttp;
using namespace ringhttp::engine;

// 165 bytes: an API call from curl.
const std::string small_request =
    "GET /api/v1/users/12345?fields=name,email HTTP/1.1\r\n"
    "Host: api.example.com\r\n"
    "User-Agent: curl/7.88.1\r\n"
    "Accept: */*\r\n"
    "X-Request-Id: 0123456789abcdef0123456789abcdef01\r\n"
    "\r\n";

// 702 bytes: what a browser sends for a script on a page.
const std::string browser_request =
    "GET /static/js/app.min.js?v=20261126 HTTP/1.1\r\n"
    "Host: www.example.com\r\n"
    "Connection: keep-alive\r\n"
    "sec-ch-ua: \"Chromium\";v=\"156\", \"Not.A/Brand\";v=\"24\"\r\n"
    "sec-ch-ua-mobile: ?0\r\n"
    "User-Agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 "
    "Safari/537.36\r\n"
    "sec-ch-ua-platform: \"Linux\"\r\n"
    "Accept: */*\r\n"
    "Sec-Fetch-Site: same-origin\r\n"
    "Sec-Fetch-Mode: no-cors\r\n"
    "Sec-Fetch-Dest: script\r\n"
    "Referer: https://www.example.com/dashboard/overview/reports/2026/q4\r\n"
    "Accept-Encoding: gzip, deflate, br, zstd\r\n"
    "Accept-Language: en-US,en;q=0.9,de;q=0.8,fr;q=0.7\r\n"
    "Cookie: session=8f14e45fceea167a5a36dedd4bea2543; theme=dark; _ga=GA1.2.1234567890.1700000000; lang=en\r\n"
    "Upgrade-Insecure-Requests: 1\r\n"
    "\r\n";

using parse_fn = parse_result (*)(char*, std::size_t, request&, head_info&, const parse_limits&) noexcept;

parse_result with_portable(char* d, std::size_t n, request& r, head_info& i, const parse_limits& l) noexcept {
    return parser_detail::parse_with(parser_detail::variant::portable, d, n, r, i, l);
}
parse_result with_sse2(char* d, std::size_t n, request& r, head_info& i, const parse_limits& l) noexcept {
    return parser_detail::parse_with(parser_detail::variant::sse2, d, n, r, i, l);
}

// What the engine does per request whose head came in one buffer: parse it
// in one pass into a reused request, in place, then reset the request for
// the next one. The parser writes canonical names into the buffer, so each
// parse gets a fresh copy of the bytes. The copy is made a few iterations
// ahead, as a receive buffer is filled well before it is parsed: a parse
// right behind the copy's stores times the stalls of loads that overlap
// stores still in flight (store-to-load forwarding fails for a vector load
// that spans two of memcpy's stores), which a real receive never has. The
// *_just_copied variants time that too.
void parse_loop(benchmark::State& state, const std::string& text, parse_fn parse, std::size_t ahead) {
    if (parse == with_sse2 && !parser_detail::supported(parser_detail::variant::sse2)) {
        state.SkipWithError("no SSE2 variant here");
        return;
    }
    constexpr std::size_t ring = 8;
    std::string buffers[ring];
    for (std::string& b : buffers) b = text;  // std::string keeps the NUL sentinel the parser needs
    request r;
    head_info info;
    const parse_limits limits{.max_head_bytes = 1 << 20};
    std::size_t i = 0;
    for (auto _ : state) {
        std::memcpy(buffers[(i + ahead) % ring].data(), text.data(), text.size());
        parse_result res = parse(buffers[i % ring].data(), text.size(), r, info, limits);
        benchmark::DoNotOptimize(res);
        benchmark::DoNotOptimize(r.header().size());
        detail::request_access::reset(r);
        ++i;
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * text.size()));
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}

// The variant parse_request picks on this CPU (parser_detail::best()).
void BM_parser_parse_small(benchmark::State& state) { parse_loop(state, small_request, parse_request, 4); }
void BM_parser_parse_browser(benchmark::State& state) { parse_loop(state, browser_request, parse_request, 4); }
void BM_parser_parse_small_just_copied(benchmark::State& state) {
    parse_loop(state, small_request, parse_request, 0);
}
void BM_parser_parse_browser_just_copied(benchmark::State& state) {
    parse_loop(state, browser_request, parse_request, 0);
}
// The others, for CPUs without AVX2 and without SSE2.
void BM_parser_parse_small_sse2(benchmark::State& state) { parse_loop(state, small_request, with_sse2, 4); }
void BM_parser_parse_browser_sse2(benchmark::State& state) { parse_loop(state, browser_request, with_sse2, 4); }
void BM_parser_parse_small_portable(benchmark::State& state) { parse_loop(state, small_request, with_portable, 4); }
void BM_parser_parse_browser_portable(benchmark::State& state) {
    parse_loop(state, browser_request, with_portable, 4);
}

// A head that arrived in pieces: the incremental scanner over the whole head.
void BM_parser_scan_browser(benchmark::State& state) {
    for (auto _ : state) {
        head_scanner scanner;
        head_scanner::result s = scanner.scan(browser_request.data(), browser_request.size(), 1 << 20);
        benchmark::DoNotOptimize(s);
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * browser_request.size()));
}

void BM_parser_chunked_decode(benchmark::State& state) {
    std::string body;
    for (int i = 0; i < 64; ++i) body += "400\r\n" + std::string(1024, 'x') + "\r\n";
    body += "0\r\n\r\n";
    for (auto _ : state) {
        chunked_decoder d;
        std::string_view in = body;
        std::size_t payload = 0;
        for (;;) {
            chunked_decoder::result r = d.decode(in);
            in.remove_prefix(r.consumed);
            payload += r.data.size();
            if (r.state != chunked_decoder::status::data) break;
        }
        benchmark::DoNotOptimize(payload);
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * body.size()));
}

}  // namespace

BENCHMARK(BM_parser_parse_small);
BENCHMARK(BM_parser_parse_browser);
BENCHMARK(BM_parser_parse_small_just_copied);
BENCHMARK(BM_parser_parse_browser_just_copied);
BENCHMARK(BM_parser_parse_small_sse2);
BENCHMARK(BM_parser_parse_browser_sse2);
BENCHMARK(BM_parser_parse_small_portable);
BENCHMARK(BM_parser_parse_browser_portable);
BENCHMARK(BM_parser_scan_browser);
BENCHMARK(BM_parser_chunked_decode);
BENCHMARK_MAIN();
