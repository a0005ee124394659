// Forms: url.ParseQuery, Request.ParseForm / ParseMultipartForm / FormValue /
// FormFile, with Go 1.23's limits.
#include <catch2/catch_test_macros.hpp>

#include <string>
#include <vector>

#include <ringhttp/form.hpp>
#include <ringhttp/httptest.hpp>

using namespace ringhttp;

namespace {

std::unique_ptr<request> post(std::string_view target, std::string_view content_type, std::string_view body,
                              std::string_view method = "POST") {
    auto r = httptest::new_request(method, target, body);
    if (!content_type.empty()) r->header().set("Content-Type", content_type);
    return r;
}

std::vector<std::string> strings(const std::vector<std::string_view>& v) { return {v.begin(), v.end()}; }

// A multipart/form-data body with boundary "XyZ".
struct multipart_builder {
    std::string body;
    multipart_builder& field(std::string_view name, std::string_view value) {
        body += "--XyZ\r\nContent-Disposition: form-data; name=\"" + std::string(name) + "\"\r\n\r\n" +
                std::string(value) + "\r\n";
        return *this;
    }
    multipart_builder& file(std::string_view name, std::string_view filename, std::string_view content) {
        body += "--XyZ\r\nContent-Disposition: form-data; name=\"" + std::string(name) + "\"; filename=\"" +
                std::string(filename) + "\"\r\nContent-Type: application/octet-stream\r\n\r\n" +
                std::string(content) + "\r\n";
        return *this;
    }
    std::string done() const { return body + "--XyZ--\r\n"; }
};
constexpr std::string_view multipart_type = "multipart/form-data; boundary=XyZ";

}  // namespace

TEST_CASE("form: parse_query follows url.ParseQuery", "[form]") {
    url_values v;
    CHECK_FALSE(parse_query("a=1&b=2+3&a=%41&c&=empty-key&d=", v));
    CHECK(strings(v.all("a")) == std::vector<std::string>{"1", "A"});
    CHECK(v.get("b") == "2 3");
    CHECK(v.has("c"));
    CHECK(v.get("c").empty());
    CHECK(v.get("") == "empty-key");  // Go skips only an empty pair, not an empty key
    CHECK(v.has(""));
    CHECK(v.has("d"));

    url_values bad;
    std::error_code ec = parse_query("x=1;y=2&ok=1&z=%zz&w=%4", bad);
    CHECK(ec == form_errc::bad_query);
    CHECK(bad.size() == 1);  // only ok=1 survives; the rest are skipped
    CHECK(bad.get("ok") == "1");
}

TEST_CASE("form: url_values encode sorted by key, query-escaped", "[form]") {
    url_values v;
    v.add("q", "a b&c");
    v.add("a", "2");
    v.add("a", "1");
    v.set("z", "~");
    CHECK(v.encode() == "a=2&a=1&q=a+b%26c&z=~");
    v.del("a");
    CHECK(v.encode() == "q=a+b%26c&z=~");
}

TEST_CASE("form: parse_form puts body values before query values", "[form]") {
    auto r = post("/p?a=query&q=1", "application/x-www-form-urlencoded", "a=body&b=2");
    REQUIRE_FALSE(r->parse_form());
    CHECK(strings(r->form().all("a")) == std::vector<std::string>{"body", "query"});
    CHECK(r->form_value("a") == "body");
    CHECK(r->form_value("q") == "1");
    CHECK(r->post_form_value("a") == "body");
    CHECK(r->post_form_value("q").empty());
    CHECK_FALSE(r->parse_form());  // idempotent
    CHECK(r->form().size() == 4);
}

TEST_CASE("form: only POST, PUT and PATCH bodies are parsed, and only urlencoded ones", "[form]") {
    auto get = post("/?x=1", "application/x-www-form-urlencoded", "a=1", "GET");
    CHECK_FALSE(get->parse_form());
    CHECK(get->form_value("a").empty());
    CHECK(get->form_value("x") == "1");

    auto put = post("/", "application/x-www-form-urlencoded; charset=utf-8", "a=1", "PUT");
    CHECK(put->form_value("a") == "1");

    auto json = post("/", "application/json", "{\"a\":1}");
    CHECK_FALSE(json->parse_form());
    CHECK(json->post_form().empty());

    auto bad_type = post("/", "text/plain; charset", "a=1");
    CHECK(bad_type->parse_form() == form_errc::bad_media_type);

    auto bad_query = post("/?a=%", "application/x-www-form-urlencoded", "b=2");
    CHECK(bad_query->parse_form() == form_errc::bad_query);
    CHECK(bad_query->form_value("b") == "2");  // Go keeps what parsed
}

TEST_CASE("form: an urlencoded body over 10 MB is 'POST too large' (413)", "[form]") {
    std::string body(10 << 20, 'a');
    body.insert(0, "k=");
    auto r = post("/?q=1", "application/x-www-form-urlencoded", body);
    std::error_code ec = r->parse_form();
    CHECK(ec == form_errc::post_too_large);
    CHECK(r->form_value("q") == "1");  // as Go, the query is still parsed
    CHECK(r->post_form().empty());
    CHECK(ec.message() == "http: POST too large");
    CHECK(form_error_status(ec) == 413);

    std::string fits(10 << 20, 'b');
    fits.replace(0, 2, "k=");
    auto ok = post("/", "application/x-www-form-urlencoded", fits);
    CHECK_FALSE(ok->parse_form());
    CHECK(ok->form_value("k").size() == (10u << 20) - 2);
}

