// ringhttp: a command-line HTTP server on the ringhttp engine. Serves a
// directory (Go's http.FileServer(http.Dir(path))) or the hello handler,
// with the server's timeouts, an access log and Prometheus metrics as flags;
// SIGINT or SIGTERM stops it gracefully. `ringhttp --help` lists the flags;
// docs/CONFIGURATION.md maps each to its server_options field and Go name.
#include <sys/stat.h>

#include <cerrno>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <ringhttp/access_log.hpp>
#include <ringhttp/file_server.hpp>
#include <ringhttp/metrics.hpp>
#include <ringhttp/ringhttp.hpp>


namespace {

constexpr const char* usage_text = R"(usage: ringhttp [flags]

Serves a directory (--dir) or a hello-world handler (--hello, the default)
over HTTP/1.1 on io_uring. SIGINT or SIGTERM stops it gracefully.

  --addr HOST:PORT             address to listen on; ":8080" is every
                               address, port 0 picks a free one (default :8080)
  --threads N                  ring threads; 0 is one per CPU the process may
                               use: affinity mask, cgroup CPU limit (default 0)
  --reuse-port                 let other processes share the address
                               (SO_REUSEPORT); without it a port in use is
                               an error, as in Go
  --dir PATH                   serve the files under PATH, as Go's
                               http.FileServer(http.Dir(PATH))
  --hello                      serve "Hello world!" at / and
                               "Hello thinkerou!" under /user/ (the default)
  --read-header-timeout D      time to read a request's head (default 10s)
  --read-timeout D             time to read a whole request (default 0, none)
  --write-timeout D            time to write a response (default 0, none)
  --idle-timeout D             keep-alive wait for the next request
                               (default 120s)
  --max-header-bytes N         largest request head (default 65536)
  --max-header-fields N        most header fields in a request (default 100)
  --pin-threads                pin ring thread i to the i-th allowed CPU
  --proxy-protocol             expect a PROXY protocol v1/v2 header on every
                               connection (only behind a proxy that sends it)
  --shutdown-timeout D         on SIGTERM, how long requests in flight may
                               finish before the rest is closed (default 10s)
  --access-log -|FILE          write an access log line per request to
                               stdout (-) or append it to FILE
  --access-log-format F        combined (default) or common
  --metrics PATH               serve Prometheus metrics at PATH, e.g. /metrics
  --help                       print this help and exit

Durations are Go's: "1.5s", "300ms", "2m", "1h30m", "0" (none). A flag's
value may follow it or be joined with "=" (--addr=:9090).
)";

// usage_error reports a bad command line as Go's flag package does, with
// exit status 2.
int usage_error(const std::string& message) {
    std::fprintf(stderr, "ringhttp: %s\nrun 'ringhttp --help' for usage\n", message.c_str());
    return 2;
}

// parse_duration reads Go's time.ParseDuration syntax without a sign: one
// or more decimal numbers with a unit each (ns, us, µs, ms, s, m, h), or "0".
std::optional<std::chrono::nanoseconds> parse_duration(std::string_view s) {
    if (s == "0") return std::chrono::nanoseconds(0);
    if (s.empty()) return std::nullopt;
    long double total = 0;
    while (!s.empty()) {
        std::size_t i = 0;
        while (i < s.size() && ((s[i] >= '0' && s[i] <= '9') || s[i] == '.')) ++i;
        const std::string number(s.substr(0, i));
        if (number.empty() || number == "." || number.find('.') != number.rfind('.')) return std::nullopt;
        s.remove_prefix(i);
        std::size_t u = 0;
        while (u < s.size() && !((s[u] >= '0' && s[u] <= '9') || s[u] == '.')) ++u;
        const std::string_view unit = s.substr(0, u);
        s.remove_prefix(u);
        long double scale = 0;
        if (unit == "ns") scale = 1;
        else if (unit == "us" || unit == "\u00b5s" || unit == "\u03bcs") scale = 1e3L;
        else if (unit == "ms") scale = 1e6L;
        else if (unit == "s") scale = 1e9L;
        else if (unit == "m") scale = 60e9L;
        else if (unit == "h") scale = 3600e9L;
        else return std::nullopt;
        total += std::strtold(number.c_str(), nullptr) * scale;
    }
    // Go's limit: a duration is an int64 of nanoseconds (about 290 years).
    if (!(total < 9.2e18L)) return std::nullopt;
    return std::chrono::nanoseconds(static_cast<std::int64_t>(std::llround(total)));
}

template <class T>
std::optional<T> parse_number(std::string_view s) {
    T v{};
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
    return v;
}

void hello(ringhttp::response_writer& w, ringhttp::request&) { w.write("Hello world!\n"); }
void hello_user(ringhttp::response_writer& w, ringhttp::request&) { w.write("Hello thinkerou!\n"); }

struct file_closer {
    void operator()(std::FILE* f) const noexcept {
        if (f != stdout) std::fclose(f);
    }
};

}  // namespace

