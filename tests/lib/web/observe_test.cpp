// Access log lines and the metrics exposition, in-process.
#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>

#include <cstdio>
#include <regex>
#include <string>
#include <vector>

#include <ringhttp/access_log.hpp>
#include <ringhttp/httptest.hpp>
#include <ringhttp/metrics.hpp>

using namespace ringhttp;
using Catch::Matchers::ContainsSubstring;

namespace {

handler_ptr teapot() {
    return make_handler([](response_writer& w, request&) {
        w.write_header(418);
        (void)w.write("short and stout");
    });
}

}  // namespace

TEST_CASE("access_log: combined format line", "[access_log]") {
    std::vector<std::string> lines;
    auto h = access_log(teapot(), [&](std::string_view l) { lines.emplace_back(l); });
    auto r = httptest::new_request("GET", "/pot?x=\"1\"");
    r->header().set("Referer", "http://example.com/");
    r->header().set("User-Agent", "agent \"007\"\x01");
    r->header().set("Authorization", "Basic YWxhZGRpbjpvcGVuc2VzYW1l");  // aladdin:opensesame
    httptest::response_recorder w;
    h->serve_http(w, *r);
    REQUIRE(lines.size() == 1);
    const std::regex want(
        R"re(192\.0\.2\.1 - aladdin \[\d\d/[A-Z][a-z][a-z]/\d{4}:\d\d:\d\d:\d\d \+0000\] "GET /pot\?x=\\"1\\" HTTP/1\.1" 418 15 "http://example\.com/" "agent \\"007\\"\\x01")re");
    CAPTURE(lines[0]);
    CHECK(std::regex_match(lines[0], want));
}

TEST_CASE("access_log: common format, nothing written is 200 and '-' bytes", "[access_log]") {
    std::vector<std::string> lines;
    auto h = access_log(make_handler([](response_writer&, request&) {}),
                        [&](std::string_view l) { lines.emplace_back(l); }, log_format::common);
    httptest::response_recorder w;
    h->serve_http(w, *httptest::new_request("HEAD", "/"));
    REQUIRE(lines.size() == 1);
    CAPTURE(lines[0]);
    CHECK(std::regex_match(lines[0], std::regex(R"re(192\.0\.2\.1 - - \[[^\]]+\] "HEAD / HTTP/1\.1" 200 -)re")));
}

TEST_CASE("access_log: file_sink writes whole lines", "[access_log]") {
    std::FILE* f = std::tmpfile();
    REQUIRE(f != nullptr);
    log_sink sink = file_sink(f);
    sink("one");
    sink("two");
    std::rewind(f);
    char buf[64] = {};
    std::size_t n = std::fread(buf, 1, sizeof buf - 1, f);
    CHECK(std::string(buf, n) == "one\ntwo\n");
    std::fclose(f);
}

TEST_CASE("metrics: counts by code and method, histogram, exposition format", "[metrics]") {
    auto m = std::make_shared<metrics>();
    auto h = m->wrap(teapot());
    auto ok = m->wrap(make_handler([](response_writer& w, request&) { (void)w.write("x"); }));
    for (int i = 0; i < 3; ++i) {
        httptest::response_recorder w;
        h->serve_http(w, *httptest::new_request("POST", "/"));
    }
    httptest::response_recorder w;
    ok->serve_http(w, *httptest::new_request("BREW", "/"));
    CHECK(m->requests_total() == 4);

    httptest::response_recorder scrape;
    m->exposition()->serve_http(scrape, *httptest::new_request("GET", "/metrics"));
    CHECK(scrape.code == 200);
    CHECK(scrape.result_header().get("Content-Type") == "text/plain; version=0.0.4; charset=utf-8");
    const std::string& text = scrape.body;
    CHECK_THAT(text, ContainsSubstring("# TYPE http_requests_total counter\n"));
    CHECK_THAT(text, ContainsSubstring("http_requests_total{code=\"418\",method=\"POST\"} 3\n"));
    CHECK_THAT(text, ContainsSubstring("http_requests_total{code=\"200\",method=\"OTHER\"} 1\n"));
    CHECK_THAT(text, ContainsSubstring("# TYPE http_request_duration_seconds histogram\n"));
    CHECK_THAT(text, ContainsSubstring("http_request_duration_seconds_bucket{le=\"0.005\"} 4\n"));
    CHECK_THAT(text, ContainsSubstring("http_request_duration_seconds_bucket{le=\"+Inf\"} 4\n"));
    CHECK_THAT(text, ContainsSubstring("http_request_duration_seconds_count 4\n"));
    CHECK_THAT(text, ContainsSubstring("http_request_duration_seconds_sum "));
    CHECK_THAT(text, ContainsSubstring("# TYPE http_connections gauge\n"));
    // The run_blocking pool (not started by a scrape: no threads until a handler uses it).
    CHECK_THAT(text, ContainsSubstring("# TYPE ringhttp_blocking_threads gauge\n"));
    CHECK_THAT(text, ContainsSubstring("ringhttp_blocking_queued 0\n"));
    CHECK_THAT(text, ContainsSubstring("ringhttp_blocking_max_threads 1024\n"));
    // Every sample line is "name{labels} value" or "name value".
    std::size_t start = 0;
    const std::regex sample(R"re([a-z_]+(\{[a-z]+="[^"]*"(,[a-z]+="[^"]*")*\})? [0-9.e+-]+)re");
    while (start < text.size()) {
        std::size_t nl = text.find('\n', start);
        REQUIRE(nl != std::string::npos);
        std::string line = text.substr(start, nl - start);
        start = nl + 1;
        if (line.starts_with("# HELP ") || line.starts_with("# TYPE ")) continue;
        CAPTURE(line);
        CHECK(std::regex_match(line, sample));
    }
}

TEST_CASE("metrics: a handler that throws counts as 500", "[metrics]") {
    auto m = std::make_shared<metrics>();
    auto h = m->wrap(make_handler([](response_writer&, request&) { throw std::runtime_error("x"); }));
    httptest::response_recorder w;
    auto r = httptest::new_request("GET", "/");
    CHECK_THROWS(h->serve_http(w, *r));
    CHECK_THAT(m->render(), ContainsSubstring("http_requests_total{code=\"500\",method=\"GET\"} 1\n"));
}

TEST_CASE("metrics: connections by state follow conn_state transitions", "[metrics]") {
    auto m = std::make_shared<metrics>();
    connection_info a{1, "127.0.0.1:1"}, b{2, "127.0.0.1:2"}, c{3, "127.0.0.1:3"};
    m->on_conn_state(a, conn_state::new_);
    m->on_conn_state(b, conn_state::new_);
    m->on_conn_state(c, conn_state::new_);
    m->on_conn_state(a, conn_state::active);
    m->on_conn_state(b, conn_state::active);
    m->on_conn_state(b, conn_state::idle);
    m->on_conn_state(c, conn_state::closed);  // closed from new
    CHECK(m->connections(conn_state::new_) == 0);
    CHECK(m->connections(conn_state::active) == 1);
    CHECK(m->connections(conn_state::idle) == 1);
    CHECK(m->connections(conn_state::closed) == 1);
    m->on_conn_state(a, conn_state::hijacked);
    m->on_conn_state(b, conn_state::closed);  // closed from idle
    CHECK(m->connections(conn_state::active) == 0);
    CHECK(m->connections(conn_state::idle) == 0);
    CHECK(m->connections(conn_state::closed) == 2);
    CHECK(m->connections(conn_state::hijacked) == 1);
    const std::string text = m->render();
    CHECK_THAT(text, ContainsSubstring("http_connections_accepted_total 3\n"));
    CHECK_THAT(text, ContainsSubstring("http_connections{state=\"idle\"} 0\n"));
    CHECK_THAT(text, ContainsSubstring("http_connections_closed_total{state=\"closed\"} 2\n"));
}
