// Wire tests: handlers that wait like goroutines (include/ringhttp/sync.hpp).
// A ringhttp::mutex held across a run_blocking call, a body read and a flush
// serves 64 concurrent clients on one ring (a std::mutex deadlocks the ring
// there for good); sleeps overlap on one ring and end early when the client
// goes; a condition variable, a wait group and a semaphore work between
// fibers, between rings, and between a fiber and a plain thread.
#include <catch2/catch_test_macros.hpp>

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <future>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <thread>
#include <vector>

#include <ringhttp/ringhttp.hpp>

#include "tests/support/wire.hpp"

using namespace ringhttp;
using namespace ringhttp::test;
using namespace std::chrono_literals;

namespace {

server_options one_ring() {
    server_options o;
    o.threads = 1;
    return o;
}

// Sends `request` on n connections at once and returns how many got a 200.
int concurrent_200s(std::uint16_t port, int n, const std::string& request) {
    std::atomic<int> ok{0};
    std::vector<std::thread> ts;
    for (int i = 0; i < n; ++i)
        ts.emplace_back([&] {
            raw_connection c(port);
            c.send(request);
            const raw_result r = c.read_responses(1, {}, 20000ms);
            const std::vector<response> rs = parse_responses(r.bytes, {}, r.closed);
            if (rs.size() == 1 && rs[0].status == 200) ++ok;
        });
    for (auto& t : ts) t.join();
    return ok.load();
}

// Counts how many are inside at once, and the most ever.
struct occupancy {
    std::atomic<int> now{0};
    std::atomic<int> most{0};
    void enter() {
        const int n = ++now;
        int m = most.load();
        while (n > m && !most.compare_exchange_weak(m, n)) {
        }
    }
    void leave() { --now; }
};

}  // namespace

TEST_CASE("waiting: a ringhttp::mutex held across run_blocking, a body read and a flush serves 64 clients on one ring",
          "[wire][sync]") {
    ringhttp::mutex mu;
    int served = 0;  // guarded by mu
    test_server s(make_handler([&](response_writer& w, request& r) {
                      std::lock_guard lock(mu);
                      run_blocking([] { ::usleep(1000); });  // parks the holder
                      std::string body;
                      char buf[256];
                      for (;;) {
                          io_result res = r.body().read(buf);
                          body.append(buf, res.n);
                          if (res.ec) break;
                      }
                      ++served;
                      w.write("got " + body + "\n");
                      w.flush();  // waits for the send, still holding the lock
                  }),
                  one_ring());
    const std::string request = "POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\n\r\nhello";
    CHECK(concurrent_200s(s.port(), 64, request) == 64);
    std::lock_guard lock(mu);  // from a plain thread: blocks this thread, not a ring
    CHECK(served == 64);
}

TEST_CASE("waiting: sleeps overlap on one ring", "[wire][sync]") {
    occupancy asleep;
    test_server s(make_handler([&](response_writer& w, request&) {
                      asleep.enter();
                      const std::error_code ec = sleep_for(100ms);
                      asleep.leave();
                      w.write(ec ? "canceled" : "slept");
                  }),
                  one_ring());
    CHECK(concurrent_200s(s.port(), 32, "GET / HTTP/1.1\r\nHost: t\r\n\r\n") == 32);
    // One ring: had a sleep blocked it, no two handlers would ever sleep at once.
    CHECK(asleep.most.load() > 1);
}

TEST_CASE("waiting: a sleep lasts at least its duration", "[wire][sync]") {
    std::promise<std::chrono::nanoseconds> took;
    test_server s(make_handler([&](response_writer& w, request&) {
                      const auto t0 = std::chrono::steady_clock::now();
                      const std::error_code ec = sleep_for(30ms);
                      took.set_value(std::chrono::steady_clock::now() - t0);
                      w.write(ec ? "canceled" : "slept");
                  }),
                  one_ring());
    exchange_result r = exchange(s.port(), "GET / HTTP/1.1\r\nHost: t\r\n\r\n", {}, 2000ms);
    REQUIRE(r.responses.size() == 1);
    CHECK(r.responses[0].body == "slept");
    CHECK(took.get_future().get() >= 30ms);  // never cut short (a lower bound, not a speed target)
}

