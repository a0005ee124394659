// A connection's life on its ring: receive queue, request dispatch, closing.
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

constexpr std::uint16_t max_queued_buffers = 4;  // per busy connection, before recv pauses
constexpr std::uint64_t linger_ns = 2'000'000'000;  // a closing peer gets 2 s to read and hang up
// RFC 9112 §2.2: a server SHOULD ignore at least one empty line (CRLF) before
// a request-line. Up to 4 are skipped before each request, the first one
// included (connection::crlf_budget counts their bytes); a fifth reaches the
// parser, which answers 400.
constexpr std::uint8_t empty_line_bytes = 4 * 2;

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
    c.crlf_budget = empty_line_bytes;
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

std::string_view worker::peek(connection& c) noexcept { return c.io.in.peek(pool_); }

void worker::consume(connection& c, std::size_t n) noexcept {
    if (c.io.in.consume(pool_, n) && c.paused && c.io.in.buffers() <= max_queued_buffers / 2) want_input(c);
}

void worker::release_input(connection& c) noexcept { c.io.in.release(pool_, c.ex != nullptr); }

void worker::on_input(connection& c) {
    if (c.ex != nullptr) {
        if (c.ex->waiting() == exchange::wait_kind::body) resume_exchange(c);
        else if (c.io.in.buffers() > max_queued_buffers && !c.paused) {
            // The handler is not reading: stop receiving and let TCP push back.
            c.paused = true;
            pause_recv(c);
        }
        return;
    }
    if (c.state != connection::phase::open) {
        advance_close(c);
        return;
    }
    if (c.proxy != nullptr && !read_proxy_header(c)) [[unlikely]] return;
    process_requests(c);
}

void worker::process_requests(connection& c) {
    while (c.state == connection::phase::open && c.ex == nullptr) {
        exchange* ex = next_request(c);
        if (ex == nullptr) break;
        c.ex = ex;
        ex->start(c);
        if (!ex->finished()) {
            if (c.io.in.buffers() > max_queued_buffers && !c.paused && ex->waiting() != exchange::wait_kind::body) {
                c.paused = true;
                pause_recv(c);
            }
            return;
        }
        end_exchange(c);
    }
    if (c.state != connection::phase::open || c.ex != nullptr) return;
    if (c.peer_eof) {
        // The client sent all it will. A request cut off by the close gets a
        // 400 (Go reads it as an unexpected EOF); a clean close gets nothing.
        if (!peek(c).empty()) send_error(c, status_bad_request, "request cut short by the client's close");
        else begin_close(c, false);
    } else if (c.io.recv == transport::recv_state::off && !c.starved) {
        want_input(c);
    }
}

[[gnu::always_inline]] inline bool worker::gather_head(connection& c) {
    // A head that began in an earlier buffer continues in the assembly: copy
    // the buffers queued since then into it, once.
    if (c.io.in.gather(pool_)) [[likely]] return true;
    send_error(c, status_request_header_fields_too_large, "out of memory");
    return false;
}

[[gnu::always_inline]] inline worker::empty_lines worker::skip_empty_lines(connection& c, std::string_view& view) {
    // Empty lines before the request-line are skipped (empty_line_bytes; Go
    // skips 4 CR or LF bytes after a POST only). An empty line is a CRLF: a
    // bare LF stays an error (RFC 9112 §2.2's MAY, not taken).
    while (c.crlf_budget >= 2 && !view.empty() && view[0] == '\r') {
        if (view.size() == 1) {
            // Its LF is in a later buffer, or yet to come. A view from a pool
            // buffer with more queued joins them in an assembly; an assembly
            // already holds all that came: wait.
            if (!c.io.in.more_buffered(pool_) || !move_to_assembly(c, view)) return empty_lines::wait;
            return empty_lines::again;
        }
        if (view[1] != '\n') break;
        c.crlf_budget = static_cast<std::uint8_t>(c.crlf_budget - 2);
        consume(c, 2);
        view = peek(c);
    }
    if (!view.empty()) c.crlf_budget = 0;
    return empty_lines::done;
}

[[gnu::always_inline]] inline void worker::note_request_begins(connection& c) {
    if (!c.active) {
        c.active = true;
        notify(c, conn_state::active);
    }
    if (c.awaiting_request) {
        // The next request begins: its head has the header timeout from now.
        c.awaiting_request = false;
        c.head_started = wheel_.at(now_);
        c.read_deadline = deadline_after(config_.read_header_timeout_ns);
        schedule_timer(c);
    }
}

[[gnu::always_inline]] inline worker::head_read worker::read_head(connection& c, std::string_view view, bool in_assembly) {
    // The whole head, request line and fields with their line ends, within
    // max_header_bytes exactly (Go reads 4096 bytes past MaxHeaderBytes).
    const std::size_t limit = config_.max_header_bytes;
    char* const head = const_cast<char*>(view.data());
    const parse_limits limits{.max_head_bytes = limit, .max_fields = config_.max_header_fields};
    if (!c.scanner.started()) {
        // Usually the whole head is in this one buffer: parse it in one pass.
        // Buffers and assemblies keep a byte spare for the sentinel.
        head[view.size()] = '\0';
        exchange* ex = acquire_exchange();
        parse_result res = parse_request(head, view.size(), ex->req, ex->info, limits);
        if (res.state == parse_result::status::complete) return {ex, res.head_len, false};
        release_exchange(ex);
        if (res.state == parse_result::status::error) {
            send_error(c, res.error.status, res.error.reason);
            return {};
        }
    }
    // Not all here yet: find the head's end incrementally as bytes come.
    head_scanner::result scan = c.scanner.scan(view.data(), view.size(), limit);
    if (scan.state == head_scanner::status::error) {
        send_error(c, scan.error.status, scan.error.reason);
        return {};
    }
    if (scan.state == head_scanner::status::need_more) {
        if (in_assembly) return {};
        // The head continues in a later buffer: start an assembly with what
        // we have (the scanner's offsets are relative, still valid).
        if (!move_to_assembly(c, view)) return {};
        return {nullptr, 0, true};
    }
    exchange* ex = acquire_exchange();
    if (parse_error err = parse_head(head, scan.head_len, ex->req, ex->info, limits)) {
        release_exchange(ex);
        send_error(c, err.status, err.reason);
        return {};
    }
    return {ex, scan.head_len, false};
}

