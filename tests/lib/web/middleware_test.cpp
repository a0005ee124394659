// Composition: chain, counting_writer, max_bytes_handler, timeout_handler
// (in-process with the recorder; the wire behaviour is in web_wire_test).
#include <catch2/catch_test_macros.hpp>

#include <string>
#include <thread>
#include <vector>

#include <ringhttp/helpers.hpp>
#include <ringhttp/httptest.hpp>
#include <ringhttp/middleware.hpp>
#include <ringhttp/timeout_handler.hpp>

using namespace ringhttp;
using namespace std::chrono_literals;

namespace {

// A middleware that appends its tag to X-Trace on the way in and out.
middleware tag(std::string name) {
    return [name](handler_ptr next) -> handler_ptr {
        return make_handler([name, next](response_writer& w, request& r) {
            w.header().add("X-Trace", name + ">");
            next->serve_http(w, r);
            w.header().add("X-Trace", "<" + name);
        });
    };
}

}  // namespace

TEST_CASE("middleware: chain runs the first listed outermost", "[middleware]") {
    handler_ptr h = chain(make_handler([](response_writer& w, request&) { w.header().add("X-Trace", "h"); }),
                          {tag("a"), tag("b"), middleware{}, tag("c")});
    httptest::response_recorder w;
    h->serve_http(w, *httptest::new_request("GET", "/"));
    CHECK(w.header().values("X-Trace") == std::vector<std::string_view>{"a>", "b>", "c>", "h", "<c", "<b", "<a"});
}

TEST_CASE("middleware: chain with no middleware returns the handler itself", "[middleware]") {
    handler_ptr h = not_found_handler();
    CHECK(chain(h, {}) == h);
}

TEST_CASE("middleware: counting_writer sees the final status and the bytes", "[middleware]") {
    httptest::response_recorder rec;
    counting_writer w(rec);
    CHECK(w.status() == 200);
    CHECK_FALSE(w.wrote_header());
    w.write_header(103);  // informational: not the final status
    CHECK_FALSE(w.wrote_header());
    w.write_header(404);
    w.write_header(500);  // ignored, as by the server
    (void)w.write("abc");
    (void)w.write("de");
    CHECK(w.status() == 404);
    CHECK(w.bytes_written() == 5);
    CHECK(rec.body == "abcde");
    CHECK(w.control() == nullptr);  // the recorder has none: passed through

    httptest::response_recorder rec2;
    counting_writer w2(rec2);
    (void)w2.write("x");
    CHECK(w2.status() == 200);
    CHECK(w2.wrote_header());
}

TEST_CASE("middleware: max_bytes_handler limits the body seen by the handler", "[middleware]") {
    auto h = max_bytes_handler(make_handler([](response_writer& w, request& r) {
                                   std::string body;
                                   std::error_code ec = r.body().read_all(body);
                                   if (ec == errc::body_too_large) {
                                       error(w, "too large", 413);
                                       return;
                                   }
                                   (void)w.write(body);
                               }),
                               5);
    httptest::response_recorder ok;
    h->serve_http(ok, *httptest::new_request("POST", "/", "12345"));
    CHECK(ok.code == 200);
    CHECK(ok.body == "12345");
    httptest::response_recorder big;
    h->serve_http(big, *httptest::new_request("POST", "/", "123456"));
    CHECK(big.code == 413);
}

TEST_CASE("timeout_handler: a handler within the limit is sent as written", "[timeout]") {
    auto h = timeout_handler(make_handler([](response_writer& w, request&) {
                                 w.header().set("X-A", "1");
                                 w.header().add("X-Multi", "1");
                                 w.header().add("X-Multi", "2");
                                 w.write_header(201);
                                 (void)w.write("hello ");
                                 (void)w.write("world");
                                 w.header().set("X-Late", "1");  // Go copies the buffered map as it is at the end
                             }),
                             5s, "too slow");
    httptest::response_recorder w;
    w.header().set("X-A", "outer");
    h->serve_http(w, *httptest::new_request("GET", "/"));
    CHECK(w.code == 201);
    CHECK(w.body == "hello world");
    CHECK(w.result_header().values("X-A") == std::vector<std::string_view>{"1"});
    CHECK(w.result_header().values("X-Multi") == std::vector<std::string_view>{"1", "2"});
    CHECK(w.result_header().get("X-Late") == "1");
}

TEST_CASE("timeout_handler: past the limit the client gets 503 and the writes are dropped", "[timeout]") {
    std::error_code late_write;
    std::error_code flush_result;
    bool stop_seen = false;
    auto h = timeout_handler(make_handler([&](response_writer& w, request& r) {
                                 flush_result = w.flush();
                                 (void)w.write("partial");
                                 std::this_thread::sleep_for(150ms);
                                 stop_seen = r.stop_token().stop_requested();
                                 late_write = w.write("more").ec;
                                 w.write_header(200);
                             }),
                             30ms, "busy, try later");
    httptest::response_recorder w;
    h->serve_http(w, *httptest::new_request("GET", "/"));
    CHECK(w.code == 503);
    CHECK(w.body == "busy, try later");
    CHECK(late_write == errc::timeout);
    CHECK(flush_result == errc::not_supported);
    CHECK(stop_seen);  // the timer thread stopped the handler's token at the limit
}

TEST_CASE("timeout_handler: an empty message gives Go's HTML page; the caller's token comes back", "[timeout]") {
    auto r = httptest::new_request("GET", "/");
    std::stop_source outer;
    r->set_stop_source(&outer);
    bool inner_had_other_token = false;
    auto h = timeout_handler(make_handler([&](response_writer&, request& req) {
                                 inner_had_other_token = req.stop_token() != outer.get_token();
                                 std::this_thread::sleep_for(60ms);
                             }),
                             10ms);
    httptest::response_recorder w;
    h->serve_http(w, *r);
    CHECK(w.code == 503);
    CHECK(w.body == "<html><head><title>Timeout</title></head><body><h1>Timeout</h1></body></html>");
    CHECK(inner_had_other_token);
    CHECK(r->stop_token() == outer.get_token());
    CHECK_FALSE(outer.stop_requested());
}

TEST_CASE("timeout_handler: the client going away stops the handler's token too", "[timeout]") {
    auto r = httptest::new_request("GET", "/");
    std::stop_source outer;
    r->set_stop_source(&outer);
    bool stopped = false;
    auto h = timeout_handler(make_handler([&](response_writer&, request& req) {
                                 outer.request_stop();
                                 stopped = req.stop_token().stop_requested();
                             }),
                             10s);
    httptest::response_recorder w;
    h->serve_http(w, *r);
    CHECK(stopped);
    CHECK(w.code == 503);  // as Go: a cancelled context also ends in 503
}

TEST_CASE("timeout_handler: an exception from the handler passes through", "[timeout]") {
    auto h = timeout_handler(make_handler([](response_writer&, request&) { throw std::runtime_error("boom"); }), 1s);
    httptest::response_recorder w;
    auto r = httptest::new_request("GET", "/");
    CHECK_THROWS_AS(h->serve_http(w, *r), std::runtime_error);
    CHECK_FALSE(w.wrote_header);
}
