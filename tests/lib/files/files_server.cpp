// The ringhttp side of the files differential test: file_server over --root
// plus the serve_content and serve_file routes of tests/go/fileserver, which
// serves the same directory with Go's http.FileServer.
//
// Usage: files_server --addr HOST:PORT --root DIR [--threads N] [--log]
// --log prints "METHOD PATH RANGE -> STATUS" for each request to stdout.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <string>
#include <string_view>

#include <ringhttp/file_server.hpp>
#include <ringhttp/ringhttp.hpp>


namespace {

// The same bytes and time as the Go twin's.
constexpr std::string_view content =
    "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
    "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ\n";

// logging_writer forwards to the real writer and remembers the status.
class logging_writer final : public ringhttp::response_writer {
public:
    explicit logging_writer(ringhttp::response_writer& w) : w_(w) {}
    ringhttp::header& header() override { return w_.header(); }
    void write_header(int code) override {
        if (code_ == 0 && code >= 200) code_ = code;
        w_.write_header(code);
    }
    ringhttp::io_result write(std::string_view data) override {
        if (code_ == 0) code_ = 200;
        return w_.write(data);
    }
    std::error_code flush() override { return w_.flush(); }
    ringhttp::writer_control* control() noexcept override { return w_.control(); }
    int code() const noexcept { return code_ == 0 ? 200 : code_; }

private:
    ringhttp::response_writer& w_;
    int code_ = 0;
};

std::chrono::system_clock::time_point modtime() {
    std::tm tm{};
    tm.tm_year = 2024 - 1900;
    tm.tm_mon = 0;
    tm.tm_mday = 2;
    tm.tm_hour = 3;
    tm.tm_min = 4;
    tm.tm_sec = 5;
    return std::chrono::system_clock::from_time_t(::timegm(&tm));
}

}  // namespace

int main(int argc, char** argv) {
    std::string addr = "127.0.0.1:8080";
    std::string root = ".";
    unsigned threads = 1;
    bool log = false;
    for (int i = 1; i < argc; ++i) {
        const std::string_view arg = argv[i];
        if (arg == "--addr" && i + 1 < argc) addr = argv[++i];
        else if (arg == "--root" && i + 1 < argc) root = argv[++i];
        else if (arg == "--threads" && i + 1 < argc) threads = static_cast<unsigned>(std::atoi(argv[++i]));
        else if (arg == "--log") log = true;
        else {
            std::fprintf(stderr, "usage: %s --addr HOST:PORT --root DIR [--threads N]\n", argv[0]);
            return 2;
        }
    }
    auto files = ringhttp::file_server(root);
    const auto mtime = modtime();
    auto handler = ringhttp::make_handler([files, root, mtime](ringhttp::response_writer& w, ringhttp::request& r) {
        const std::string_view p = r.url().path;
        if (p == "/_content/etag") {
            w.header().set("Etag", "\"v1\"");
            ringhttp::serve_content(w, r, "doc.txt", mtime, content);
        } else if (p == "/_content/sniff") {
            ringhttp::serve_content(w, r, "", mtime, "<html><body>hi</body></html>");
        } else if (p == "/_content/zero") {
            ringhttp::serve_content(w, r, "doc.txt", {}, content);
        } else if (p == "/_content/typed") {
            w.header().set("Content-Type", "application/x-custom");
            ringhttp::serve_content(w, r, "doc.txt", mtime, content);
        } else if (p.starts_with("/_servefile/")) {
            ringhttp::serve_file(w, r, root + "/hello.txt");
        } else if (p.starts_with("/_servedir/")) {
            ringhttp::serve_file(w, r, root + "/sub");
        } else {
            files->serve_http(w, r);
        }
    });
    if (log) {
        handler = ringhttp::make_handler([inner = handler](ringhttp::response_writer& w, ringhttp::request& r) {
            logging_writer lw(w);
            inner->serve_http(lw, r);
            const std::string line = std::string(r.method()) + " " + std::string(r.url().path) + " [" +
                                     std::string(r.header().get("Range")) + "] -> " + std::to_string(lw.code()) + "\n";
            std::fwrite(line.data(), 1, line.size(), stdout);
            std::fflush(stdout);
        });
    }
    ringhttp::server srv({.addr = addr, .handler = handler, .threads = threads});
    ringhttp::stop_on_signal stopper(srv);
    const std::error_code ec = srv.listen_and_serve();
    if (ec && ec != ringhttp::errc::server_closed) {
        std::fprintf(stderr, "files_server: %s\n", ec.message().c_str());
        return 1;
    }
    return 0;
}
