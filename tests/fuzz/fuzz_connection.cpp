// ringhttp fuzzing: a whole connection, bytes in and responses out, through
// the real codec, exchange and response writer.
//
// The engine has no in-memory transport: a connection is an io_uring
// multishot recv into provided buffers, and the worker owns the socket end to
// end (engine/worker.cpp, connection.cpp). Rather than refactor that, this
// harness runs one real in-process ringhttp server (one ring) on 127.0.0.1
// and sends each input over a fresh loopback TCP connection, in the
// fragments the input chooses (one send() each, TCP_NODELAY; with flag bit 7
// paced 0.5 ms apart, so that they mostly arrive as separate reads), then
// half-closes. What it checks:
//  - every response is well-formed HTTP/1.x (status line, CRLF field lines,
//    Content-Length or chunked framing, a close-delimited body only last);
//  - their number equals what the codec model (codec_model, the request
//    loop of engine/connection.cpp on the same bytes) accepted before any
//    error, plus the error's response: a 400 for a head cut short by the
//    client's close, and the rejection of a bad head (4xx/5xx);
//  - response i answers request i: the handler echoes the method, target
//    and body (length and hash) it was given, which must equal the model's;
//  - the server closes the connection when it must (after an error, a
//    Connection: close, HTTP/1.0, a bad chunked body), never hangs (10 s),
//    and the process never crashes (ASan/UBSan cover the server thread too).
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <span>
#include <thread>
#include <vector>

#include <ringhttp/ringhttp.hpp>

#include "tests/fuzz/codec_model.hpp"

namespace {

using namespace ringhttp;
using namespace ringhttp::fuzz;

constexpr std::size_t max_header_bytes = 512;
// The engine bounds a whole head by max_header_bytes exactly (connection.cpp).
constexpr std::size_t head_limit = max_header_bytes;
constexpr std::string_view end_request = "GET /__end HTTP/1.1\r\nHost: s\r\nConnection: close\r\n\r\n";

std::uint64_t fnv1a(std::string_view s) {
    std::uint64_t h = 1469598103934665603ull;
    for (unsigned char c : s) h = (h ^ c) * 1099511628211ull;
    return h;
}

std::string echo_line(std::string_view method, std::string_view uri, std::string_view body) {
    char buf[64];
    std::snprintf(buf, sizeof buf, " %zu %016llx", body.size(), static_cast<unsigned long long>(fnv1a(body)));
    return std::string(method) + " " + std::string(uri) + buf;
}

// The handler reads the whole body, then echoes what it got.
void echo(response_writer& w, request& r) {
    std::string body;
    char buf[1024];
    for (;;) {
        const io_result res = r.body().read(std::span<char>(buf, sizeof buf));
        body.append(buf, res.n);
        if (res.ec) break;
    }
    const std::string line = echo_line(r.method(), r.request_uri(), body);
    w.header().set("Content-Type", "text/plain");
    w.write(line);
}

std::uint16_t start_server() {
    static std::uint16_t port = [] {
        server_options o;
        o.addr = "127.0.0.1:0";
        o.handler = make_handler(echo);
        o.threads = 1;
        o.max_header_bytes = max_header_bytes;
        o.error_log = [](std::string_view) {};
        // Never destroyed: it serves until the process exits (a leaked
        // pointer from a global is not a leak to LSan).
        auto* s = new server(std::move(o));
        if (std::error_code ec = s->listen()) {
            std::fprintf(stderr, "fuzz_connection: listen: %s\n", ec.message().c_str());
            std::abort();
        }
        std::thread([s] { s->serve(); }).detach();
        return s->port();
    }();
    return port;
}

[[noreturn]] void fail(const std::string& what, const stream_outcome& model, std::string_view got) {
    std::fprintf(stderr, "fuzz_connection: %s\n--- model:\n%s\n--- received (%zu bytes):\n%.*s\n", what.c_str(),
                 describe(model).c_str(), got.size(), static_cast<int>(std::min<std::size_t>(got.size(), 4000)),
                 got.data());
    std::abort();
}

struct parsed_response {
    int status = 0;
    std::string body;
    bool close_delimited = false;
    bool connection_close = false;
};

bool iequals(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        char x = a[i], y = b[i];
        if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
        if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
        if (x != y) return false;
    }
    return true;
}

