// file_server, serve_file and serve_content in-process, with
// httptest::response_recorder: outside a ring, file bytes come from pread.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <catch2/catch_test_macros.hpp>
#include <catch2/generators/catch_generators.hpp>

#include <ringhttp/file_server.hpp>
#include <ringhttp/httptest.hpp>
#include <ringhttp/ringhttp.hpp>

#include "tests/lib/files/files_tree.hpp"

namespace fs = std::filesystem;
using ringhttp::httptest::new_request;
using ringhttp::httptest::response_recorder;

namespace {

const std::string content = "0123456789abcdefghijklmnopqrstuvwxyz";
const auto modtime = std::chrono::system_clock::from_time_t(1'700'000'000);  // Tue, 14 Nov 2023 22:13:20 GMT

response_recorder content_get(std::vector<std::pair<std::string, std::string>> headers,
                              std::string_view method = "GET", std::string_view etag = {}) {
    auto r = new_request(method, "/doc.txt");
    for (auto& [k, v] : headers) r->header().set(k, v);
    response_recorder w;
    if (!etag.empty()) w.header().set("Etag", etag);
    ringhttp::serve_content(w, *r, "doc.txt", modtime, content);
    return w;
}

response_recorder serve(const ringhttp::handler_ptr& h, std::string_view target,
                      std::vector<std::pair<std::string, std::string>> headers = {}) {
    auto r = new_request("GET", target);
    for (auto& [k, v] : headers) r->header().set(k, v);
    response_recorder w;
    h->serve_http(w, *r);
    return w;
}

}  // namespace

TEST_CASE("serve_content: a plain GET gets the whole body with its metadata", "[files]") {
    auto w = content_get({});
    CHECK(w.code == 200);
    CHECK(w.body == content);
    CHECK(w.result_header().get("Content-Type") == "text/plain; charset=utf-8");
    CHECK(w.result_header().get("Content-Length") == std::to_string(content.size()));
    CHECK(w.result_header().get("Last-Modified") == "Tue, 14 Nov 2023 22:13:20 GMT");
    CHECK(w.result_header().get("Accept-Ranges") == "bytes");
}

TEST_CASE("serve_content: single ranges get 206 and Content-Range", "[files]") {
    auto [range, body, crange] = GENERATE(table<std::string, std::string, std::string>({
        {"bytes=0-4", "01234", "bytes 0-4/36"},
        {"bytes=30-", "uvwxyz", "bytes 30-35/36"},
        {"bytes=-3", "xyz", "bytes 33-35/36"},
        {"bytes=34-1000", "yz", "bytes 34-35/36"},
        {"bytes=5-5, 100-200", "5", "bytes 5-5/36"},
    }));
    auto w = content_get({{"Range", range}});
    CHECK(w.code == 206);
    CHECK(w.body == body);
    CHECK(w.result_header().get("Content-Range") == crange);
    CHECK(w.result_header().get("Content-Length") == std::to_string(body.size()));
}

TEST_CASE("serve_content: several ranges get multipart/byteranges", "[files]") {
    auto w = content_get({{"Range", "bytes=0-1,10-12"}});
    REQUIRE(w.code == 206);
    const std::string ctype(w.result_header().get("Content-Type"));
    const std::string prefix = "multipart/byteranges; boundary=";
    REQUIRE(ctype.starts_with(prefix));
    const std::string b = ctype.substr(prefix.size());
    CHECK(b.size() == 60);
    const std::string want = "--" + b + "\r\nContent-Range: bytes 0-1/36\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n01" +
                             "\r\n--" + b + "\r\nContent-Range: bytes 10-12/36\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nabc" +
                             "\r\n--" + b + "--\r\n";
    CHECK(w.body == want);
    CHECK(w.result_header().get("Content-Length") == std::to_string(want.size()));
}

TEST_CASE("serve_content: unsatisfiable and malformed ranges get 416", "[files]") {
    auto w = content_get({{"Range", "bytes=36-"}});
    CHECK(w.code == 416);
    CHECK(w.result_header().get("Content-Range") == "bytes */36");
    CHECK(w.body == "invalid range: failed to overlap\n");
    auto bad = content_get({{"Range", "bytes=5-1"}});
    CHECK(bad.code == 416);
    CHECK(bad.body == "invalid range\n");
    CHECK(bad.result_header().get("Last-Modified").empty());  // Go 1.23's serveError
    // Ranges adding up to more than the file are ignored: the whole body.
    auto over = content_get({{"Range", "bytes=0-,0-"}});
    CHECK(over.code == 200);
    CHECK(over.body == content);
}

TEST_CASE("serve_content: If-Modified-Since in each HTTP date format", "[files]") {
    auto date = GENERATE(std::string("Tue, 14 Nov 2023 22:13:20 GMT"), std::string("Tuesday, 14-Nov-23 22:13:20 GMT"),
                         std::string("Tue Nov 14 22:13:20 2023"), std::string("Wed, 15 Nov 2023 00:00:00 GMT"));
    auto w = content_get({{"If-Modified-Since", date}});
    CHECK(w.code == 304);
    CHECK(w.body.empty());
    CHECK(w.result_header().get("Content-Type").empty());
    auto older = content_get({{"If-Modified-Since", "Tue, 14 Nov 2023 22:13:19 GMT"}});
    CHECK(older.code == 200);
}

TEST_CASE("serve_content: ETag preconditions follow RFC 9110 section 13", "[files]") {
    CHECK(content_get({{"If-None-Match", "\"v1\""}}, "GET", "\"v1\"").code == 304);
    CHECK(content_get({{"If-None-Match", "W/\"v1\""}}, "GET", "\"v1\"").code == 304);  // weak comparison
    CHECK(content_get({{"If-None-Match", "\"v2\""}}, "GET", "\"v1\"").code == 200);
    CHECK(content_get({{"If-None-Match", "\"v1\""}}, "POST", "\"v1\"").code == 412);
    CHECK(content_get({{"If-Match", "\"v2\""}}, "GET", "\"v1\"").code == 412);
    CHECK(content_get({{"If-Match", "W/\"v1\""}}, "GET", "W/\"v1\"").code == 412);  // strong comparison
    CHECK(content_get({{"If-Match", "\"x\", \"v1\""}}, "GET", "\"v1\"").code == 200);
    CHECK(content_get({{"If-Unmodified-Since", "Tue, 14 Nov 2023 22:13:19 GMT"}}).code == 412);
    auto nm = content_get({{"If-None-Match", "\"v1\""}}, "GET", "\"v1\"");
    CHECK(nm.result_header().get("Last-Modified").empty());  // the ETag validates
    CHECK(content_get({{"Range", "bytes=0-1"}, {"If-Range", "\"v1\""}}, "GET", "\"v1\"").code == 206);
    CHECK(content_get({{"Range", "bytes=0-1"}, {"If-Range", "\"v0\""}}, "GET", "\"v1\"").code == 200);
    CHECK(content_get({{"Range", "bytes=0-1"}, {"If-Range", "Tue, 14 Nov 2023 22:13:20 GMT"}}).code == 206);
    CHECK(content_get({{"Range", "bytes=0-1"}, {"If-Range", "Tue, 14 Nov 2023 22:13:21 GMT"}}).code == 200);
}

TEST_CASE("file_server: files, listings and redirects outside a ring", "[files]") {
    files_tree tree;
    auto h = ringhttp::file_server(tree.root());

    auto hello = serve(h, "/hello.txt");
    CHECK(hello.code == 200);
    CHECK(hello.body == tree.hello);

    auto big = serve(h, "/big.bin");  // several 64 KiB chunks through pread
    CHECK(big.code == 200);
    CHECK(big.body == tree.big);
    CHECK(big.result_header().get("Content-Type") == "application/octet-stream");

    auto sub = serve(h, "/sub");
    CHECK(sub.code == 301);
    CHECK(sub.result_header().get("Location") == "sub/");
    CHECK(serve(h, "/sub/index.html").result_header().get("Location") == "./");
    CHECK(serve(h, "/sub/").body == "<p>index</p>\n");

    auto list = serve(h, "/list/");
    CHECK(list.code == 200);
    CHECK(list.result_header().get("Content-Type") == "text/html; charset=utf-8");
    CHECK(list.body ==
          "<!doctype html>\n<meta name=\"viewport\" content=\"width=device-width\">\n<pre>\n"
          "<a href=\"%3Fq.txt\">?q.txt</a>\n"
          "<a href=\"a%20b.txt\">a b.txt</a>\n"
          "<a href=\"a&%3C%3E.txt\">a&amp;&lt;&gt;.txt</a>\n"  // Go leaves & in the href as is
          "<a href=\"./c:d.txt\">c:d.txt</a>\n"
          "<a href=\"dir/\">dir/</a>\n"
          "</pre>\n");
}

TEST_CASE("file_server: no path leaves the root", "[files]") {
    files_tree tree;
    auto h = ringhttp::file_server(tree.root());
    auto target = GENERATE(std::string("/../outside.txt"), std::string("/%2e%2e/outside.txt"),
                           std::string("/sub/..%2f..%2foutside.txt"), std::string("/escape"),
                           std::string("/abs"), std::string("/sub/../../outside.txt"));
    auto w = serve(h, target);
    CHECK(w.code == 404);
    CHECK(w.body.find("outside") == std::string::npos);
    CHECK(serve(h, "/inside").body == tree.hello);  // a symlink within the root is followed
}

TEST_CASE("serve_file: a URL with .. is refused, a file is served", "[files]") {
    files_tree tree;
    auto r = new_request("GET", "/x/../y");
    response_recorder w;
    ringhttp::serve_file(w, *r, tree.root() + "/hello.txt");
    CHECK(w.code == 400);
    auto ok = new_request("GET", "/anything");
    response_recorder w2;
    ringhttp::serve_file(w2, *ok, tree.root() + "/hello.txt");
    CHECK(w2.code == 200);
    CHECK(w2.body == tree.hello);
}

TEST_CASE("serve_content_fd: an open file's ranges, read in chunks", "[files]") {
    files_tree tree;
    const int fd = ::open((tree.root() + "/big.bin").c_str(), O_RDONLY | O_CLOEXEC);
    REQUIRE(fd >= 0);
    auto r = new_request("GET", "/data");
    r->header().set("Range", "bytes=65530-131080");  // spans three 64 KiB chunks
    response_recorder w;
    ringhttp::serve_content_fd(w, *r, "data", modtime, fd, static_cast<std::int64_t>(tree.big.size()));
    ::close(fd);
    CHECK(w.code == 206);
    CHECK(w.body == tree.big.substr(65530, 131080 - 65530 + 1));
    CHECK(w.result_header().get("Content-Type") == "application/octet-stream");  // sniffed
}
