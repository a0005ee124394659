// Wire test with a real sender: HAProxy (tcp mode) in front of a ringhttp
// server with proxy_protocol, one backend per `send-proxy` (v1) and
// `send-proxy-v2` (v2, with a CRC32C TLV). The remote_addr() the handler sees
// must be the address of the client that connected to HAProxy.
// Usage: proxy_haproxy_test [catch2 args]; HAPROXY names the binary
// (default /usr/sbin/haproxy).
#include <catch2/catch_test_macros.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>
#include <thread>

#include <ringhttp/ringhttp.hpp>

#include "tests/support/wire.hpp"

using namespace ringhttp;
using namespace ringhttp::test;
using namespace std::chrono_literals;

namespace {

// A free TCP port on addr, found by binding port 0 and letting it go
// (HAProxy binds it a moment later).
std::uint16_t free_port(int af) {
    int fd = ::socket(af, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_storage ss{};
    socklen_t len;
    if (af == AF_INET) {
        auto* a = reinterpret_cast<sockaddr_in*>(&ss);
        a->sin_family = AF_INET;
        a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        len = sizeof *a;
    } else {
        auto* a = reinterpret_cast<sockaddr_in6*>(&ss);
        a->sin6_family = AF_INET6;
        a->sin6_addr = in6addr_loopback;
        len = sizeof *a;
    }
    if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&ss), len) != 0) {
        if (fd >= 0) ::close(fd);
        return 0;
    }
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &len);
    const std::uint16_t port =
        ntohs(af == AF_INET ? reinterpret_cast<sockaddr_in*>(&ss)->sin_port : reinterpret_cast<sockaddr_in6*>(&ss)->sin6_port);
    ::close(fd);
    return port;
}

// A connected client socket to the loopback address of af, or -1.
int dial(int af, std::uint16_t port) {
    int fd = ::socket(af, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return -1;
    sockaddr_storage ss{};
    socklen_t len;
    if (af == AF_INET) {
        auto* a = reinterpret_cast<sockaddr_in*>(&ss);
        a->sin_family = AF_INET;
        a->sin_port = htons(port);
        a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        len = sizeof *a;
    } else {
        auto* a = reinterpret_cast<sockaddr_in6*>(&ss);
        a->sin6_family = AF_INET6;
        a->sin6_port = htons(port);
        a->sin6_addr = in6addr_loopback;
        len = sizeof *a;
    }
    if (::connect(fd, reinterpret_cast<sockaddr*>(&ss), len) != 0) {
        ::close(fd);
        return -1;
    }
    return fd;
}

// The socket's own address as Go's RemoteAddr would print it.
std::string own_addr(int fd) {
    sockaddr_storage ss{};
    socklen_t len = sizeof ss;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &len);
    char ip[INET6_ADDRSTRLEN] = {};
    if (ss.ss_family == AF_INET) {
        auto* a = reinterpret_cast<sockaddr_in*>(&ss);
        ::inet_ntop(AF_INET, &a->sin_addr, ip, sizeof ip);
        return std::string(ip) + ":" + std::to_string(ntohs(a->sin_port));
    }
    auto* a = reinterpret_cast<sockaddr_in6*>(&ss);
    ::inet_ntop(AF_INET6, &a->sin6_addr, ip, sizeof ip);
    return "[" + std::string(ip) + "]:" + std::to_string(ntohs(a->sin6_port));
}

// Sends a GET with Connection: close and reads to EOF (10 s at most).
std::string fetch(int fd) {
    const std::string req = "GET /who HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n";
    if (::send(fd, req.data(), req.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(req.size())) return {};
    std::string out;
    const auto end = std::chrono::steady_clock::now() + 10s;
    for (;;) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(end - std::chrono::steady_clock::now());
        if (left.count() <= 0) break;
        pollfd p{fd, POLLIN, 0};
        if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) break;
        char buf[4096];
        ssize_t n = ::recv(fd, buf, sizeof buf, 0);
        if (n <= 0) break;
        out.append(buf, static_cast<std::size_t>(n));
    }
    return out;
}

// One HAProxy process for the life of the object; killed (SIGTERM, by its
// own pid) and reaped by the destructor.
class haproxy {
public:
    explicit haproxy(const std::string& config) {
        path_ = "/tmp/ringhttp-proxy-test-" + std::to_string(::getpid()) + ".cfg";
        std::ofstream(path_) << config;
        const char* bin = std::getenv("HAPROXY");
        const std::string exe = bin != nullptr ? bin : "/usr/sbin/haproxy";
        pid_ = ::fork();
        if (pid_ == 0) {
            ::execl(exe.c_str(), exe.c_str(), "-db", "-f", path_.c_str(), static_cast<char*>(nullptr));
            ::_exit(127);
        }
    }
    ~haproxy() {
        if (pid_ > 0) {
            ::kill(pid_, SIGTERM);
            int st = 0;
            ::waitpid(pid_, &st, 0);
        }
        ::unlink(path_.c_str());
    }
    haproxy(const haproxy&) = delete;
    haproxy& operator=(const haproxy&) = delete;

