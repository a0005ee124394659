// HTTP/1 on a connection: the requests in its bytes, step by step, each
// served on an exchange; keep-alive, Go's error replies, and the events the
// server loop reports (engine/server/http1_session.hpp).
#include "engine/server/http1_session.hpp"

#include <cstring>
#include <string>

#include <ringhttp/status.hpp>

#include "engine/http/request_access.hpp"
#include "engine/server/worker.hpp"

namespace ringhttp::engine {

namespace {

// RFC 9112 §2.2: a server SHOULD ignore at least one empty line (CRLF) before
// a request-line. Up to 4 are skipped before each request, the first one
// included (connection::crlf_budget counts their bytes); a fifth reaches the
// parser, which answers 400.
constexpr std::uint8_t empty_line_bytes = 4 * 2;

}  // namespace

http1_session::http1_session(worker& w) : w_(w) {}

void http1_session::opened(connection& c) noexcept { c.crlf_budget = empty_line_bytes; }

void http1_session::input(connection& c) {
    if (c.ex != nullptr) {
        const exchange::wait_kind k = c.ex->waiting();
        // A sleep ends early once the stop_token fired (the client closed).
        if (k == exchange::wait_kind::body || (k == exchange::wait_kind::sleep && c.ex->stop_requested())) resume(c);
        else if (c.io.in.buffers() > max_queued_buffers && !c.paused) {
            // The handler is not reading: stop receiving and let TCP push back.
            c.paused = true;
            w_.pause_recv(c);
        }
        return;
    }
    process_requests(c);
}

void http1_session::process_requests(connection& c) {
    while (c.state == connection::phase::open && c.ex == nullptr) {
        exchange* ex = next_request(c);
        if (ex == nullptr) break;
        c.ex = ex;
        ex->start(c);
        if (!ex->finished()) {
            if (c.io.in.buffers() > max_queued_buffers && !c.paused && ex->waiting() != exchange::wait_kind::body) {
                c.paused = true;
                w_.pause_recv(c);
            }
            return;
        }
        end_exchange(c);
    }
    if (c.state != connection::phase::open || c.ex != nullptr) return;
    if (c.peer_eof) {
        // The client sent all it will. A request cut off by the close gets a
        // 400 (Go reads it as an unexpected EOF); a clean close gets nothing.
        if (!w_.peek(c).empty()) send_error(c, status_bad_request, "request cut short by the client's close");
        else c.begin_close(w_, false);
    } else if (c.io.recv == transport::recv_state::off && !c.starved) {
        w_.want_input(c);
    }
}

[[gnu::always_inline]] inline bool http1_session::gather_head(connection& c) {
    // A head that began in an earlier buffer continues in the assembly: copy
    // the buffers queued since then into it, once.
    if (c.io.in.gather(w_.buffers())) [[likely]] return true;
    send_error(c, status_request_header_fields_too_large, "out of memory");
    return false;
}

[[gnu::always_inline]] inline http1_session::empty_lines http1_session::skip_empty_lines(connection& c, std::string_view& view) {
    // Empty lines before the request-line are skipped (empty_line_bytes; Go
    // skips 4 CR or LF bytes after a POST only). An empty line is a CRLF: a
    // bare LF stays an error (RFC 9112 §2.2's MAY, not taken).
    while (c.crlf_budget >= 2 && !view.empty() && view[0] == '\r') {
        if (view.size() == 1) {
            // Its LF is in a later buffer, or yet to come. A view from a pool
            // buffer with more queued joins them in an assembly; an assembly
            // already holds all that came: wait.
            if (!c.io.in.more_buffered(w_.buffers()) || !move_to_assembly(c, view)) return empty_lines::wait;
            return empty_lines::again;
        }
        if (view[1] != '\n') break;
        c.crlf_budget = static_cast<std::uint8_t>(c.crlf_budget - 2);
        w_.consume(c, 2);
        view = w_.peek(c);
    }
    if (!view.empty()) c.crlf_budget = 0;
    return empty_lines::done;
}

[[gnu::always_inline]] inline void http1_session::note_request_begins(connection& c) {
    if (!c.active) {
        c.active = true;
        w_.notify(c, conn_state::active);
    }
    if (c.awaiting_request) {
        // The next request begins: its head has the header timeout from now.
        c.awaiting_request = false;
        c.head_started = w_.now_tick();
        c.read_deadline = w_.deadline_after(w_.config().read_header_timeout_ns);
        w_.schedule_timer(c);
    }
}

[[gnu::always_inline]] inline http1_session::head_read http1_session::read_head(connection& c, std::string_view view, bool in_assembly) {
    // The whole head, request line and fields with their line ends, within
    // max_header_bytes exactly (Go reads 4096 bytes past MaxHeaderBytes).
    const std::size_t limit = w_.config().max_header_bytes;
    char* const head = const_cast<char*>(view.data());
    const parse_limits limits{.max_head_bytes = limit, .max_fields = w_.config().max_header_fields};
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

[[gnu::always_inline]] inline void http1_session::start_request(connection& c, exchange& ex, std::size_t head_len, bool in_assembly) {
    // The whole request (body too) must come within read_timeout of its first
    // byte; the response must be written within write_timeout.
    c.read_deadline =
        w_.config().read_timeout_ns == 0
            ? 0
            : c.head_started +
                  static_cast<std::uint32_t>((w_.config().read_timeout_ns + timer_wheel::tick_ns - 1) / timer_wheel::tick_ns);
    c.write_deadline = w_.deadline_after(w_.config().write_timeout_ns);
    w_.schedule_timer(c);
    // The request views its head where it lies: keep that memory until it ends.
    c.io.in.pin(in_assembly);
    w_.consume(c, head_len);
    detail::request_access::set_remote_addr(ex.req, {c.remote, c.remote_len});
}

// A request's head, step by step: gather what a split head needs, skip empty
// lines, mark the connection busy, find and parse the head, start the request.
exchange* http1_session::next_request(connection& c) {
    for (;;) {
        if (!gather_head(c)) return nullptr;
        std::string_view view = w_.peek(c);
        switch (skip_empty_lines(c, view)) {
            case empty_lines::wait: return nullptr;
            case empty_lines::again: continue;
            case empty_lines::done: break;
        }
        if (view.empty()) return nullptr;
        note_request_begins(c);
        const bool in_assembly = c.io.in.at_assembly(view);
        if (!in_assembly && w_.buffers().under_pressure()) {
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

bool http1_session::move_to_assembly(connection& c, std::string_view view) {
    if (c.io.in.move_to_assembly(w_.buffers(), view)) [[likely]] return true;
    send_error(c, status_request_header_fields_too_large, "out of memory");
    return false;
}

void http1_session::resume(connection& c) {
    exchange* ex = c.ex;
    ex->resume();
    if (!ex->finished()) return;
    end_exchange(c);
    process_requests(c);
}

void http1_session::end_exchange(connection& c) {
    exchange* ex = c.ex;
    c.ex = nullptr;
    ++c.requests;
    const bool close = ex->close_after() || c.broken;
    c.crlf_budget = empty_line_bytes;
    release_exchange(ex);
    c.io.in.unpin(w_.buffers());  // the head's memory is free once no request views it
    if (c.hijacked) {
        // The socket is the handler's now: forget it without a word.
        c.state = connection::phase::closing;
        c.advance_close(w_);
    } else if (close) {
        c.begin_close(w_, c.broken);
    } else if (c.state != connection::phase::open) {
        c.advance_close(w_);
    } else {
        // Keep-alive: wait for the next request up to the idle timeout.
        c.awaiting_request = true;
        c.active = false;
        w_.notify(c, conn_state::idle);
        c.write_deadline = 0;
        // Draining began after this response's head went out (without
        // Connection: close): idle now, it gets what begin_draining gives the
        // idle ones, a moment for a request already on its way, then the close.
        c.read_deadline = w_.deadline_after(w_.keep_alives() ? w_.config().idle_timeout_ns : shutdown_idle_grace_ns);
        w_.schedule_timer(c);
    }
}

void http1_session::send_error(connection& c, int status, const char* reason) {
    // Go's format for requests it cannot parse: close-delimited plain text.
    std::string text = std::to_string(status) + " " + std::string(status_text(status));
    std::string reply = "HTTP/1.1 " + text +
                        "\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\n" + text;
    if (reason != nullptr && status != status_request_header_fields_too_large) {
        reply += ": ";
        reply += reason;
    }
    c.io.out.append(w_.outs(), reply);
    w_.mark_dirty(c);
    c.begin_close(w_, false);
}

void http1_session::read_timed_out(connection& c) {
    if (c.ex != nullptr) {
        // The request body is late: reads fail from now on (errc::timeout).
        c.read_timed_out = true;
        if (c.ex->waiting() == exchange::wait_kind::body) resume(c);
        return;
    }
    if (!w_.peek(c).empty() || c.scanner.started()) {
        // Part of a head came, not the rest: say so (RFC 9110 §15.5.9).
        send_error(c, status_request_timeout, "timed out reading the request head");
        return;
    }
    // Nothing came: close quietly (FIN), after any response still being sent.
    c.begin_close(w_, false);
}

void http1_session::aborting(connection& c) {
    if (c.ex == nullptr) return;
    // A handler waiting for bytes or for the send window must see the end
    // now (not one waiting for the blocking pool or a file read: its job
    // still runs, or the kernel still writes into the handler's buffer).
    c.ex->cancel();
    // A file read that may never end (a FIFO) is cancelled; the handler
    // resumes on its completion (-ECANCELED), once the buffer is free.
    const exchange::wait_kind k = c.ex->waiting();
    if (k == exchange::wait_kind::file) w_.cancel_file_read(c);
    if (k != exchange::wait_kind::none && k != exchange::wait_kind::blocking && k != exchange::wait_kind::file &&
        k != exchange::wait_kind::parked)
        resume(c);
}

void http1_session::file_read_done(connection& c, int res) {
    // The connection cannot have moved on: aborting() never resumes a
    // handler waiting for a file read, so its slot and generation hold.
    if (c.ex == nullptr || c.ex->waiting() != exchange::wait_kind::file) return;
    c.ex->file_done(res);
    resume(c);
}

void http1_session::woken(exchange& ex) {
    if (ex.waiting() == exchange::wait_kind::blocking || ex.waiting() == exchange::wait_kind::parked)
        resume(*ex.conn());
}

void http1_session::slept(exchange& ex, std::uint64_t seq) {
    // An entry of a sleep that ended early (or of an earlier request's) is stale.
    if (ex.waiting() == exchange::wait_kind::sleep && ex.sleep_seq() == seq) resume(*ex.conn());
}

bool http1_session::idle(connection& c) const noexcept {
    return c.ex == nullptr && w_.peek(c).empty() && !c.scanner.started();
}

exchange* http1_session::acquire_exchange() { return exchanges_.take(w_, w_.config().stack_size); }

void http1_session::release_exchange(exchange* ex) noexcept {
    ex->reset();
    exchanges_.give_back(ex);
}

}  // namespace ringhttp::engine
