// An out-of-tree program built against the installed ringhttp (pkg-config or
// a meson subproject): serves /hello on 127.0.0.1 at an ephemeral port,
// prints the port, and stops gracefully on SIGTERM.
#include <pthread.h>

#include <csignal>
#include <cstdio>
#include <thread>

#include <ringhttp/ringhttp.hpp>

int main() {
    auto mux = std::make_shared<ringhttp::serve_mux>();
    mux->handle_func("GET /hello/{name}", [](ringhttp::response_writer& w, ringhttp::request& r) {
        w.write("hello, " + std::string(r.path_value("name")) + "\n");
    });
    ringhttp::server srv({.addr = "127.0.0.1:0", .handler = mux, .threads = 1});
    if (auto ec = srv.listen()) {
        std::fprintf(stderr, "listen: %s\n", ec.message().c_str());
        return 1;
    }
    // Block SIGTERM before the ring thread starts; a thread of ours waits for it.
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, nullptr);
    std::thread stopper([&] {
        int sig = 0;
        sigwait(&set, &sig);
        srv.shutdown(std::chrono::seconds(5));
    });
    std::printf("%u\n", static_cast<unsigned>(srv.port()));
    std::fflush(stdout);
    std::error_code ec = srv.serve();
    stopper.join();
    return ec == ringhttp::errc::server_closed ? 0 : 1;
}
