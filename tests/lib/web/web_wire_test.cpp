// Wire tests over 127.0.0.1: cookies and forms through real sockets,
// max_bytes_handler, timeout_handler on a ring, and access log and metrics
// checked under load (own clients, and wrk when installed).
#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <mutex>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include <unistd.h>

#include <ringhttp/access_log.hpp>
#include <ringhttp/cookie.hpp>
#include <ringhttp/form.hpp>
#include <ringhttp/metrics.hpp>
#include <ringhttp/middleware.hpp>
#include <ringhttp/ringhttp.hpp>
#include <ringhttp/timeout_handler.hpp>

#include "tests/support/wire.hpp"

using namespace ringhttp;
using namespace ringhttp::test;
using namespace std::chrono_literals;
using Catch::Matchers::ContainsSubstring;

namespace {

response one(std::uint16_t port, const std::string& req, std::chrono::milliseconds deadline = 10000ms) {
    raw_connection c(port);
    c.send(req);
    raw_result r = c.read_responses(1, {}, deadline);
    auto rs = parse_responses(r.bytes, {}, r.closed);
    return rs.empty() ? response{} : rs.front();
}

// A thread-safe sink that keeps the lines.
struct line_store {
    std::mutex mu;
    std::vector<std::string> lines;
    log_sink sink() {
        return [this](std::string_view l) {
            std::lock_guard lock(mu);
            lines.emplace_back(l);
        };
    }
    std::vector<std::string> snapshot() {
        std::lock_guard lock(mu);
        return lines;
    }
};

// The value of a sample line "name{labels} value" in an exposition, or -1.
long long sample(const std::string& text, const std::string& name_and_labels) {
    std::size_t at = text.find("\n" + name_and_labels + " ");
    if (at == std::string::npos) return -1;
    return std::stoll(text.substr(at + name_and_labels.size() + 2));
}

// Waits (generously: the machine is shared) until every accepted connection
// is closed, as the metrics see it.
bool settle(const metrics& m, long long expect_open) {
    for (int i = 0; i < 1000; ++i) {
        const long long open =
            m.connections(conn_state::new_) + m.connections(conn_state::active) + m.connections(conn_state::idle);
        if (open == expect_open) return true;
        std::this_thread::sleep_for(10ms);
    }
    return false;
}

}  // namespace

TEST_CASE("web wire: cookies are read from and set on the wire", "[wire][cookie]") {
    test_server s(make_handler([](response_writer& w, request& r) {
        cookie c;
        c.name = "seen";
        c.value = std::string(r.cookie("session") ? r.cookie("session")->value : "none");
        c.path = "/";
        c.http_only = true;
        c.same_site = same_site::lax;
        set_cookie(w, c);
        (void)w.write(std::to_string(r.cookies().size()));
    }));
    response rs = one(s.port(), "GET / HTTP/1.1\r\nHost: t\r\nCookie: a=1; session=\"abc\"\r\nCookie: b=2\r\n\r\n");
    CHECK(rs.status == 200);
    CHECK(rs.body == "3");
    CHECK(rs.header("set-cookie") == "seen=abc; Path=/; HttpOnly; SameSite=Lax");
}

TEST_CASE("web wire: a multipart upload streams in and parses; file parts spill to disk", "[wire][form]") {
    test_server s(make_handler([](response_writer& w, request& r) {
        std::error_code ec = r.parse_multipart_form(64 * 1024);
        if (ec) {
            error(w, ec.message(), form_error_status(ec));
            return;
        }
        std::error_code fe;
        const file_header* f = r.form_file("file", &fe);
        std::string content;
        if (f != nullptr) (void)f->read_all(content);
        std::size_t sum = 0;
        for (unsigned char c : content) sum += c;
        (void)w.write(std::string(r.form_value("title")) + "|" + (f ? f->filename : "-") + "|" +
                      std::to_string(content.size()) + "|" + std::to_string(sum) + "|" +
                      (f != nullptr && f->fd >= 0 ? "disk" : "memory"));
    }));
    std::string file(500000, '\0');
    std::size_t sum = 0;
    for (std::size_t i = 0; i < file.size(); ++i) {
        file[i] = static_cast<char>((i * 7 + i / 13) & 0xff);
        sum += static_cast<unsigned char>(file[i]);
    }
    std::string body = "--b0undary\r\nContent-Disposition: form-data; name=\"title\"\r\n\r\nholiday\r\n"
                       "--b0undary\r\nContent-Disposition: form-data; name=\"file\"; filename=\"photo.raw\"\r\n"
                       "Content-Type: application/octet-stream\r\n\r\n" +
                       file + "\r\n--b0undary--\r\n";
    raw_connection c(s.port());
    c.send("POST /up HTTP/1.1\r\nHost: t\r\nContent-Type: multipart/form-data; boundary=b0undary\r\n"
           "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n");
    // In pieces, so the parser meets boundaries split across reads.
    for (std::size_t at = 0; at < body.size(); at += 7001) c.send(std::string_view(body).substr(at, 7001));
    raw_result r = c.read_responses(1, {}, 10000ms);
    auto rs = parse_responses(r.bytes, {}, r.closed);
    REQUIRE(rs.size() == 1);
    CHECK(rs[0].status == 200);
    CHECK(rs[0].body == "holiday|photo.raw|500000|" + std::to_string(sum) + "|disk");
}

