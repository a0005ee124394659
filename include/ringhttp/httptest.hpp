// ringhttp: helpers for testing handlers without a network (Go's httptest).
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include <ringhttp/handler.hpp>
#include <ringhttp/header.hpp>
#include <ringhttp/request.hpp>
#include <ringhttp/response_writer.hpp>

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

}  // namespace ringhttp::httptest