TEST_CASE("waiting: a sleep ends with errc::canceled when the client goes away", "[wire][sync]") {
    std::promise<std::error_code> result;
    test_server s(make_handler([&](response_writer&, request&) { result.set_value(sleep_for(30s)); }), one_ring());
    {
        raw_connection c(s.port());
        c.send("GET / HTTP/1.1\r\nHost: t\r\n\r\n");
        std::this_thread::sleep_for(100ms);
        c.reset_close();
    }
    std::future<std::error_code> f = result.get_future();
    REQUIRE(f.wait_for(10s) == std::future_status::ready);
    CHECK(f.get() == errc::canceled);
}

TEST_CASE("waiting: a condition variable wakes a fiber from a plain thread, a wait group a thread from fibers",
          "[wire][sync]") {
    ringhttp::mutex mu;
    ringhttp::condition_variable cv;
    bool go = false;  // guarded by mu
    ringhttp::wait_group waiting;
    waiting.add(8);
    test_server s(make_handler([&](response_writer& w, request&) {
                      std::unique_lock lock(mu);
                      waiting.done();
                      cv.wait(lock, [&] { return go; });
                      w.write("released");
                  }),
                  one_ring());
    std::atomic<int> ok{0};
    std::vector<std::thread> clients;
    for (int i = 0; i < 8; ++i)
        clients.emplace_back([&] {
            exchange_result r = exchange(s.port(), "GET / HTTP/1.1\r\nHost: t\r\n\r\n", {}, 10000ms);
            if (r.responses.size() == 1 && r.responses[0].body == "released") ++ok;
        });
    waiting.wait();  // a plain thread parked until the eight handlers are in
    {
        std::lock_guard lock(mu);
        go = true;
    }
    cv.notify_all();
    for (auto& t : clients) t.join();
    CHECK(ok.load() == 8);
}

TEST_CASE("waiting: a semaphore bounds the handlers inside, across two rings", "[wire][sync]") {
    ringhttp::semaphore slots(2);
    occupancy inside;
    server_options o;
    o.threads = 2;
    test_server s(make_handler([&](response_writer& w, request&) {
                      slots.acquire();
                      inside.enter();
                      sleep_for(5ms);
                      inside.leave();
                      slots.release();
                      w.write("done");
                  }),
                  o);
    CHECK(concurrent_200s(s.port(), 32, "GET / HTTP/1.1\r\nHost: t\r\n\r\n") == 32);
    CHECK(inside.most.load() <= 2);
    CHECK(inside.most.load() >= 1);
}

TEST_CASE("waiting: a shared_mutex lets readers share and a writer in while readers keep coming", "[wire][sync]") {
    ringhttp::shared_mutex rw;
    occupancy readers;
    std::atomic<int> writes{0};
    std::atomic<bool> overlap{false};  // a reader saw a writer inside, or the reverse
    std::atomic<bool> writing{false};
    server_options o;
    o.threads = 2;
    test_server s(make_handler([&](response_writer& w, request& r) {
                      if (r.url().path == "/write") {
                          std::lock_guard lock(rw);
                          writing = true;
                          if (readers.now.load() != 0) overlap = true;
                          sleep_for(2ms);
                          ++writes;
                          writing = false;
                      } else {
                          std::shared_lock lock(rw);
                          readers.enter();
                          if (writing.load()) overlap = true;
                          sleep_for(5ms);
                          readers.leave();
                      }
                      w.write("ok");
                  }),
                  o);
    std::thread read_load([&] {
        concurrent_200s(s.port(), 48, "GET /read HTTP/1.1\r\nHost: t\r\n\r\n");
    });
    std::this_thread::sleep_for(2ms);
    CHECK(concurrent_200s(s.port(), 4, "GET /write HTTP/1.1\r\nHost: t\r\n\r\n") == 4);
    read_load.join();
    CHECK(writes.load() == 4);
    CHECK_FALSE(overlap.load());
    CHECK(readers.most.load() > 1);  // readers shared it
}

