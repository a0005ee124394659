// ringhttp: helpers for testing handlers without a network (Go's httptest).
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <thread>

#include <ringhttp/handler.hpp>
#include <ringhttp/header.hpp>
#include <ringhttp/io.hpp>
#include <ringhttp/request.hpp>
#include <ringhttp/response_writer.hpp>
#include <ringhttp/server.hpp>

namespace ringhttp::httptest {

/// response_recorder is a response_writer that records what a handler did,
/// Go's ResponseRecorder: the status, the header map as it was when the
/// header was written, the body, and whether flush() was called. As Go's,
/// it sniffs a Content-Type when the handler set none and wrote a body.
class response_recorder final : public response_writer {
public:
    int code = 200;            ///< status written (200 if none was)
    std::string body;          ///< everything written
    bool flushed = false;      ///< flush() was called
    bool wrote_header = false; ///< write_header() or write() was called

    ringhttp::header& header() override { return header_map_; }
    void write_header(int code) override;
    io_result write(std::string_view data) override;
    std::error_code flush() override;

    /// result_header is the header as it was when the status was written
    /// (Go's Result().Header); before that, the live header map.
    const ringhttp::header& result_header() const { return wrote_header ? snapshot_ : header_map_; }

private:
    ringhttp::header header_map_;
    ringhttp::header snapshot_;
};

/// new_request builds a server-side request for method and target (an
/// origin-form "/path?query" or absolute "http://host/path" target) with body,
/// as Go's httptest.NewRequest: HTTP/1.1, Host "example.com" unless the
/// target names one, remote address "192.0.2.1:1234". Throws
/// std::invalid_argument for a malformed target.
std::unique_ptr<request> new_request(std::string_view method, std::string_view target,
                                     std::string_view body = {});

/// new_request with a body of unknown length: as Go's NewRequest given an
/// io.Reader that is not a bytes or strings reader, content_length() is -1
/// and the body is read from `body`, which must outlive the request.
std::unique_ptr<request> new_request(std::string_view method, std::string_view target, body_reader& body);

/// server is a real ringhttp server on an ephemeral loopback port, for tests
/// that talk to a handler over the network: Go's httptest.NewServer. The
/// constructor listens on 127.0.0.1:0 (options.addr and options.handler are
/// replaced; options.threads 0 means one ring, not one per CPU) and serves on
/// a thread of its own until close() or the destructor. Throws
/// std::system_error if it cannot listen. Not thread-safe itself: construct,
/// use and close it from one thread; the handler runs on the server's thread.
class server {
public:
    /// server starts serving h (null: default_serve_mux()) with options.
    explicit server(handler_ptr h, server_options options = {});
    /// ~server calls close().
    ~server();
    server(const server&) = delete;
    server& operator=(const server&) = delete;

    /// url is the base URL, "http://127.0.0.1:PORT" with no trailing slash (Go's URL).
    const std::string& url() const noexcept { return url_; }
    /// addr is the listening address, "127.0.0.1:PORT" (Go's Listener.Addr()).
    std::string_view addr() const noexcept { return std::string_view(url_).substr(7); }
    /// port is the listening port.
    std::uint16_t port() const noexcept { return port_; }
    /// config is the underlying ringhttp::server (Go's Config), for
    /// register_on_shutdown or a shutdown() of the test's own.
    ringhttp::server& config() noexcept { return *server_; }

    /// close stops the server as Go's Server.Close: it stops listening, closes
    /// idle connections and waits for requests in flight to finish. Unlike
    /// Go, which blocks forever on a stuck handler, it waits at most
    /// close_grace, then closes every connection (the handler's reads and
    /// writes fail). Returns once the server's thread is done; later calls
    /// do nothing.
    void close();

    /// close_grace is how long close() lets requests in flight finish.
    std::chrono::nanoseconds close_grace = std::chrono::seconds(5);

private:
    std::unique_ptr<ringhttp::server> server_;
    std::thread thread_;
    std::uint16_t port_ = 0;
    std::string url_;
};

}  // namespace ringhttp::httptest
