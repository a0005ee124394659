#include "tests/support/wire.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <mutex>
#include <stdexcept>

namespace ringhttp::test {

struct test_server::log_state {
    mutable std::mutex mu;
    std::vector<std::string> lines;
};

test_server::test_server(handler_ptr h, server_options options) : log_(std::make_shared<log_state>()) {
    options.addr = "127.0.0.1:0";
    options.handler = std::move(h);
    // One ring unless a test asks for more: its connections are then all on a
    // ring that is running before the first request is answered.
    if (options.threads == 0) options.threads = 1;
    if (!options.error_log) {
        auto log = log_;
        options.error_log = [log](std::string_view line) {
            std::lock_guard lock(log->mu);
            log->lines.emplace_back(line);
        };
    }
    server_ = std::make_unique<server>(std::move(options));
    if (std::error_code ec = server_->listen()) throw std::runtime_error("listen: " + ec.message());
    port_ = server_->port();
    thread_ = std::thread([this] { server_->serve(); });
}

test_server::~test_server() {
    server_->close();
    thread_.join();
}

std::vector<std::string> test_server::log_lines() const {
    std::lock_guard lock(log_->mu);
    return log_->lines;
}

raw_connection::raw_connection(std::uint16_t port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd_ < 0) throw std::runtime_error("socket");
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0)
        throw std::runtime_error(std::string("connect: ") + std::strerror(errno));
    int one = 1;
    ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

raw_connection::~raw_connection() {
    if (fd_ >= 0) ::close(fd_);
}

void raw_connection::send(std::string_view bytes) {
    while (!bytes.empty()) {
        ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EINTR) continue;
            return;  // the server may have closed; what it sent is still readable
        }
        bytes.remove_prefix(static_cast<std::size_t>(n));
    }
}

void raw_connection::shutdown_write() { ::shutdown(fd_, SHUT_WR); }

void raw_connection::reset_close() {
    linger l{1, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_LINGER, &l, sizeof l);
    ::close(fd_);
    fd_ = -1;
}

namespace {

// Reads once, waiting at most timeout_ms. Returns bytes read, 0 on EOF, -1 on
// timeout, -2 on reset.
long read_some(int fd, std::string& out, int timeout_ms) {
    pollfd p{fd, POLLIN, 0};
    int rc = ::poll(&p, 1, timeout_ms);
    if (rc == 0) return -1;
    char buf[65536];
    ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n < 0) return errno == ECONNRESET ? -2 : -1;
    out.append(buf, static_cast<std::size_t>(n));
    return n;
}

}  // namespace

raw_result raw_connection::read_until_idle(std::chrono::milliseconds idle) {
    raw_result r;
    for (;;) {
        long n = read_some(fd_, r.bytes, static_cast<int>(idle.count()));
        if (n == -1) return r;
        if (n == 0 || n == -2) {
            r.closed = true;
            r.reset = n == -2;
            return r;
        }
    }
}

raw_result raw_connection::read_responses(std::size_t n, std::vector<std::string> methods,
                                          std::chrono::milliseconds deadline) {
    raw_result r;
    const auto end = std::chrono::steady_clock::now() + deadline;
    for (;;) {
        if (parse_responses(r.bytes, methods, false).size() >= n) return r;
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(end - std::chrono::steady_clock::now());
        if (left.count() <= 0) return r;
        long got = read_some(fd_, r.bytes, static_cast<int>(left.count()));
        if (got == 0 || got == -2) {
            r.closed = true;
            r.reset = got == -2;
            return r;
        }
    }
}

namespace {

std::string lower(std::string_view s) {
    std::string out(s);
    for (char& c : out)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
    return out;
}

}  // namespace

std::vector<response> parse_responses(std::string_view bytes, const std::vector<std::string>& methods, bool closed,
                                      std::string* rest) {
    std::vector<response> out;
    std::size_t request_index = 0;
    while (!bytes.empty()) {
        std::size_t head_end = bytes.find("\r\n\r\n");
        if (head_end == std::string_view::npos) break;
        response r;
        std::string_view head = bytes.substr(0, head_end + 2);
        std::size_t eol = head.find("\r\n");
        std::string_view status_line = head.substr(0, eol);
        // Bytes between responses (a body sent twice, say) are no response:
        // parsing stops there, so a test counting responses sees the fault.
        if (!status_line.starts_with("HTTP/1.")) break;
        r.version = std::string(status_line.substr(0, status_line.find(' ')));
        r.status = std::atoi(std::string(status_line.substr(status_line.find(' ') + 1, 3)).c_str());
        head.remove_prefix(eol + 2);
        while (!head.empty()) {
            eol = head.find("\r\n");
            std::string_view line = head.substr(0, eol);
            std::size_t colon = line.find(':');
            std::string_view value = line.substr(colon + 1);
            while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
            r.headers.emplace(lower(line.substr(0, colon)), std::string(value));
            head.remove_prefix(eol + 2);
        }
        std::string_view after = bytes.substr(head_end + 4);
        const std::string method = request_index < methods.size() ? methods[request_index] : "GET";
        const bool no_body = method == "HEAD" || (r.status >= 100 && r.status < 200) || r.status == 204 || r.status == 304;
        std::size_t used = 0;
        if (no_body) {
            r.frame = response::framing::none;
        } else if (lower(r.header("transfer-encoding")) == "chunked") {
            r.frame = response::framing::chunked;
            std::size_t pos = 0;
            bool complete = false;
            for (;;) {
                std::size_t le = after.find("\r\n", pos);
                if (le == std::string_view::npos) break;
                std::size_t size = std::stoul(std::string(after.substr(pos, le - pos)), nullptr, 16);
                pos = le + 2;
                if (size == 0) {
                    std::size_t te = after.find("\r\n", pos);
                    while (te != std::string_view::npos && te != pos) {  // trailers
                        pos = te + 2;
                        te = after.find("\r\n", pos);
                    }
                    if (te == std::string_view::npos) break;
                    pos = te + 2;
                    complete = true;
                    break;
                }
                if (after.size() < pos + size + 2) break;
                r.body.append(after.substr(pos, size));
                pos += size + 2;
            }
            if (!complete) break;
            used = pos;
        } else if (r.has("content-length")) {
            r.frame = response::framing::length;
            std::size_t len = std::stoul(r.header("content-length"));
            if (after.size() < len) break;
            r.body = std::string(after.substr(0, len));
            used = len;
        } else if (r.status >= 100 && r.status < 200) {
            r.frame = response::framing::none;
        } else {
            if (!closed) break;
            r.frame = response::framing::close;
            r.body = std::string(after);
            used = after.size();
        }
        if (!(r.status >= 100 && r.status < 200)) ++request_index;
        out.push_back(std::move(r));
        bytes = after.substr(used);
    }
    if (rest != nullptr) *rest = std::string(bytes);
    return out;
}

exchange_result exchange(std::uint16_t port, std::string_view request, std::vector<std::string> methods,
                         std::chrono::milliseconds idle) {
    raw_connection c(port);
    c.send(request);
    raw_result r = c.read_until_idle(idle);
    exchange_result out;
    out.closed = r.closed;
    out.raw = r.bytes;
    out.responses = parse_responses(r.bytes, methods, r.closed);
    return out;
}

}  // namespace ringhttp::test