TEST_CASE("form: multipart values and files", "[form][multipart]") {
    std::string body = multipart_builder{}
                           .field("name", "ringhttp")
                           .file("upload", "../../etc/passwd", "line 1\r\n--XyZnot a boundary\r\nline 3")
                           .field("name", "second")
                           .file("upload", "b.bin", std::string("\0\1\2", 3))
                           .done();
    body.insert(0, "preamble to ignore\r\n");
    auto r = post("/u?q=1", multipart_type, body);
    REQUIRE_FALSE(r->parse_multipart_form(1 << 20));
    CHECK(strings(r->form().all("name")) == std::vector<std::string>{"ringhttp", "second"});
    CHECK(r->form_value("q") == "1");
    CHECK(r->post_form_value("name") == "ringhttp");
    REQUIRE(r->multipart() != nullptr);
    const auto& files = r->multipart()->file.at("upload");
    REQUIRE(files.size() == 2);
    CHECK(files[0].filename == "passwd");  // Go's filepath.Base: no directories
    CHECK(files[0].content == "line 1\r\n--XyZnot a boundary\r\nline 3");
    CHECK(files[0].size == static_cast<std::int64_t>(files[0].content.size()));
    CHECK(files[0].header.get("Content-Type") == "application/octet-stream");
    CHECK(files[1].content == std::string("\0\1\2", 3));

    std::error_code ec;
    const file_header* f = r->form_file("upload", &ec);
    REQUIRE(f != nullptr);
    CHECK(f == &files[0]);
    CHECK(r->form_file("nope", &ec) == nullptr);
    CHECK(ec == form_errc::missing_file);
}

TEST_CASE("form: multipart file bytes past max_memory go to a temporary file", "[form][multipart]") {
    std::string big(300000, 'x');
    for (std::size_t i = 0; i < big.size(); i += 1000) big[i] = static_cast<char>('a' + (i / 1000) % 26);
    auto r = post("/", multipart_type, multipart_builder{}.file("f", "small", "tiny").file("f", "big", big).done());
    REQUIRE_FALSE(r->parse_multipart_form(1000));
    const auto& files = r->multipart()->file.at("f");
    REQUIRE(files.size() == 2);
    CHECK(files[0].fd < 0);
    CHECK(files[0].content == "tiny");
    CHECK(files[1].fd >= 0);
    CHECK(files[1].content.empty());
    CHECK(files[1].size == 300000);
    std::string got;
    REQUIRE_FALSE(files[1].read_all(got));
    CHECK(got == big);
    r->multipart()->remove_all();
    CHECK(r->multipart()->temp_fd < 0);
}

TEST_CASE("form: form_value parses a multipart body on its own (32 MB)", "[form][multipart]") {
    auto r = post("/", multipart_type, multipart_builder{}.field("a", "1").done());
    CHECK(r->form_value("a") == "1");
    CHECK(r->form_file("a") == nullptr);  // a value, not a file
}

TEST_CASE("form: malformed multipart bodies are errors, never hangs", "[form][multipart]") {
    CHECK(post("/", "application/x-www-form-urlencoded", "a=1")->parse_multipart_form(1000) ==
          form_errc::not_multipart);
    CHECK(post("/", "multipart/form-data", "x")->parse_multipart_form(1000) == form_errc::missing_boundary);
    // No closing delimiter: the body ends inside a part.
    CHECK(post("/", multipart_type, "--XyZ\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nvalue")
              ->parse_multipart_form(1000) == form_errc::bad_multipart);
    // No boundary at all.
    CHECK(post("/", multipart_type, "just text")->parse_multipart_form(1000) == form_errc::bad_multipart);
    // A part header line without a colon.
    CHECK(post("/", multipart_type, "--XyZ\r\nnot a header\r\n\r\nv\r\n--XyZ--\r\n")->parse_multipart_form(1000) ==
          form_errc::bad_multipart);
    // An empty form is fine.
    auto empty = post("/", multipart_type, "--XyZ--\r\n");
    CHECK_FALSE(empty->parse_multipart_form(1000));
    CHECK(empty->multipart()->value.empty());
}

TEST_CASE("form: multipart limits: 1000 parts, values within max_memory + 10 MB", "[form][multipart]") {
    multipart_builder many;
    for (int i = 0; i < 1001; ++i) many.field("k", "v");
    std::error_code ec = post("/", multipart_type, many.done())->parse_multipart_form(1 << 20);
    CHECK(ec == form_errc::message_too_large);
    CHECK(form_error_status(ec) == 413);

    multipart_builder exactly;
    for (int i = 0; i < 1000; ++i) exactly.field("k", "v");
    CHECK_FALSE(post("/", multipart_type, exactly.done())->parse_multipart_form(1 << 20));

    std::string huge((10 << 20) + 1000, 'v');
    CHECK(post("/", multipart_type, multipart_builder{}.field("big", huge).done())->parse_multipart_form(0) ==
          form_errc::message_too_large);
}

TEST_CASE("form: the request's form state starts afresh for each new request", "[form]") {
    auto r = post("/?a=1", "", "");
    CHECK(r->form_value("a") == "1");
    // A wildcard set by a mux must not disturb the form state, nor the reverse.
    r->set_path_value("id", "7");
    CHECK(r->form_value("a") == "1");
    CHECK(r->path_value("id") == "7");
}