TEST_CASE("web wire: a spilled upload's temporary file is closed when serve_http returns", "[wire][form]") {
    // The handler leaves without remove_all(); Go's server removes the files
    // after the handler (finishRequest), and so must ringhttp.
    std::atomic<int> spilled_fd{-1};
    test_server s(make_handler([&](response_writer& w, request& r) {
        if (std::error_code ec = r.parse_multipart_form(1024)) {
            error(w, ec.message(), form_error_status(ec));
            return;
        }
        const file_header* f = r.form_file("file");
        spilled_fd = f != nullptr ? f->fd : -1;
        w.write(f != nullptr && f->fd >= 0 ? "disk" : "memory");
    }));
    const std::string body = "--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.bin\"\r\n\r\n" +
                             std::string(64 * 1024, 'x') + "\r\n--b--\r\n";
    // What the spilled file's descriptor names now ("/tmp/multipart-XXXXXX (deleted)" while open).
    auto target = [](int fd) {
        char buf[512];
        ssize_t n = ::readlink(("/proc/self/fd/" + std::to_string(fd)).c_str(), buf, sizeof buf - 1);
        return n < 0 ? std::string() : std::string(buf, static_cast<std::size_t>(n));
    };
    raw_connection c(s.port());
    c.send("POST /up HTTP/1.1\r\nHost: t\r\nContent-Type: multipart/form-data; boundary=b\r\nContent-Length: " +
           std::to_string(body.size()) + "\r\n\r\n" + body);
    raw_result r = c.read_responses(1, {}, 10000ms);
    auto rs = parse_responses(r.bytes, {}, r.closed);
    REQUIRE(rs.size() == 1);
    REQUIRE(rs[0].body == "disk");
    REQUIRE(spilled_fd >= 0);
    // The response goes out after the handler's clean-up, on the same connection kept open.
    CHECK_THAT(target(spilled_fd), !ContainsSubstring("multipart-"));
}