int main(int argc, char** argv) {
    ringhttp::server_options options{.addr = ":8080"};
    std::string dir;
    bool want_hello = false;
    std::string access_log_path, metrics_path;
    ringhttp::log_format log_format = ringhttp::log_format::combined;
    std::chrono::nanoseconds shutdown_timeout = std::chrono::seconds(10);

    for (int i = 1; i < argc; ++i) {
        std::string_view arg = argv[i];
        if (arg == "--help" || arg == "-h" || arg == "-help") {
            std::fputs(usage_text, stdout);
            return 0;
        }
        if (arg == "--hello") {
            want_hello = true;
            continue;
        }
        if (arg == "--pin-threads") {
            options.pin_threads = true;
            continue;
        }
        if (arg == "--proxy-protocol") {
            options.proxy_protocol = true;
            continue;
        }
        if (arg == "--reuse-port") {
            options.reuse_port = true;
            continue;
        }
        // Every other flag takes a value: "--flag value" or "--flag=value".
        std::string_view name = arg, value;
        bool has_value = false;
        if (auto eq = arg.find('='); eq != std::string_view::npos) {
            name = arg.substr(0, eq);
            value = arg.substr(eq + 1);
            has_value = true;
        }
        // The duration flags, each with the field it sets.
        std::chrono::nanoseconds* duration = name == "--read-header-timeout" ? &options.read_header_timeout
                                             : name == "--read-timeout"       ? &options.read_timeout
                                             : name == "--write-timeout"      ? &options.write_timeout
                                             : name == "--idle-timeout"       ? &options.idle_timeout
                                             : name == "--shutdown-timeout"   ? &shutdown_timeout
                                                                              : nullptr;
        const bool known = duration != nullptr || name == "--addr" || name == "--threads" || name == "--dir" ||
                           name == "--max-header-bytes" || name == "--max-header-fields" || name == "--access-log" ||
                           name == "--access-log-format" || name == "--metrics";
        if (!known) return usage_error("unknown flag " + std::string(arg));
        if (!has_value) {
            if (i + 1 >= argc) return usage_error("flag needs a value: " + std::string(name));
            value = argv[++i];
        }
        const std::string v(value);
        if (duration != nullptr) {
            auto d = parse_duration(value);
            if (!d) return usage_error(std::string(name) + ": bad duration " + v);
            *duration = *d;
        } else if (name == "--addr") {
            options.addr = v;
        } else if (name == "--threads") {
            auto n = parse_number<unsigned>(value);
            if (!n || *n > 1024) return usage_error("--threads: not a thread count: " + v);
            options.threads = *n;
        } else if (name == "--dir") {
            if (v.empty()) return usage_error("--dir: empty path");
            dir = v;
        } else if (name == "--max-header-bytes") {
            auto n = parse_number<std::size_t>(value);
            if (!n || *n == 0) return usage_error("--max-header-bytes: not a size: " + v);
            options.max_header_bytes = *n;
        } else if (name == "--max-header-fields") {
            auto n = parse_number<std::size_t>(value);
            if (!n || *n == 0) return usage_error("--max-header-fields: not a count: " + v);
            options.max_header_fields = *n;
        } else if (name == "--access-log") {
            if (v.empty()) return usage_error("--access-log: empty path");
            access_log_path = v;
        } else if (name == "--access-log-format") {
            if (v == "combined") log_format = ringhttp::log_format::combined;
            else if (v == "common") log_format = ringhttp::log_format::common;
            else return usage_error("--access-log-format: want common or combined, not " + v);
        } else if (name == "--metrics") {
            if (v.empty() || v[0] != '/') return usage_error("--metrics: want a path starting with /, not " + v);
            metrics_path = v;
        }
    }
    if (want_hello && !dir.empty()) return usage_error("--dir and --hello exclude each other");

    ringhttp::handler_ptr site;
    if (!dir.empty()) {
        struct stat st {};
        if (::stat(dir.c_str(), &st) != 0) {
            std::fprintf(stderr, "ringhttp: --dir %s: %s\n", dir.c_str(), std::strerror(errno));
            return 2;
        }
        if (!S_ISDIR(st.st_mode)) {
            std::fprintf(stderr, "ringhttp: --dir %s: not a directory\n", dir.c_str());
            return 2;
        }
        site = ringhttp::file_server(dir);
    } else {
        auto mux = std::make_shared<ringhttp::serve_mux>();
        mux->handle_func("/", hello);
        mux->handle_func("/user/", hello_user);
        site = mux;
    }

    ringhttp::handler_ptr top = site;
    std::shared_ptr<ringhttp::metrics> metrics;
    if (!metrics_path.empty()) {
        metrics = std::make_shared<ringhttp::metrics>();
        auto mux = std::make_shared<ringhttp::serve_mux>();
        // The exact path, so "/metrics/x" still reaches the site.
        mux->handle(metrics_path, metrics->exposition());
        mux->handle("/", site);
        top = metrics->wrap(mux);
        options.conn_state = [metrics](const ringhttp::connection_info& c, ringhttp::conn_state s) {
            metrics->on_conn_state(c, s);
        };
    }
    std::unique_ptr<std::FILE, file_closer> log_file;
    if (!access_log_path.empty()) {
        std::FILE* f = access_log_path == "-" ? stdout : std::fopen(access_log_path.c_str(), "a");
        if (f == nullptr) {
            std::fprintf(stderr, "ringhttp: --access-log %s: %s\n", access_log_path.c_str(), std::strerror(errno));
            return 2;
        }
        log_file.reset(f);
        top = ringhttp::access_log(top, ringhttp::file_sink(f), log_format);
    }
    options.handler = top;

    ringhttp::server srv(std::move(options));
    if (std::error_code ec = srv.listen()) {
        std::fprintf(stderr, "ringhttp: listen on %s: %s\n", srv.options().addr.c_str(), ec.message().c_str());
        return 1;
    }
    ringhttp::stop_on_signal stopper(srv, shutdown_timeout);
    std::fprintf(stderr, "ringhttp: serving %s on %s (port %u, %u threads)\n",
                 dir.empty() ? "hello" : dir.c_str(), srv.options().addr.c_str(), static_cast<unsigned>(srv.port()),
                 srv.options().threads);
    std::error_code ec = srv.serve();
    if (ec != ringhttp::errc::server_closed) {
        std::fprintf(stderr, "ringhttp: %s\n", ec.message().c_str());
        return 1;
    }
    std::fprintf(stderr, "ringhttp: stopped\n");
    return 0;
}