[[gnu::always_inline]] inline void worker::start_request(connection& c, exchange& ex, std::size_t head_len, bool in_assembly) {
    // The whole request (body too) must come within read_timeout of its first
    // byte; the response must be written within write_timeout.
    c.read_deadline =
        config_.read_timeout_ns == 0
            ? 0
            : c.head_started +
                  static_cast<std::uint32_t>((config_.read_timeout_ns + timer_wheel::tick_ns - 1) / timer_wheel::tick_ns);
    c.write_deadline = deadline_after(config_.write_timeout_ns);
    schedule_timer(c);
    // The request views its head where it lies: keep that memory until it ends.
    c.io.in.pin(in_assembly);
    consume(c, head_len);
    detail::request_access::set_remote_addr(ex.req, {c.remote, c.remote_len});
}

// A request's head, step by step: gather what a split head needs, skip empty
// lines, mark the connection busy, find and parse the head, start the request.
exchange* worker::next_request(connection& c) {
    for (;;) {
        if (!gather_head(c)) return nullptr;
        std::string_view view = peek(c);
        switch (skip_empty_lines(c, view)) {
            case empty_lines::wait: return nullptr;
            case empty_lines::again: continue;
            case empty_lines::done: break;
        }
        if (view.empty()) return nullptr;
        note_request_begins(c);
        const bool in_assembly = c.io.in.at_assembly(view);
        if (!in_assembly && pool_.under_pressure()) {
            // Receive buffers are scarce: a request could pin this one for as
            // long as its handler runs (a slow body, say). Copy what we have to
            // the heap and hand the buffer back; parse from the copy.
            if (!move_to_assembly(c, view)) return nullptr;
            continue;
        }
        const head_read h = read_head(c, view, in_assembly);
        if (h.again) continue;
        if (h.ex == nullptr) return nullptr;
        start_request(c, *h.ex, h.head_len, in_assembly);
        return h.ex;
    }
}

bool worker::move_to_assembly(connection& c, std::string_view view) {
    if (c.io.in.move_to_assembly(pool_, view)) [[likely]] return true;
    send_error(c, status_request_header_fields_too_large, "out of memory");
    return false;
}

void worker::resume_exchange(connection& c) {
    exchange* ex = c.ex;
    ex->resume();
    if (!ex->finished()) return;
    end_exchange(c);
    process_requests(c);
}

void worker::end_exchange(connection& c) {
    exchange* ex = c.ex;
    c.ex = nullptr;
    ++c.requests;
    const bool close = ex->close_after() || c.broken;
    c.crlf_budget = empty_line_bytes;
    release_exchange(ex);
    c.io.in.unpin(pool_);  // the head's memory is free once no request views it
    if (c.hijacked) {
        // The socket is the handler's now: forget it without a word.
        c.state = connection::phase::closing;
        advance_close(c);
    } else if (close) {
        begin_close(c, c.broken);
    } else if (c.state != connection::phase::open) {
        advance_close(c);
    } else {
        // Keep-alive: wait for the next request up to the idle timeout.
        c.awaiting_request = true;
        c.active = false;
        notify(c, conn_state::idle);
        c.write_deadline = 0;
        // Draining began after this response's head went out (without
        // Connection: close): idle now, it gets what begin_draining gives the
        // idle ones, a moment for a request already on its way, then the close.
        c.read_deadline = deadline_after(keep_alives() ? config_.idle_timeout_ns : shutdown_idle_grace_ns);
        schedule_timer(c);
    }
}

void worker::send_error(connection& c, int status, const char* reason) {
    // Go's format for requests it cannot parse: close-delimited plain text.
    std::string text = std::to_string(status) + " " + std::string(status_text(status));
    std::string reply = "HTTP/1.1 " + text +
                        "\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\n" + text;
    if (reason != nullptr && status != status_request_header_fields_too_large) {
        reply += ": ";
        reply += reason;
    }
    c.io.out.append(outs_, reply);
    mark_dirty(c);
    begin_close(c, false);
}

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
    // A handler waiting for bytes or for the send window must see the end
    // now (not one waiting for the blocking pool or a file read: its job
    // still runs, or the kernel still writes into the handler's buffer).
    if (abortive && c.ex != nullptr) c.ex->cancel();
    // A file read that may never end (a FIFO) is cancelled; the handler
    // resumes on its completion (-ECANCELED), once the buffer is free.
    if (abortive && c.ex != nullptr && c.ex->waiting() == exchange::wait_kind::file) cancel_file_read(c);
    if (abortive && c.ex != nullptr && c.ex->waiting() != exchange::wait_kind::none &&
        c.ex->waiting() != exchange::wait_kind::blocking && c.ex->waiting() != exchange::wait_kind::file) {
        resume_exchange(c);
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

exchange* worker::acquire_exchange() { return exchanges_.take(*this, config_.stack_size); }

void worker::release_exchange(exchange* ex) noexcept {
    ex->reset();
    exchanges_.give_back(ex);
}

}  // namespace ringhttp::engine