TEST_CASE("web wire: a form over max_bytes_handler's limit is answered 413 and the connection closes", "[wire][form]") {
    auto h = max_bytes_handler(make_handler([](response_writer& w, request& r) {
                                   if (std::error_code ec = r.parse_form()) {
                                       error(w, ec.message(), form_error_status(ec));
                                       return;
                                   }
                                   (void)w.write(r.form_value("k"));
                               }),
                               1000);
    test_server s(h);
    response ok = one(s.port(),
                      "POST / HTTP/1.1\r\nHost: t\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                      "Content-Length: 5\r\n\r\nk=v+w");
    CHECK(ok.status == 200);
    CHECK(ok.body == "v w");
    raw_connection c(s.port());
    c.send("POST / HTTP/1.1\r\nHost: t\r\nContent-Type: application/x-www-form-urlencoded\r\n"
           "Content-Length: 5000\r\n\r\n" + std::string(5000, 'a'));
    raw_result r = c.read_until_idle(2000ms);
    auto rs = parse_responses(r.bytes, {}, r.closed);
    REQUIRE(rs.size() == 1);
    CHECK(rs[0].status == 413);
    CHECK(r.closed);
}

TEST_CASE("web wire: timeout_handler answers 503 when the body does not come, and the ring keeps serving",
          "[wire][timeout]") {
    std::atomic<int> body_error{0};
    auto slow = timeout_handler(make_handler([&](response_writer& w, request& r) {
                                    std::string body;
                                    std::error_code ec = r.body().read_all(body);
                                    body_error = ec == errc::timeout ? 1 : 2;
                                    (void)w.write("never sent");
                                }),
                                300ms, "timed out");
    auto mux = std::make_shared<serve_mux>();
    mux->handle("/slow", slow);
    mux->handle_func("/fast", [](response_writer& w, request&) { (void)w.write("fast"); });
    test_server s(mux);  // one ring: the fast request shares it with the waiting one
    raw_connection c(s.port());
    c.send("POST /slow HTTP/1.1\r\nHost: t\r\nContent-Length: 100\r\n\r\n0123456789");
    response fast = one(s.port(), "GET /fast HTTP/1.1\r\nHost: t\r\n\r\n");
    CHECK(fast.body == "fast");
    raw_result r = c.read_responses(1, {}, 10000ms);
    auto rs = parse_responses(r.bytes, {}, r.closed);
    REQUIRE(rs.size() == 1);
    CHECK(rs[0].status == 503);
    CHECK(rs[0].body == "timed out");
    CHECK(body_error == 1);
}

TEST_CASE("web wire: timeout_handler's stop_token ends a run_blocking job at the limit", "[wire][timeout]") {
    std::atomic<int> job_stopped{0};
    auto h = timeout_handler(make_handler([&](response_writer& w, request& r) {
                                 std::stop_token st = r.stop_token();
                                 run_blocking([&] {
                                     // A blocking call that can be interrupted, polling the token.
                                     for (int i = 0; i < 1000 && !st.stop_requested(); ++i)
                                         std::this_thread::sleep_for(10ms);
                                     if (st.stop_requested()) job_stopped = 1;
                                 });
                                 (void)w.write("late");
                             }),
                             200ms, "");
    test_server s(h);
    raw_connection c(s.port());
    c.send("GET / HTTP/1.1\r\nHost: t\r\n\r\n");
    raw_result r = c.read_responses(1, {}, 10000ms);
    auto rs = parse_responses(r.bytes, {}, r.closed);
    REQUIRE(rs.size() == 1);
    CHECK(rs[0].status == 503);
    CHECK_THAT(rs[0].body, ContainsSubstring("<h1>Timeout</h1>"));
    CHECK(job_stopped == 1);
    // The connection is still usable after a timeout (Go keeps it open too).
    c.send("GET / HTTP/1.1\r\nHost: t\r\n\r\n");
    r = c.read_responses(1, {}, 10000ms);
    rs = parse_responses(r.bytes, {}, r.closed);
    REQUIRE(rs.size() == 1);
    CHECK(rs[0].status == 503);
}

TEST_CASE("web wire: after a timeout, the next request on the connection reads its body", "[wire][timeout]") {
    // The read deadline timeout_handler set has fired during the first
    // request; the second must not inherit it.
    auto h = timeout_handler(make_handler([](response_writer& w, request& r) {
                                 if (r.url().path == "/slow") {
                                     // Waits off the ring, ignoring the token, so the ring's
                                     // timer sees the read deadline pass meanwhile.
                                     run_blocking([] { std::this_thread::sleep_for(300ms); });
                                     return;
                                 }
                                 std::string body;
                                 std::error_code ec = r.body().read_all(body);
                                 (void)w.write(ec ? "error: " + ec.message() : "body: " + body);
                             }),
                             100ms, "slow");
    test_server s(h);
    raw_connection c(s.port());
    c.send("GET /slow HTTP/1.1\r\nHost: t\r\n\r\n");
    raw_result r = c.read_responses(1, {}, 10000ms);
    auto rs = parse_responses(r.bytes, {}, r.closed);
    REQUIRE(rs.size() == 1);
    CHECK(rs[0].status == 503);
    c.send("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 4\r\n\r\nping");
    r = c.read_responses(1, {}, 10000ms);
    rs = parse_responses(r.bytes, {}, r.closed);
    REQUIRE(rs.size() == 1);
    CHECK(rs[0].status == 200);
    CHECK(rs[0].body == "body: ping");
}

TEST_CASE("web wire: timeout_handler passes a quick response through, keep-alive intact", "[wire][timeout]") {
    auto h = timeout_handler(make_handler([](response_writer& w, request& r) {
                                 std::string body;
                                 (void)r.body().read_all(body);
                                 w.header().set("Content-Type", "text/x-test");
                                 w.write_header(202);
                                 (void)w.write("got " + body);
                             }),
                             5s);
    test_server s(h);
    raw_connection c(s.port());
    c.send("POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\n\r\nabcGET / HTTP/1.1\r\nHost: t\r\n\r\n");
    raw_result r = c.read_responses(2, {}, 10000ms);
    auto rs = parse_responses(r.bytes, {}, r.closed);
    REQUIRE(rs.size() == 2);
    CHECK(rs[0].status == 202);
    CHECK(rs[0].body == "got abc");
    CHECK(rs[0].header("content-type") == "text/x-test");
    CHECK(rs[1].body == "got ");
}

TEST_CASE("web wire: behind access_log and metrics, flush and response_controller still work", "[wire][access_log]") {
    auto m = std::make_shared<metrics>();
    line_store log;
    std::atomic<int> control_errors{-1};
    auto inner = make_handler([&](response_writer& w, request&) {
        response_controller rc(w);
        int errors = 0;
        if (rc.set_write_deadline(std::chrono::steady_clock::now() + 5s)) ++errors;
        if (rc.enable_full_duplex()) ++errors;
        (void)w.write("first ");
        if (rc.flush()) ++errors;
        (void)w.write("second");
        control_errors = errors;
    });
    test_server s(access_log(m->wrap(inner), log.sink(), log_format::common));
    response rs = one(s.port(), "GET /stream HTTP/1.1\r\nHost: t\r\n\r\n");
    CHECK(rs.status == 200);
    CHECK(rs.body == "first second");
    CHECK(rs.frame == response::framing::chunked);  // the flush sent the head before the end
    CHECK(control_errors == 0);
    auto lines = log.snapshot();
    REQUIRE(lines.size() == 1);
    CHECK_THAT(lines[0], ContainsSubstring("\"GET /stream HTTP/1.1\" 200 12"));
    CHECK(m->requests_total() == 1);
}

namespace {

struct observed_server {
    std::shared_ptr<metrics> m = std::make_shared<metrics>();
    line_store log;
    std::unique_ptr<test_server> s;

    observed_server() {
        auto mux = std::make_shared<serve_mux>();
        mux->handle_func("/", [](response_writer& w, request&) { (void)w.write("hello\n"); });
        mux->handle_func("/missing/", [](response_writer& w, request& r) { not_found(w, r); });
        mux->handle("/metrics", m->exposition());
        server_options o;
        o.threads = 2;
        auto mm = m;
        o.conn_state = [mm](const connection_info& c, conn_state st) { mm->on_conn_state(c, st); };
        s = std::make_unique<test_server>(chain(mux, {[this](handler_ptr h) { return access_log(h, log.sink()); },
                                                      [this](handler_ptr h) { return m->wrap(h); }}),
                                          std::move(o));
    }
};

const std::regex log_line(
    R"re(127\.0\.0\.1 - - \[[^\]]+\] "GET /(missing/x)? HTTP/1\.1" (200 6|404 19) "-" "(-|wrk|tester)")re");

}  // namespace

TEST_CASE("web wire: under load, log lines and metrics count every request exactly", "[wire][access_log][metrics]") {
    observed_server os;
    constexpr int clients = 16;
    constexpr int per_client = 100;  // every 10th is a 404
    std::atomic<int> ok{0}, not_found_count{0}, bad{0};
    std::vector<std::thread> ts;
    for (int i = 0; i < clients; ++i) {
        ts.emplace_back([&, port = os.s->port()] {
            raw_connection c(port);
            for (int j = 0; j < per_client; ++j) {
                const bool miss = j % 10 == 9;
                c.send(std::string("GET /") + (miss ? "missing/x" : "") + " HTTP/1.1\r\nHost: t\r\nUser-Agent: tester\r\n\r\n");
                raw_result r = c.read_responses(1, {}, 10000ms);
                auto rs = parse_responses(r.bytes, {}, false);
                if (rs.size() != 1)
                    ++bad;
                else if (rs[0].status == 200)
                    ++ok;
                else if (rs[0].status == 404)
                    ++not_found_count;
                else
                    ++bad;
            }
        });
    }
    for (auto& t : ts) t.join();
    REQUIRE(bad == 0);
    REQUIRE(ok == clients * per_client * 9 / 10);
    REQUIRE(not_found_count == clients * per_client / 10);
    REQUIRE(settle(*os.m, 0));

    const auto lines = os.log.snapshot();
    CHECK(lines.size() == clients * per_client);
    int bad_lines = 0;
    for (const auto& l : lines)
        if (!std::regex_match(l, log_line)) ++bad_lines;
    CHECK(bad_lines == 0);
    CHECK(os.m->requests_total() == clients * per_client);

    response scrape = one(os.s->port(), "GET /metrics HTTP/1.1\r\nHost: t\r\n\r\n");
    REQUIRE(scrape.status == 200);
    const std::string& text = scrape.body;
    CAPTURE(text);
    CHECK(sample(text, "http_requests_total{code=\"200\",method=\"GET\"}") == clients * per_client * 9 / 10);
    CHECK(sample(text, "http_requests_total{code=\"404\",method=\"GET\"}") == clients * per_client / 10);
    CHECK(sample(text, "http_request_duration_seconds_count") == clients * per_client);
    CHECK(sample(text, "http_request_duration_seconds_bucket{le=\"+Inf\"}") == clients * per_client);
    CHECK(sample(text, "http_connections_accepted_total") == clients + 1);  // + the scrape's own
    CHECK(sample(text, "http_connections{state=\"active\"}") == 1);          // the scrape itself
    CHECK(sample(text, "http_connections{state=\"idle\"}") == 0);
    CHECK(sample(text, "http_connections{state=\"new\"}") == 0);
    CHECK(sample(text, "http_connections_closed_total{state=\"closed\"}") == clients);
}

TEST_CASE("web wire: wrk -c16 -d2s: log lines == metrics count, and match what wrk completed",
          "[wire][access_log][metrics][wrk]") {
    if (::access("/usr/bin/wrk", X_OK) != 0) SKIP("wrk is not installed");
    observed_server os;
    const std::string cmd = "/usr/bin/wrk -t2 -c16 -d2s -H 'User-Agent: wrk' http://127.0.0.1:" +
                            std::to_string(os.s->port()) + "/ 2>&1";
    std::FILE* p = ::popen(cmd.c_str(), "r");
    REQUIRE(p != nullptr);
    std::string out;
    char buf[4096];
    while (std::size_t n = std::fread(buf, 1, sizeof buf, p)) out.append(buf, n);
    REQUIRE(::pclose(p) == 0);
    CAPTURE(out);
    std::smatch mt;
    REQUIRE(std::regex_search(out, mt, std::regex(R"((\d+) requests in)")));
    const long long completed = std::stoll(mt[1]);
    CHECK(out.find("Non-2xx") == std::string::npos);
    CHECK(out.find("Socket errors") == std::string::npos);
    REQUIRE(completed > 0);
    REQUIRE(settle(*os.m, 0));

    const auto lines = os.log.snapshot();
    const long long logged = static_cast<long long>(lines.size());
    // wrk stops with up to one request per connection in flight: the server
    // may have answered (and logged) it without wrk counting it.
    CHECK(logged >= completed);
    CHECK(logged <= completed + 16);
    CHECK(static_cast<long long>(os.m->requests_total()) == logged);
    int bad_lines = 0;
    for (const auto& l : lines)
        if (!std::regex_match(l, log_line)) ++bad_lines;
    CHECK(bad_lines == 0);

    response scrape = one(os.s->port(), "GET /metrics HTTP/1.1\r\nHost: t\r\n\r\n");
    REQUIRE(scrape.status == 200);
    CAPTURE(scrape.body);
    CHECK(sample(scrape.body, "http_requests_total{code=\"200\",method=\"GET\"}") == logged);
    CHECK(sample(scrape.body, "http_request_duration_seconds_count") == logged);
    const long long accepted = sample(scrape.body, "http_connections_accepted_total");
    CHECK(accepted >= 17);  // wrk's 16 (it may reconnect) and the scrape
    CHECK(sample(scrape.body, "http_connections{state=\"active\"}") == 1);
    CHECK(sample(scrape.body, "http_connections{state=\"idle\"}") == 0);
    CHECK(sample(scrape.body, "http_connections_closed_total{state=\"closed\"}") == accepted - 1);
}