// parse_one parses a response at the start of in for a request with the
// given method. Returns the bytes used, or 0 with *error set.
std::size_t parse_one(std::string_view in, std::string_view method, parsed_response& out, std::string* error) {
    const std::size_t head_end = in.find("\r\n\r\n");
    if (head_end == std::string_view::npos) {
        *error = "response head without a blank line";
        return 0;
    }
    std::string_view head = in.substr(0, head_end + 2);
    const std::size_t eol = head.find("\r\n");
    const std::string_view status_line = head.substr(0, eol);
    // RFC 9112 §4: status-line = HTTP-version SP status-code SP [ reason-phrase ];
    // HTTP/1.0 answers an HTTP/1.0 request, as Go does.
    if (status_line.size() < 13 || (status_line.substr(0, 9) != "HTTP/1.1 " && status_line.substr(0, 9) != "HTTP/1.0 ") ||
        status_line[12] != ' ' ||
        status_line[9] < '1' || status_line[9] > '5' || status_line[10] < '0' || status_line[10] > '9' ||
        status_line[11] < '0' || status_line[11] > '9') {
        *error = "bad status line";
        return 0;
    }
    out.status = (status_line[9] - '0') * 100 + (status_line[10] - '0') * 10 + (status_line[11] - '0');
    std::int64_t length = -1;
    bool chunked = false;
    head.remove_prefix(eol + 2);
    while (!head.empty()) {
        const std::size_t e = head.find("\r\n");
        const std::string_view line = head.substr(0, e);
        head.remove_prefix(e + 2);
        const std::size_t colon = line.find(':');
        if (colon == std::string_view::npos || colon == 0) {
            *error = "bad field line";
            return 0;
        }
        for (char c : line)
            if (c == '\r' || c == '\n' || c == '\0') {
                *error = "CR, LF or NUL in a field line";
                return 0;
            }
        const std::string_view name = line.substr(0, colon);
        std::string_view value = line.substr(colon + 1);
        while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
        if (iequals(name, "content-length")) {
            if (length != -1 || value.empty() || value.size() > 18) {
                *error = "bad or repeated Content-Length";
                return 0;
            }
            length = 0;
            for (char c : value) {
                if (c < '0' || c > '9') {
                    *error = "bad Content-Length";
                    return 0;
                }
                length = length * 10 + (c - '0');
            }
        } else if (iequals(name, "transfer-encoding")) {
            if (!iequals(value, "chunked")) {
                *error = "unexpected Transfer-Encoding";
                return 0;
            }
            chunked = true;
        } else if (iequals(name, "connection") && iequals(value, "close")) {
            out.connection_close = true;
        }
    }
    if (chunked && length != -1) {
        *error = "both Content-Length and chunked";
        return 0;
    }
    std::size_t pos = head_end + 4;
    // RFC 9112 §6.3: no body after HEAD, 1xx, 204 or 304. (A 2xx to CONNECT
    // starts a tunnel for a proxy; this origin server, like Go's, answers
    // CONNECT as any method, framing included, and the echo checks that.)
    if (method == "HEAD" || out.status < 200 || out.status == 204 || out.status == 304) return pos;
    if (length >= 0) {
        if (in.size() - pos < static_cast<std::size_t>(length)) {
            *error = "body shorter than its Content-Length";
            return 0;
        }
        out.body = in.substr(pos, static_cast<std::size_t>(length));
        return pos + static_cast<std::size_t>(length);
    }
    if (chunked) {
        for (;;) {
            const std::size_t e = in.find("\r\n", pos);
            if (e == std::string_view::npos) {
                *error = "chunk line without CRLF";
                return 0;
            }
            std::size_t size = 0;
            const std::string_view hex = in.substr(pos, e - pos);
            if (hex.empty() || hex.size() > 8) {
                *error = "bad chunk size";
                return 0;
            }
            for (char c : hex) {
                const int v = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
                if (v < 0) {
                    *error = "bad chunk size";
                    return 0;
                }
                size = size * 16 + static_cast<std::size_t>(v);
            }
            pos = e + 2;
            if (size == 0) {
                // No trailers from this handler: the final CRLF.
                if (in.substr(pos, 2) != "\r\n") {
                    *error = "chunked body without its final CRLF";
                    return 0;
                }
                return pos + 2;
            }
            if (in.size() - pos < size + 2 || in.substr(pos + size, 2) != "\r\n") {
                *error = "chunk data without CRLF";
                return 0;
            }
            out.body.append(in.substr(pos, size));
            pos += size + 2;
        }
    }
    out.close_delimited = true;
    out.body = in.substr(pos);
    return in.size();
}

