// httptest::new_request and response_recorder against Go's httptest.NewRequest
// and ResponseRecorder.
#include <catch2/catch_test_macros.hpp>
#include <catch2/generators/catch_generators.hpp>

#include <cstring>
#include <stdexcept>
#include <string>

#include <ringhttp/httptest.hpp>
#include <ringhttp/ringhttp.hpp>

using namespace ringhttp;

namespace {

// A body of unknown length (Go: an io.Reader that is not a strings.Reader).
class chunks final : public body_reader {
public:
    io_result read(std::span<char> buf) override {
        if (left_ == 0) return {0, errc::eof};
        if (buf.empty()) return {0, {}};
        buf[0] = 'z';
        --left_;
        return {1, {}};
    }

private:
    int left_ = 3;
};

}  // namespace

TEST_CASE("httptest::new_request: Go's defaults for an origin-form target", "[httptest]") {
    auto r = httptest::new_request("", "/p/a%20b?q=1");
    CHECK(r->method() == "GET");  // Go: "" means GET
    CHECK(r->proto() == "HTTP/1.1");
    CHECK(r->proto_major() == 1);
    CHECK(r->proto_minor() == 1);
    CHECK(r->host() == "example.com");
    CHECK(r->remote_addr() == "192.0.2.1:1234");
    CHECK(r->request_uri() == "/p/a%20b?q=1");
    CHECK(r->url().path == "/p/a b");
    CHECK(r->url().raw_query == "q=1");
    CHECK(r->url().host.empty());
    CHECK(r->content_length() == 0);
    CHECK(r->header().size() == 0);
    CHECK_FALSE(r->close());
    std::string body;
    CHECK_FALSE(r->body().read_all(body));
    CHECK(body.empty());
}

TEST_CASE("httptest::new_request: an absolute target gives the host, port included", "[httptest]") {
    auto r = httptest::new_request("POST", "http://foo.test:8080/x?y=z", "a=b");
    CHECK(r->method() == "POST");
    CHECK(r->host() == "foo.test:8080");
    CHECK(r->url().scheme == "http");
    CHECK(r->url().path == "/x");
    CHECK(r->url().raw_query == "y=z");
    CHECK(r->request_uri() == "http://foo.test:8080/x?y=z");
    CHECK(r->content_length() == 3);
    std::string body;
    CHECK_FALSE(r->body().read_all(body));
    CHECK(body == "a=b");
}

TEST_CASE("httptest::new_request: an https target is taken too (Go also marks it TLS)", "[httptest]") {
    auto r = httptest::new_request("GET", "https://secure.test/x");
    CHECK(r->host() == "secure.test");
    CHECK(r->url().scheme == "https");
    CHECK(r->url().path == "/x");
}

TEST_CASE("httptest::new_request: OPTIONS * and CONNECT authority-form", "[httptest]") {
    auto o = httptest::new_request("OPTIONS", "*");
    CHECK(o->request_uri() == "*");
    // Go's url.ParseRequestURI takes "*" whatever the method.
    CHECK_NOTHROW(httptest::new_request("GET", "*"));
    auto c = httptest::new_request("CONNECT", "proxy.test:443");
    CHECK(c->host() == "proxy.test:443");
}

TEST_CASE("httptest::new_request: a body_reader body has an unknown length", "[httptest]") {
    chunks src;
    auto r = httptest::new_request("PUT", "/up", src);
    CHECK(r->content_length() == -1);
    std::string body;
    CHECK_FALSE(r->body().read_all(body));
    CHECK(body == "zzz");
}

TEST_CASE("httptest::new_request: what Go's NewRequest panics on throws", "[httptest]") {
    auto [method, target] = GENERATE(table<const char*, const char*>({
        {"BAD METHOD", "/"},  // not a token
        {"GE(T", "/"},
        {"GET", "/a b"},      // ReadRequest sees a malformed version
        {"GET", "/a\tb"},
        {"GET", "/a\x01"},    // url.ParseRequestURI: invalid control character
        {"GET", "no-slash"},  // neither origin nor absolute form
        {"GET", ""},
    }));
    CAPTURE(method, target);
    CHECK_THROWS_AS(httptest::new_request(method, target), std::invalid_argument);
}

TEST_CASE("httptest::response_recorder: sniffs, snapshots the header and records the body", "[httptest]") {
    auto mux = std::make_shared<serve_mux>();
    mux->handle_func("/page", [](response_writer& w, request& r) {
        w.header().set("X-Method", r.method());
        w.write("<html><body>hi</body></html>");
        w.header().set("X-Late", "ignored");  // after the header was written
    });
    httptest::response_recorder rec;
    auto r = httptest::new_request("GET", "/page");
    mux->serve_http(rec, *r);
    CHECK(rec.code == 200);
    CHECK(rec.wrote_header);
    CHECK(rec.body == "<html><body>hi</body></html>");
    CHECK(rec.result_header().get("Content-Type") == "text/html; charset=utf-8");
    CHECK(rec.result_header().get("X-Method") == "GET");
    CHECK_FALSE(rec.result_header().has("X-Late"));

    httptest::response_recorder missing;
    auto r404 = httptest::new_request("GET", "/nope");
    mux->serve_http(missing, *r404);
    CHECK(missing.code == 404);
}
