// httptest::server: a real ringhttp server on an ephemeral loopback port,
// Go's httptest.NewServer.
#include <ringhttp/httptest.hpp>

#include <string>
#include <system_error>

namespace ringhttp::httptest {

server::server(handler_ptr h, server_options options) {
    // Go's httptest listens on 127.0.0.1:0: loopback only, so a test never
    // exposes its handler, and a free port, so tests may run in parallel.
    options.addr = "127.0.0.1:0";
    options.handler = std::move(h);
    // One ring: a test server needs no more, and its connections then all
    // land on a ring that is running before the first one is answered.
    if (options.threads == 0) options.threads = 1;
    server_ = std::make_unique<ringhttp::server>(std::move(options));
    if (std::error_code ec = server_->listen()) throw std::system_error(ec, "httptest::server: listen");
    port_ = server_->port();
    url_ = "http://127.0.0.1:" + std::to_string(port_);
    // Connections that arrive before serve() runs its rings wait in the
    // listen backlog, so the server is usable as soon as this returns.
    thread_ = std::thread([srv = server_.get()] { (void)srv->serve(); });
}

server::~server() { close(); }

void server::close() {
    if (!thread_.joinable()) return;
    // Go's Close waits for requests in flight; a bounded wait keeps a stuck
    // handler from hanging the test forever.
    if (server_->shutdown(close_grace) == errc::timeout) server_->close();
    thread_.join();
}

}  // namespace ringhttp::httptest