namespace {

struct user {
    std::string name;
    static inline std::atomic<int> alive{0};  // constructed and not yet destroyed
    explicit user(std::string n) : name(std::move(n)) { ++alive; }
    user(const user& o) : name(o.name) { ++alive; }
    user(user&& o) noexcept : name(std::move(o.name)) { ++alive; }
    user& operator=(const user&) = default;
    user& operator=(user&&) noexcept = default;
    ~user() { --alive; }
};

inline const context_key<user> current_user{"user"};
inline const context_key<int> request_number{"n"};
inline const context_key<int> other_int{"n"};  // same type and name, another key

}  // namespace

TEST_CASE("request values: middleware hands a typed value to the handler, cleared with the request",
          "[wire][values]") {
    std::atomic<int> numbered{0};
    auto app = make_handler([&](response_writer& w, request& r) {
        const user* u = r.value(current_user);
        const int* n = r.value(request_number);
        w.write(std::string(u != nullptr ? u->name : "nobody") + " " + (n != nullptr ? std::to_string(*n) : "-") +
                (r.value(other_int) != nullptr ? " clash" : ""));
    });
    // The "auth" middleware: a user from a header, and a number for each request.
    auto auth = make_handler([&](response_writer& w, request& r) {
        if (std::string_view name = r.header().get("X-User"); !name.empty()) {
            r.set_value(current_user, user(std::string(name)));
            r.set_value(current_user, user(std::string(name) + "!"));  // replaces, not adds
        }
        r.set_value(request_number, ++numbered);
        app->serve_http(w, r);
    });
    test_server s(auth, one_ring());
    raw_connection c(s.port());
    // Three requests on one connection: the exchange and its request are reused.
    c.send("GET / HTTP/1.1\r\nHost: t\r\nX-User: ana\r\n\r\n"
           "GET / HTTP/1.1\r\nHost: t\r\n\r\n"
           "GET / HTTP/1.1\r\nHost: t\r\nX-User: bo\r\n\r\n");
    const raw_result r = c.read_responses(3);
    const std::vector<response> rs = parse_responses(r.bytes, {}, false);
    REQUIRE(rs.size() == 3);
    CHECK(rs[0].body == "ana! 1");
    CHECK(rs[1].body == "nobody 2");  // the first request's user is gone
    CHECK(rs[2].body == "bo! 3");
    // Each request's user was destroyed with it (the last one's too, once the
    // exchange was reset for the next request).
    for (int i = 0; i < 100 && user::alive.load() != 0; ++i) std::this_thread::sleep_for(10ms);
    CHECK(user::alive.load() == 0);
}

TEST_CASE("waiting: the blocking pool grows so 64 concurrent blocking calls run at once, and reports it",
          "[wire][blocking]") {
    occupancy inside;
    std::atomic<bool> release{false};
    test_server s(make_handler([&](response_writer& w, request&) {
                      run_blocking([&] {
                          inside.enter();
                          // Hold the thread until all 64 are in (or 10 s pass).
                          for (int i = 0; i < 1000 && !release.load(); ++i) ::usleep(10000);
                          inside.leave();
                      });
                      w.write("done");
                  }),
                  one_ring());
    std::thread clients([&] { CHECK(concurrent_200s(s.port(), 64, "GET / HTTP/1.1\r\nHost: t\r\n\r\n") == 64); });
    for (int i = 0; i < 1000 && inside.now.load() < 64; ++i) std::this_thread::sleep_for(10ms);
    const blocking_pool_stats busy = blocking_stats();
    release = true;
    clients.join();
    // A fixed pool of max(4, 2 x CPUs) would have run a handful at a time.
    CHECK(inside.most.load() == 64);
    CHECK(busy.threads >= 64);
    CHECK(busy.max >= 1000);
    CHECK(busy.queued == 0);
}