    /// running reports whether the process is still alive.
    bool running() {
        int st = 0;
        return pid_ > 0 && ::waitpid(pid_, &st, WNOHANG) == 0;
    }

private:
    std::string path_;
    pid_t pid_ = -1;
};

// Waits until a frontend accepts connections (HAProxy is up), 10 s at most.
bool wait_listening(int af, std::uint16_t port, haproxy& h) {
    const auto end = std::chrono::steady_clock::now() + 10s;
    while (std::chrono::steady_clock::now() < end && h.running()) {
        int fd = dial(af, port);
        if (fd >= 0) {
            ::close(fd);
            return true;
        }
        std::this_thread::sleep_for(50ms);
    }
    return false;
}

bool have_ipv6_loopback() {
    int fd = ::socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return false;
    sockaddr_in6 a{};
    a.sin6_family = AF_INET6;
    a.sin6_addr = in6addr_loopback;
    const bool ok = ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
    ::close(fd);
    return ok;
}

}  // namespace

TEST_CASE("haproxy: send-proxy and send-proxy-v2 give the real client's address to remote_addr", "[proxy][haproxy]") {
    server_options o;
    o.proxy_protocol = true;
    test_server s(make_handler([](response_writer& w, request& r) { w.write(std::string(r.remote_addr())); }), o);

    const bool v6 = have_ipv6_loopback();
    const std::uint16_t p_v1 = free_port(AF_INET), p_v2 = free_port(AF_INET), p_plain = free_port(AF_INET);
    const std::uint16_t p_v6 = v6 ? free_port(AF_INET6) : 0;
    REQUIRE(p_v1 != 0);
    const std::string backend = "127.0.0.1:" + std::to_string(s.port());
    std::string config =
        "global\n"
        "    maxconn 100\n"
        "defaults\n"
        "    mode tcp\n"
        "    timeout connect 5s\n"
        "    timeout client 30s\n"
        "    timeout server 30s\n"
        "frontend fe_v1\n"
        "    bind 127.0.0.1:" + std::to_string(p_v1) + "\n"
        "    default_backend be_v1\n"
        "frontend fe_v2\n"
        "    bind 127.0.0.1:" + std::to_string(p_v2) + "\n" +
        (v6 ? "    bind [::1]:" + std::to_string(p_v6) + "\n" : std::string()) +
        "    default_backend be_v2\n"
        "frontend fe_plain\n"
        "    bind 127.0.0.1:" + std::to_string(p_plain) + "\n"
        "    default_backend be_plain\n"
        "backend be_v1\n"
        "    server s1 " + backend + " send-proxy\n"
        "backend be_v2\n"
        "    server s1 " + backend + " send-proxy-v2 proxy-v2-options crc32c\n"
        "backend be_plain\n"
        "    server s1 " + backend + "\n";
    haproxy h(config);
    REQUIRE(wait_listening(AF_INET, p_v1, h));
    REQUIRE(wait_listening(AF_INET, p_v2, h));

    struct front {
        const char* name;
        int af;
        std::uint16_t port;
    };
    std::vector<front> fronts = {{"send-proxy (v1), IPv4", AF_INET, p_v1}, {"send-proxy-v2, IPv4", AF_INET, p_v2}};
    if (v6) fronts.push_back({"send-proxy-v2, IPv6", AF_INET6, p_v6});
    for (const front& f : fronts) {
        for (int round = 0; round < 3; ++round) {
            INFO(f.name << ", round " << round);
            int fd = dial(f.af, f.port);
            REQUIRE(fd >= 0);
            const std::string client = own_addr(fd);
            const std::string reply = fetch(fd);
            ::close(fd);
            auto rs = parse_responses(reply, {}, true);
            REQUIRE(rs.size() == 1);
            CHECK(rs[0].status == 200);
            CHECK(rs[0].body == client);
        }
    }

    // A backend that forgets send-proxy: the server drops the connection
    // unanswered, so the client gets nothing, never a response about a
    // request that might have come from anyone.
    int fd = dial(AF_INET, p_plain);
    REQUIRE(fd >= 0);
    const std::string reply = fetch(fd);
    ::close(fd);
    CHECK(reply.empty());
}
