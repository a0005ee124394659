// A connection's life on its ring: accepted into a slot, opened, closed
// (gracefully: sent, half-closed, lingering; or at once), reaped.
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
    c.id = std::uint64_t{config_.worker_index} << 48 | ++accepted_;
    if (config_.proxy_protocol) c.proxy = lend_proxy_parser();  // the PROXY header comes first
    ++live_;
    c.open(*this, fd);
}

void connection::open(worker& w, int fd) {
    io.fd = fd;
    remote_len = format_peer(fd, remote, sizeof remote);
    w.http1().opened(*this);
    w.notify(*this, conn_state::new_);
    // The first request's head must come within the header timeout of accept.
    head_started = w.now_tick();
    read_deadline = w.deadline_after(w.config().read_header_timeout_ns);
    w.schedule_timer(*this);
    w.arm_recv(*this);
}

void connection::begin_close(worker& w, bool abrupt) {
    if (state == phase::dead || state == phase::closing) return;
    if (abrupt) abortive = true;
    if (state == phase::lingering) {
        if (abrupt) {
            state = phase::closing;
            advance_close(w);
        }
        return;
    }
    state = phase::draining;
    if (abrupt) {
        // The protocol makes its waiters see the end now (http1_session::aborting).
        w.http1().aborting(*this);
        if (state == phase::dead || state == phase::closing) return;
    }
    advance_close(w);
}

void connection::advance_close(worker& w) {
    switch (state) {
        case phase::open:
        case phase::dead:
            return;
        case phase::draining:
            if (ex != nullptr) return;
            if (!abortive && !broken) {
                if (!io.out.empty() || io.send_inflight) {
                    w.mark_dirty(*this);
                    return;
                }
                if (!peer_eof) {
                    // RFC 9112 §9.6: half-close, then read until the client closes
                    // too, so our last response is not lost to a reset.
                    ::shutdown(io.fd, SHUT_WR);
                    state = phase::lingering;
                    io.in.release(w.buffers(), ex != nullptr);
                    read_deadline = w.deadline_after(linger_ns);
                    write_deadline = 0;
                    w.schedule_timer(*this);
                    if (io.recv == transport::recv_state::off && !starved) w.arm_recv(*this);
                    return;
                }
            }
            state = phase::closing;
            break;
        case phase::lingering:
            if (!peer_eof && !abortive) return;
            state = phase::closing;
            break;
        case phase::closing:
            break;
    }
    if (io.recv == transport::recv_state::armed) w.pause_recv(*this);
    // A send stuck behind a client that does not read would keep the
    // socket forever: cancel it.
    if (abortive || broken) io.cancel_send(w.transport_services(), user_data::encode(op_send, index, gen));
    if (io.recv != transport::recv_state::off || io.send_inflight) return;
    if (hijacked) {
        io.fd = -1;
        io.out.clear(w.outs());
        io.in.release(w.buffers(), ex != nullptr);
        state = phase::dead;
        w.retire(*this);
        return;
    }
    if (write_timed_out) {
        // The client stopped reading: reset, so the kernel drops what is queued
        // instead of holding it for a reader that will not come.
        linger reset{1, 0};
        ::setsockopt(io.fd, SOL_SOCKET, SO_LINGER, &reset, sizeof reset);
    }
    ::close(io.fd);
    io.fd = -1;
    w.notify(*this, conn_state::closed);
    io.out.clear(w.outs());
    io.in.release(w.buffers(), ex != nullptr);
    state = phase::dead;
    w.retire(*this);
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