// exchange_bytes sends the fragments on a fresh connection, half-closes, and
// reads until the server closes. Returns false on a 10 s stall (a hang).
// paced: wait a little after each of the first fragments, so that the server
// most likely receives them in separate reads (back to back, loopback TCP
// often merges them into one).
bool exchange_bytes(std::uint16_t port, const std::vector<std::string_view>& fragments, bool paced, std::string& got) {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) std::abort();
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
        // libFuzzer's alarm (for -timeout) can interrupt connect; the
        // connection then completes in the background (connect(2), EINTR).
        int err = errno;
        if (err == EINTR) {
            pollfd p{fd, POLLOUT, 0};
            while (::poll(&p, 1, 10000) < 0 && errno == EINTR) {
            }
            socklen_t len = sizeof err;
            if (::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0) err = errno;
        }
        if (err != 0 && err != EINTR) {
            std::fprintf(stderr, "fuzz_connection: connect: %s\n", std::strerror(err));
            std::abort();
        }
    }
    int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    bool ok = true;
    std::size_t frag = 0, off = 0;
    bool write_open = true;
    char buf[16384];
    for (;;) {
        if (write_open && frag == fragments.size()) {
            ::shutdown(fd, SHUT_WR);
            write_open = false;
        }
        pollfd p{fd, static_cast<short>(POLLIN | (write_open ? POLLOUT : 0)), 0};
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) {
            ok = false;
            break;
        }
        if (::poll(&p, 1, static_cast<int>(left.count())) < 0) {
            if (errno == EINTR) continue;
            std::abort();
        }
        if (p.revents & (POLLIN | POLLHUP | POLLERR)) {
            const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
            if (n > 0) {
                got.append(buf, static_cast<std::size_t>(n));
                continue;
            }
            if (n == 0 || (errno != EINTR && errno != EAGAIN)) break;  // closed (EOF or reset)
            continue;
        }
        if (write_open && (p.revents & POLLOUT)) {
            const std::string_view f = fragments[frag].substr(off);
            const ssize_t n = ::send(fd, f.data(), f.size(), MSG_NOSIGNAL);
            if (n < 0) {
                if (errno == EINTR || errno == EAGAIN) continue;
                write_open = false;  // the server closed; read what it sent
                continue;
            }
            off += static_cast<std::size_t>(n);
            if (off == fragments[frag].size()) {
                ++frag;
                off = 0;
                if (paced && frag < 16 && frag < fragments.size())
                    std::this_thread::sleep_for(std::chrono::microseconds(500));
            }
        }
    }
    ::close(fd);
    return ok;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::uint16_t port = start_server();
    const split_input in = decode_split_input(data, size);

    // What the connection's request loop makes of the bytes, reading nothing
    // after a request that closes the connection.
    codec_model model(head_limit, SIZE_MAX, true);
    model.feed(in.stream);
    const stream_outcome expect = model.finish();

    std::vector<std::string_view> fragments = in.fragments;
    std::vector<std::string> methods, echoes;
    for (const request_record& r : expect.requests) {
        methods.push_back(r.method);
        echoes.push_back(echo_line(r.method, r.request_uri, r.body));
    }
    // A stream that ends cleanly on an open connection gets a last request
    // that closes it, so that the read below ends when the server is done.
    const bool open_at_end =
        expect.end == stream_end::clean && (expect.requests.empty() || !expect.requests.back().closes);
    if (open_at_end) {
        fragments.push_back(end_request);
        methods.emplace_back("GET");
        echoes.push_back(echo_line("GET", "/__end", ""));
    }
    std::size_t want = methods.size();
    // The error response: a rejected head, or a head cut short by the close.
    if (expect.end == stream_end::head_error || expect.end == stream_end::partial_head) ++want;

    std::string got;
    const bool paced = size > 0 && (data[0] & 0x80) != 0;
    if (!exchange_bytes(port, fragments, paced, got)) fail("no close within 10 s (a hang)", expect, got);

    std::vector<parsed_response> responses;
    std::string_view rest = got;
    while (!rest.empty()) {
        parsed_response r;
        std::string error;
        const std::string_view method =
            responses.size() < methods.size() ? std::string_view(methods[responses.size()]) : std::string_view("GET");
        const std::size_t used = parse_one(rest, method, r, &error);
        if (used == 0) fail("malformed response " + std::to_string(responses.size()) + ": " + error, expect, got);
        rest.remove_prefix(used);
        if (r.status < 200) continue;  // 100 Continue before a body is read
        responses.push_back(std::move(r));
    }
    if (responses.size() != want) {
        fail("expected " + std::to_string(want) + " responses, got " + std::to_string(responses.size()), expect, got);
    }
    for (std::size_t i = 0; i < responses.size(); ++i) {
        const parsed_response& r = responses[i];
        if (r.close_delimited && i + 1 != responses.size()) fail("close-delimited response not last", expect, got);
        if (i >= echoes.size()) {
            if (r.status < 400) fail("error response with status " + std::to_string(r.status), expect, got);
            if (expect.end == stream_end::partial_head && r.status != 400) fail("cut-short head not 400", expect, got);
            continue;
        }
        const request_record* rec = i < expect.requests.size() ? &expect.requests[i] : nullptr;
        if (rec != nullptr && rec->info.expect_unsupported) {
            if (r.status != 417) fail("unsupported Expect not 417", expect, got);
            continue;
        }
        if (rec != nullptr && (rec->info.asterisk || rec->info.h2_preface)) continue;  // server-wide answers
        if (r.status != 200) fail("request " + std::to_string(i) + " got " + std::to_string(r.status), expect, got);
        if (methods[i] != "HEAD" && r.body != echoes[i]) {
            fail("response " + std::to_string(i) + " answers another request: \"" + r.body + "\" != \"" + echoes[i] +
                     "\"",
                 expect, got);
        }
    }
    return 0;
}
