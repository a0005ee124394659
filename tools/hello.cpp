// hello: the seed program, Go's
//
//   func Hello(w http.ResponseWriter, r *http.Request)     { fmt.Fprintln(w, "Hello world!") }
//   func HelloUser(w http.ResponseWriter, r *http.Request) { fmt.Fprintln(w, "Hello thinkerou!") }
//   func main() {
//       http.HandleFunc("/", Hello)
//       http.HandleFunc("/user/", HelloUser)
//       http.ListenAndServe(":8080", nil)
//   }
//
// in C++ on ringhttp. Usage: hello [--addr HOST:PORT] [--threads N] [--pin]
// (default :8080, one ring per CPU).
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include <ringhttp/ringhttp.hpp>


void hello(ringhttp::response_writer& w, ringhttp::request&) { w.write("Hello world!\n"); }
void hello_user(ringhttp::response_writer& w, ringhttp::request&) { w.write("Hello thinkerou!\n"); }

int main(int argc, char** argv) {
    std::string addr = ":8080";
    unsigned threads = 0;
    bool pin = false;
    for (int i = 1; i < argc; ++i) {
        if (std::strcmp(argv[i], "--addr") == 0 && i + 1 < argc) {
            addr = argv[++i];
        } else if (std::strcmp(argv[i], "--threads") == 0 && i + 1 < argc) {
            threads = static_cast<unsigned>(std::atoi(argv[++i]));
        } else if (std::strcmp(argv[i], "--pin") == 0) {
            pin = true;
        } else {
            std::fprintf(stderr, "usage: %s [--addr HOST:PORT] [--threads N] [--pin]\n", argv[0]);
            return 2;
        }
    }
    ringhttp::handle_func("/", hello);
    ringhttp::handle_func("/user/", hello_user);
    // Go's http.ListenAndServe(addr, nil), with the number of rings settable.
    ringhttp::server srv({.addr = addr, .threads = threads, .pin_threads = pin});
    ringhttp::stop_on_signal stopper(srv);
    std::error_code ec = srv.listen_and_serve();
    std::fprintf(stderr, "hello: %s\n", ec.message().c_str());
    return ec == ringhttp::errc::server_closed ? 0 : 1;
}
