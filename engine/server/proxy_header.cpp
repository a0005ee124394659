// The ring's step that reads a PROXY protocol header off a new connection
// before any HTTP, with a parser lent from the ring's pool.
#include <string>
#include <string_view>

#include "engine/http1/proxy_protocol.hpp"
#include "engine/server/worker.hpp"

namespace ringhttp::engine {

bool worker::read_proxy_header(connection& c) {
    // The header is consumed as it comes, so a slow sender pins no receive
    // buffer, and the header timeout (from accept) finds nothing unread: a
    // connection cut off in the middle of it is closed without a word.
    for (std::string_view view = peek(c); !view.empty(); view = peek(c)) {
        const proxy_header_parser::result res = c.proxy->feed(view.data(), view.size());
        if (res.state == proxy_header_parser::status::error) {
            // proxy-protocol.txt §2: an invalid or missing header is not HTTP:
            // close without a response (as HAProxy and nginx do), and tell the
            // operator, as Go reports a failed TLS handshake.
            log(std::string("http: PROXY protocol error from ") + std::string(c.remote, c.remote_len) + ": " +
                c.proxy->error_reason());
            c.begin_close(*this, false);
            return false;
        }
        consume(c, res.consumed);
        if (res.state == proxy_header_parser::status::done) {
            if (c.proxy->has_source())
                c.remote_len = static_cast<std::uint8_t>(c.proxy->format_source(c.remote, sizeof c.remote));
            return_proxy_parser(c);
            return true;
        }
    }
    if (c.peer_eof) {
        c.begin_close(*this, false);
    } else if (c.io.recv == transport::recv_state::off && !c.starved) {
        want_input(c);
    }
    return false;
}

proxy_header_parser* worker::lend_proxy_parser() {
    proxy_header_parser* p = proxy_parsers_.take();
    *p = proxy_header_parser{};
    return p;
}

void worker::return_proxy_parser(connection& c) noexcept {
    proxy_parsers_.give_back(c.proxy);
    c.proxy = nullptr;
}

}  // namespace ringhttp::engine
