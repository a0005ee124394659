// The request codec: find a head, parse it in place, canonicalize fields.
#include <benchmark/benchmark.h>

#include <cstring>
#include <string>

#include "engine/chunked_decoder.hpp"
#include "engine/http1_parser.hpp"
#include "engine/request_access.hpp"

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

// What the engine does per request whose head came in one buffer: parse it
// in one pass into a reused request (in place, in a private copy of the
// bytes, as in the receive buffer), then reset the request for the next one.
void parse_loop(benchmark::State& state, const std::string& text) {
    std::string buffer = text;  // std::string keeps the NUL sentinel the parser needs
    request r;
    head_info info;
    const parse_limits limits{.max_head_bytes = 1 << 20};
    for (auto _ : state) {
        std::memcpy(buffer.data(), text.data(), text.size());  // the parser writes canonical names in place
        parse_result res = parse_request(buffer.data(), buffer.size(), r, info, limits);
        benchmark::DoNotOptimize(res);
        benchmark::DoNotOptimize(r.header().size());
        detail::request_access::reset(r);
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * text.size()));
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}

void BM_parser_parse_small(benchmark::State& state) { parse_loop(state, small_request); }
void BM_parser_parse_browser(benchmark::State& state) { parse_loop(state, browser_request); }

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
BENCHMARK(BM_parser_scan_browser);
BENCHMARK(BM_parser_chunked_decode);
BENCHMARK_MAIN();