TEST_CASE("waiting: a channel carries values between handlers on two rings and from a plain thread, in order",
          "[wire][channel]") {
    ringhttp::channel<int> ch(4);  // small: both sides park often
    ringhttp::mutex mu;
    long sum = 0;  // guarded by mu
    int received = 0;
    std::atomic<bool> out_of_order{false};
    server_options o;
    o.threads = 2;
    test_server s(make_handler([&](response_writer& w, request& r) {
                      if (r.url().path == "/produce") {
                          for (int i = 1; i <= 100; ++i) ch.send(i);
                          w.write("sent");
                          return;
                      }
                      // A consumer takes 50 values; each producer's values
                      // reach it in the order sent (FIFO per producer is what
                      // a channel promises with several of them).
                      int last[2] = {0, 100};
                      for (int k = 0; k < 50; ++k) {
                          std::optional<int> v = ch.receive();
                          if (!v) break;
                          int& prev = last[*v > 100 ? 1 : 0];
                          if (*v <= prev) out_of_order = true;
                          prev = *v;
                          std::lock_guard lock(mu);
                          sum += *v;
                          ++received;
                      }
                      w.write("taken");
                  }),
                  o);
    std::thread plain([&] {
        for (int i = 101; i <= 200; ++i) ch.send(i);  // blocks this thread while full
    });
    std::thread consumers([&] { CHECK(concurrent_200s(s.port(), 4, "GET /consume HTTP/1.1\r\nHost: t\r\n\r\n") == 4); });
    CHECK(concurrent_200s(s.port(), 1, "GET /produce HTTP/1.1\r\nHost: t\r\n\r\n") == 1);
    plain.join();
    consumers.join();
    std::lock_guard lock(mu);
    CHECK(received == 200);
    CHECK(sum == 200 * 201 / 2);
    CHECK_FALSE(out_of_order.load());
}

TEST_CASE("waiting: closing a channel wakes its receivers, which drain it and then end", "[wire][channel]") {
    ringhttp::channel<std::string> ch(8);
    std::atomic<int> ended{0};
    test_server s(make_handler([&](response_writer& w, request&) {
                      std::string got;
                      while (std::optional<std::string> v = ch.receive()) got += *v;
                      ++ended;
                      w.write("[" + got + "]");
                  }),
                  one_ring());
    std::vector<std::string> bodies;
    std::mutex bodies_mu;
    std::vector<std::thread> clients;
    for (int i = 0; i < 3; ++i)
        clients.emplace_back([&] {
            exchange_result r = exchange(s.port(), "GET / HTTP/1.1\r\nHost: t\r\n\r\n", {}, 10000ms);
            std::lock_guard lock(bodies_mu);
            if (r.responses.size() == 1) bodies.push_back(r.responses[0].body);
        });
    std::this_thread::sleep_for(100ms);
    CHECK(ch.send("a"));
    CHECK(ch.send("b"));
    ch.close();
    CHECK_FALSE(ch.send("c"));  // closed: not sent
    for (auto& t : clients) t.join();
    CHECK(ended.load() == 3);
    REQUIRE(bodies.size() == 3);
    std::string all;
    for (const std::string& b : bodies) all += b;
    std::sort(all.begin(), all.end());
    CHECK(all == "[[[]]]ab");  // each value went to exactly one receiver
}

TEST_CASE("stall detector: a handler that blocks its ring is named, with the ring thread's backtrace",
          "[wire][stall]") {
    server_options o = one_ring();
    o.stall_threshold = 50ms;
    auto mux = std::make_shared<serve_mux>();
    mux->handle_func("GET /stall/{id}", [](response_writer& w, request&) {
        ::sleep(1);  // the mistake: a blocking call on the ring thread
        w.write("late");
    });
    mux->handle_func("GET /fine", [](response_writer& w, request&) {
        sleep_for(200ms);  // parks: not a stall
        w.write("fine");
    });
    test_server s(mux, o);
    exchange_result fine = exchange(s.port(), "GET /fine HTTP/1.1\r\nHost: t\r\n\r\n", {}, 3000ms);
    REQUIRE(fine.responses.size() == 1);
    for (const std::string& line : s.log_lines()) CHECK(line.find("stalled") == std::string::npos);

    exchange_result r = exchange(s.port(), "GET /stall/7 HTTP/1.1\r\nHost: t\r\n\r\n", {}, 5000ms);
    REQUIRE(r.responses.size() == 1);  // served anyway, late
    std::string report;
    for (int i = 0; i < 100 && report.empty(); ++i) {
        for (const std::string& line : s.log_lines())
            if (line.find("stalled") != std::string::npos) report = line;
        if (report.empty()) std::this_thread::sleep_for(20ms);
    }
    CAPTURE(report);
    CHECK(report.find("ring 0 stalled") != std::string::npos);
    CHECK(report.find("pattern \"GET /stall/{id}\" (GET /stall/7)") != std::string::npos);
    CHECK(report.find("run_blocking") != std::string::npos);
    CHECK(report.find("\n    #0 ") != std::string::npos);  // the backtrace
    // Once per stall, not once per look.
    int reports = 0;
    for (const std::string& line : s.log_lines()) reports += line.find("stalled") != std::string::npos;
    CHECK(reports == 1);
}

