// Wire tests: a server with two rings, serving clients on several threads
// while another thread registers mux patterns and handlers hand work to the
// blocking pool, then a graceful shutdown from yet another thread. Written
// for ThreadSanitizer (tools/run-tests runs it under TSan): everything that
// crosses rings or threads is exercised here at once.
#include <catch2/catch_test_macros.hpp>

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <ringhttp/blocking.hpp>
#include <ringhttp/ringhttp.hpp>

#include "tests/support/wire.hpp"

using namespace ringhttp;
using namespace ringhttp::test;
using namespace std::chrono_literals;

TEST_CASE("two rings serve concurrent clients while patterns are registered, then shut down") {
    auto mux = std::make_shared<serve_mux>();
    std::atomic<int> served{0};
    mux->handle_func("/plain", [&](response_writer& w, request&) {
        served.fetch_add(1, std::memory_order_relaxed);
        w.write("plain");
    });
    mux->handle_func("/blocking", [&](response_writer& w, request&) {
        const int v = run_blocking([] {
            std::this_thread::sleep_for(1ms);
            return 42;
        });
        served.fetch_add(1, std::memory_order_relaxed);
        w.write(std::to_string(v));
    });

    server_options options;
    options.threads = 2;
    test_server ts(mux, options);
    std::atomic<bool> stop{false};
    std::atomic<int> registered{0};

    // A writer adds patterns while the rings route through the mux.
    std::thread registrar([&] {
        for (int i = 0; i < 200 && !stop.load(); ++i) {
            const std::string body = "r" + std::to_string(i);
            mux->handle_func("/r/" + std::to_string(i), [body](response_writer& w, request&) { w.write(body); });
            registered.store(i + 1);
            std::this_thread::sleep_for(1ms);
        }
    });

    std::atomic<int> ok{0};
    std::atomic<int> bad{0};
    std::vector<std::thread> clients;
    for (int c = 0; c < 6; ++c)
        clients.emplace_back([&] {
            for (int i = 0; i < 15; ++i) {
                // A new connection each time: SO_REUSEPORT spreads them over both rings.
                raw_connection conn(ts.port());
                const int k = registered.load();
                const std::string path = (i % 3 == 0) ? "/blocking" : (i % 3 == 1) ? "/plain" : "/r/" + std::to_string(k > 0 ? k - 1 : 0);
                conn.send("GET " + path + " HTTP/1.1\r\nHost: t\r\n\r\nGET /plain HTTP/1.1\r\nHost: t\r\n\r\n");
                raw_result r = conn.read_responses(2, {"GET", "GET"}, 10000ms);
                std::vector<response> rs = parse_responses(r.bytes, {"GET", "GET"}, r.closed);
                if (rs.size() == 2 && rs[1].status == 200 && (rs[0].status == 200 || (k == 0 && rs[0].status == 404)))
                    ok.fetch_add(1);
                else
                    bad.fetch_add(1);
            }
        });
    for (std::thread& t : clients) t.join();
    CHECK(bad.load() == 0);
    CHECK(ok.load() == 6 * 15);

    // Keep connections idle and one busy on the blocking pool, then shut down
    // gracefully from another thread while the registrar may still run.
    raw_connection idle(ts.port());
    idle.send("GET /plain HTTP/1.1\r\nHost: t\r\n\r\n");
    CHECK(idle.read_responses(1, {"GET"}, 10000ms).bytes.find("plain") != std::string::npos);
    std::atomic<bool> hook_ran{false};
    ts.srv().register_on_shutdown([&] { hook_ran.store(true); });
    raw_connection busy(ts.port());
    busy.send("GET /blocking HTTP/1.1\r\nHost: t\r\n\r\n");
    std::error_code shutdown_result;
    std::thread closer([&] { shutdown_result = ts.srv().shutdown(10s); });
    raw_result r = busy.read_responses(1, {"GET"}, 10000ms);
    closer.join();
    stop.store(true);
    registrar.join();
    CHECK(!shutdown_result);
    CHECK(r.bytes.find("42") != std::string::npos);
    CHECK(idle.read_until_idle(2000ms).closed);
    for (int i = 0; i < 100 && !hook_ran.load(); ++i) std::this_thread::sleep_for(10ms);
    CHECK(hook_ran.load());
    CHECK(served.load() == 6 * 10 + 6 * 15 + 2);  // /r/ routes do not count
}
