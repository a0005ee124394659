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
// in C++ on ringhttp. Usage: hello [--addr HOST:PORT] (default :8080).
#include <cstdio>
#include <cstring>
#include <string>

#include <ringhttp/ringhttp.hpp>

void hello(ringhttp::response_writer& w, ringhttp::request&) { w.write("Hello world!\n"); }
void hello_user(ringhttp::response_writer& w, ringhttp::request&) { w.write("Hello thinkerou!\n"); }

int main(int argc, char** argv) {
    std::string addr = ":8080";
    for (int i = 1; i < argc; ++i) {
        if (std::strcmp(argv[i], "--addr") == 0 && i + 1 < argc) {
            addr = argv[++i];
        } else {
            std::fprintf(stderr, "usage: %s [--addr HOST:PORT]\n", argv[0]);
            return 2;
        }
    }
    ringhttp::handle_func("/", hello);
    ringhttp::handle_func("/user/", hello_user);
    std::error_code ec = ringhttp::listen_and_serve(addr, nullptr);
    std::fprintf(stderr, "hello: %s\n", ec.message().c_str());
    return ec == ringhttp::errc::server_closed ? 0 : 1;
}