TEST_CASE("waiting: waits given the request's stop_token end when the client goes away", "[wire][sync]") {
    ringhttp::mutex mu;
    ringhttp::condition_variable cv;
    ringhttp::channel<int> ch(1);
    ringhttp::semaphore none(0);
    std::promise<std::string> result;
    test_server s(make_handler([&](response_writer&, request& r) {
                      std::string got;
                      {
                          std::unique_lock lock(mu);
                          got += cv.wait(lock, r.stop_token(), [] { return false; }) ? "woken " : "stopped ";
                      }
                      // The token has fired: these end at once, without a value.
                      got += ch.receive(r.stop_token()) ? "value " : "none ";
                      got += none.acquire(r.stop_token()) ? "unit" : "no-unit";
                      result.set_value(got);
                  }),
                  one_ring());
    {
        raw_connection c(s.port());
        c.send("GET / HTTP/1.1\r\nHost: t\r\n\r\n");
        std::this_thread::sleep_for(100ms);
        c.reset_close();
    }
    std::future<std::string> f = result.get_future();
    REQUIRE(f.wait_for(10s) == std::future_status::ready);
    CHECK(f.get() == "stopped none no-unit");
    // The waiter left the condition's queue: a notify now wakes nobody.
    cv.notify_one();
}

TEST_CASE("waiting: a stop_token wait still gets what it waits for when it comes first", "[wire][sync]") {
    ringhttp::channel<int> ch(1);
    ringhttp::semaphore units(0);
    std::promise<std::string> result;
    test_server s(make_handler([&](response_writer& w, request& r) {
                      std::optional<int> v = ch.receive(r.stop_token());
                      const bool unit = units.acquire(r.stop_token());
                      result.set_value((v ? std::to_string(*v) : "none") + (unit ? " unit" : " no-unit"));
                      w.write("ok");
                  }),
                  one_ring());
    std::thread client([&] { exchange(s.port(), "GET / HTTP/1.1\r\nHost: t\r\n\r\n", {}, 5000ms); });
    std::this_thread::sleep_for(100ms);
    CHECK(ch.send(42));
    std::this_thread::sleep_for(50ms);
    units.release();
    std::future<std::string> f = result.get_future();
    REQUIRE(f.wait_for(10s) == std::future_status::ready);
    CHECK(f.get() == "42 unit");
    client.join();
}

TEST_CASE("waiting: a hijacked handler's sleep parks too, and its ring serves others meanwhile", "[wire][sync]") {
    std::atomic<int> fast_served{0};
    auto mux = std::make_shared<serve_mux>();
    mux->handle_func("/fast", [&](response_writer& w, request&) {
        ++fast_served;
        w.write("fast");
    });
    mux->handle_func("/hijack", [&](response_writer& w, request&) {
        hijacked_connection hc;
        if (response_controller(w).hijack(hc)) return;
        sleep_for(300ms);  // parks: the ring answers /fast meanwhile
        const std::string body = fast_served.load() > 0 ? "overlapped" : "serial";
        const std::string reply =
            "HTTP/1.1 200 OK\r\nContent-Length: " + std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body;
        [[maybe_unused]] ssize_t n = ::write(hc.fd, reply.data(), reply.size());
        ::close(hc.fd);
    });
    test_server s(mux, one_ring());
    raw_connection hijacked(s.port());
    hijacked.send("GET /hijack HTTP/1.1\r\nHost: t\r\n\r\n");
    std::this_thread::sleep_for(50ms);
    exchange_result fast = exchange(s.port(), "GET /fast HTTP/1.1\r\nHost: t\r\n\r\n", {}, 2000ms);
    REQUIRE(fast.responses.size() == 1);
    const raw_result r = hijacked.read_responses(1, {}, 5000ms);
    const std::vector<response> rs = parse_responses(r.bytes, {}, r.closed);
    REQUIRE(rs.size() == 1);
    CHECK(rs[0].body == "overlapped");
}
