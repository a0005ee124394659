// A connection's life on its ring: accepted, its input released, closed.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <charconv>
#include <cstdlib>
#include <cstring>
#include <string>

#include <ringhttp/status.hpp>

#include "engine/server/exchange.hpp"
#include "engine/http/request_access.hpp"
#include "engine/server/worker.hpp"

namespace ringhttp::engine {

namespace {

constexpr std::uint64_t linger_ns = 2'000'000'000;  // a closing peer gets 2 s to read and hang up

// Formats the peer as Go's RemoteAddr: "ip:port", "[ip6]:port"; an
// IPv4-mapped IPv6 address is shown as plain IPv4.
std::uint8_t format_peer(int fd, char* out, std::size_t cap) {
    sockaddr_storage ss{};
    socklen_t len = sizeof ss;
    if (::getpeername(fd, reinterpret_cast<sockaddr*>(&ss), &len) != 0) return 0;
    char ip[INET6_ADDRSTRLEN] = {};
    unsigned port = 0;
    bool v6 = false;
    if (ss.ss_family == AF_INET) {
        const auto* a = reinterpret_cast<const sockaddr_in*>(&ss);
        ::inet_ntop(AF_INET, &a->sin_addr, ip, sizeof ip);
        port = ntohs(a->sin_port);
    } else if (ss.ss_family == AF_INET6) {
        const auto* a = reinterpret_cast<const sockaddr_in6*>(&ss);
        port = ntohs(a->sin6_port);
        if (IN6_IS_ADDR_V4MAPPED(&a->sin6_addr)) {
            ::inet_ntop(AF_INET, &a->sin6_addr.s6_addr[12], ip, sizeof ip);
        } else {
            ::inet_ntop(AF_INET6, &a->sin6_addr, ip, sizeof ip);
            v6 = true;
        }
    } else {
        return 0;
    }
    std::size_t n = 0;
    auto put = [&](std::string_view s) {
        std::size_t k = std::min(s.size(), cap - n);
        std::memcpy(out + n, s.data(), k);
        n += k;
    };
    if (v6) put("[");
    put(ip);
    put(v6 ? "]:" : ":");
    char digits[8];
    auto [end, ec] = std::to_chars(digits, digits + sizeof digits, port);
    put({digits, static_cast<std::size_t>(end - digits)});
    return static_cast<std::uint8_t>(n);
}

}  // namespace

void worker::open_connection(int fd) {
    std::uint32_t index;
    if (!free_slots_.empty()) {
        index = free_slots_.back();
        free_slots_.pop_back();
    } else {
        index = static_cast<std::uint32_t>(conns_.size());
        conns_.push_back(std::make_unique<connection>());
    }
    connection& c = *conns_[index];
    const std::uint32_t gen = c.gen;
    c = connection{};
    c.gen = gen;
    c.index = index;
    c.io.fd = fd;
    c.remote_len = format_peer(fd, c.remote, sizeof c.remote);
    http1_.opened(c);
    if (config_.proxy_protocol) c.proxy = lend_proxy_parser();  // the PROXY header comes first
    c.id = std::uint64_t{config_.worker_index} << 48 | ++accepted_;
    ++live_;
    notify(c, conn_state::new_);
    // The first request's head must come within the header timeout of accept.
    c.head_started = wheel_.at(now_);
    c.read_deadline = deadline_after(config_.read_header_timeout_ns);
    schedule_timer(c);
    arm_recv(c);
}

void worker::release_input(connection& c) noexcept { c.io.in.release(pool_, c.ex != nullptr); }

void worker::begin_close(connection& c, bool abortive) {
    if (c.state == connection::phase::dead || c.state == connection::phase::closing) return;
    if (abortive) c.abortive = true;
    if (c.state == connection::phase::lingering) {
        if (abortive) {
            c.state = connection::phase::closing;
            advance_close(c);
        }
        return;
    }
    c.state = connection::phase::draining;
    if (abortive) {
        // The protocol makes its waiters see the end now (http1_session::aborting).
        http1_.aborting(c);
        if (c.state == connection::phase::dead || c.state == connection::phase::closing) return;
    }
    advance_close(c);
}

void worker::advance_close(connection& c) {
    switch (c.state) {
        case connection::phase::open:
        case connection::phase::dead:
            return;
        case connection::phase::draining:
            if (c.ex != nullptr) return;
            if (!c.abortive && !c.broken) {
                if (!c.io.out.empty() || c.io.send_inflight) {
                    mark_dirty(c);
                    return;
                }
                if (!c.peer_eof) {
                    // RFC 9112 §9.6: half-close, then read until the client closes
                    // too, so our last response is not lost to a reset.
                    ::shutdown(c.io.fd, SHUT_WR);
                    c.state = connection::phase::lingering;
                    release_input(c);
                    c.read_deadline = deadline_after(linger_ns);
                    c.write_deadline = 0;
                    schedule_timer(c);
                    if (c.io.recv == transport::recv_state::off && !c.starved) arm_recv(c);
                    return;
                }
            }
            c.state = connection::phase::closing;
            break;
        case connection::phase::lingering:
            if (!c.peer_eof && !c.abortive) return;
            c.state = connection::phase::closing;
            break;
        case connection::phase::closing:
            break;
    }
    if (c.io.recv == transport::recv_state::armed) pause_recv(c);
    // A send stuck behind a client that does not read would keep the
    // socket forever: cancel it.
    if (c.abortive || c.broken) c.io.cancel_send(env_, pack(op_send, c));
    if (c.io.recv != transport::recv_state::off || c.io.send_inflight) return;
    if (c.hijacked) {
        c.io.fd = -1;
        c.io.out.clear(outs_);
        release_input(c);
        c.state = connection::phase::dead;
        dead_.push_back(c.index);
        --live_;
        return;
    }
    if (c.write_timed_out) {
        // The client stopped reading: reset, so the kernel drops what is queued
        // instead of holding it for a reader that will not come.
        linger reset{1, 0};
        ::setsockopt(c.io.fd, SOL_SOCKET, SO_LINGER, &reset, sizeof reset);
    }
    ::close(c.io.fd);
    c.io.fd = -1;
    notify(c, conn_state::closed);
    c.io.out.clear(outs_);
    release_input(c);
    c.state = connection::phase::dead;
    dead_.push_back(c.index);
    --live_;
}

void worker::reap() {
    for (std::uint32_t index : dead_) {
        connection& c = *conns_[index];
        ++c.gen;
        if (c.proxy != nullptr) return_proxy_parser(c);
        free_slots_.push_back(index);
    }
    dead_.clear();
}

}  // namespace ringhttp::engine
