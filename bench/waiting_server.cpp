// The ringhttp side of bench/waiting_bench.py: handlers that wait 200 ms,
// parked on the ring (/sleep: sleep_for) or on the blocking pool (/blocking:
// a blocking usleep through run_blocking), and /sse, a server-sent event
// stream of 20 ticks 100 ms apart, each flushed (bench/sse_bench.py); /
// answers the hello body so the bench's start-up check can see it serving.
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <string>

#include <ringhttp/ringhttp.hpp>

int main(int argc, char** argv) {
    std::string addr = ":8080";
    unsigned threads = 1;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (std::strcmp(argv[i], "--addr") == 0) addr = argv[i + 1];
        else if (std::strcmp(argv[i], "--threads") == 0) threads = static_cast<unsigned>(std::atoi(argv[i + 1]));
    }
    ringhttp::handle_func("/", [](ringhttp::response_writer& w, ringhttp::request&) { w.write("Hello world!\n"); });
    ringhttp::handle_func("/sleep", [](ringhttp::response_writer& w, ringhttp::request&) {
        ringhttp::sleep_for(std::chrono::milliseconds(200));
        w.write("slept\n");
    });
    ringhttp::handle_func("/blocking", [](ringhttp::response_writer& w, ringhttp::request&) {
        ringhttp::run_blocking([] { ::usleep(200'000); });
        w.write("blocked\n");
    });
    ringhttp::handle_func("/sse", [](ringhttp::response_writer& w, ringhttp::request& r) {
        w.header().set("Content-Type", "text/event-stream");
        w.header().set("Cache-Control", "no-cache");
        for (int i = 1; i <= 20; ++i) {
            if (ringhttp::sleep_for(std::chrono::milliseconds(100))) return;  // the client left
            w.write("data: tick " + std::to_string(i) + "\n\n");
            if (w.flush()) return;
        }
        (void)r;
    });
    ringhttp::server srv({.addr = addr, .threads = threads});
    ringhttp::stop_on_signal stopper(srv);
    return srv.listen_and_serve() == ringhttp::errc::server_closed ? 0 : 1;
}
