// Test support: a ringhttp server on an ephemeral loopback port, and a raw
// socket client that reads back the exact bytes and parses HTTP/1.1 responses.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <ringhttp/ringhttp.hpp>

namespace ringhttp::test {

/// test_server runs a ringhttp::server on 127.0.0.1:0 in a background thread
/// for the life of the object; the destructor closes it and joins.
class test_server {
public:
    explicit test_server(handler_ptr h, server_options options = {});
    ~test_server();
    test_server(const test_server&) = delete;
    test_server& operator=(const test_server&) = delete;

    std::uint16_t port() const noexcept { return port_; }
    server& srv() noexcept { return *server_; }
    /// log_lines is what the server wrote to error_log so far.
    std::vector<std::string> log_lines() const;

private:
    std::unique_ptr<server> server_;
    std::thread thread_;
    std::uint16_t port_ = 0;
    struct log_state;
    std::shared_ptr<log_state> log_;
};

/// raw_result is what a raw exchange read back.
struct raw_result {
    std::string bytes;
    bool closed = false;  ///< the server closed (EOF or reset) before the read timeout
    bool reset = false;   ///< the close was a reset (ECONNRESET)
};

/// raw_connection is a blocking TCP client for exact-byte tests.
class raw_connection {
public:
    explicit raw_connection(std::uint16_t port);
    ~raw_connection();
    raw_connection(const raw_connection&) = delete;
    raw_connection& operator=(const raw_connection&) = delete;

    void send(std::string_view bytes);
    /// shutdown_write half-closes the connection (the client sends FIN).
    void shutdown_write();
    /// read_until_idle reads until the server closes or nothing arrives for `idle`.
    raw_result read_until_idle(std::chrono::milliseconds idle = std::chrono::milliseconds(500));
    /// read_responses reads until n complete responses (for the given request
    /// methods, in order) have arrived, the server closes, or `deadline` passes.
    raw_result read_responses(std::size_t n, std::vector<std::string> methods = {},
                              std::chrono::milliseconds deadline = std::chrono::milliseconds(5000));
    /// reset_close closes with SO_LINGER 0, so the server sees a reset.
    void reset_close();
    int fd() const noexcept { return fd_; }

private:
    int fd_ = -1;
};

/// response is one parsed HTTP/1.x response.
struct response {
    std::string version;
    int status = 0;
    std::multimap<std::string, std::string> headers;  ///< names lower-cased
    std::string body;
    enum class framing { none, length, chunked, close } frame = framing::none;

    std::string header(const std::string& lower_name) const {
        auto it = headers.find(lower_name);
        return it == headers.end() ? std::string() : it->second;
    }
    bool has(const std::string& lower_name) const { return headers.count(lower_name) > 0; }
};

/// parse_responses parses as many complete responses as bytes holds; methods
/// gives the request method of each (HEAD responses have no body). `closed`
/// lets a close-delimited body end at the end of bytes. Trailing bytes that do
/// not form a whole response are returned in rest.
std::vector<response> parse_responses(std::string_view bytes, const std::vector<std::string>& methods,
                                      bool closed, std::string* rest = nullptr);

/// exchange sends raw request bytes on a new connection and returns the
/// parsed responses plus whether the server closed.
struct exchange_result {
    std::vector<response> responses;
    bool closed = false;
    std::string raw;
};
exchange_result exchange(std::uint16_t port, std::string_view request, std::vector<std::string> methods = {},
                         std::chrono::milliseconds idle = std::chrono::milliseconds(500));

}  // namespace ringhttp::test
