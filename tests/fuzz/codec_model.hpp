// ringhttp fuzzing: a model of how engine/server/http1_session.cpp and exchange's body
// reader drive the request codec, fed a byte stream in fragments. The request
// harness runs it on a whole stream and on the same stream split at
// fuzzer-chosen points and demands the same requests; the connection harness
// uses it to predict how many responses a real server must send.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <ringhttp/request.hpp>

#include "engine/http1/chunked_decoder.hpp"
#include "engine/http1/http1_parser.hpp"

namespace ringhttp::fuzz {

/// request_record is everything the codec produced for one request, copied
/// out of the receive buffer (the views die with the next parse).
struct request_record {
    std::string method, request_uri, proto, host;
    std::string scheme, url_host, path, raw_path, raw_query;
    int proto_major = 0, proto_minor = 0;
    std::int64_t content_length = 0;
    std::vector<std::pair<std::string, std::string>> fields;
    engine::head_info info;
    std::string body;
    /// closes says whether the server must close the connection after this
    /// request's response and read nothing more (RFC 9112 §9.6, §9.3).
    bool closes = false;

    bool operator==(const request_record& o) const;
};

/// record_of copies what the parser filled in r and info.
request_record record_of(const request& r, const engine::head_info& info);

/// stream_end is how the byte stream ended for the codec.
enum class stream_end : std::uint8_t {
    clean,           ///< at a request boundary (or after a request that closes)
    partial_head,    ///< inside a request head: the codec waits for more
    partial_body,    ///< inside a body: the codec waits for more
    head_error,      ///< a head was rejected with `status`
    body_error,      ///< a chunked body was malformed (the connection closes)
};

/// stream_outcome is the requests accepted, in order, and how the stream ended.
struct stream_outcome {
    std::vector<request_record> requests;
    stream_end end = stream_end::clean;
    int status = 0;                   ///< with head_error
    const char* reason = nullptr;     ///< with head_error
    bool from_scanner = false;        ///< with head_error: head_scanner's verdict (line ends, size)
};

/// codec_model is the connection's request loop without the network: feed()
/// it fragments as recv would deliver them, then finish(). head_limit is the
/// server's max_header_bytes, which bounds a whole head exactly. max_data
/// bounds each body read, as a handler's read buffer does.
class codec_model {
public:
    /// empty_line_bytes is how many bytes of empty lines (CRLF) the server
    /// skips before each request, the first included (http1_session.cpp).
    static constexpr unsigned empty_line_bytes = 4 * 2;

    explicit codec_model(std::size_t head_limit, std::size_t max_data = SIZE_MAX, bool stop_on_close = false)
        : head_limit_(head_limit), max_data_(max_data), stop_on_close_(stop_on_close) {}

    void feed(std::string_view fragment);
    stream_outcome finish();
    /// stopped says no further byte can change the outcome.
    bool stopped() const noexcept { return stopped_; }

private:
    enum class phase : std::uint8_t { head, length_body, chunked_body };

    void run();
    bool step_head();
    bool step_body();
    void start_body();
    void end_request();
    void complete_request(const request& r, const engine::head_info& info);
    void consume(std::size_t n) { off_ += n; }
    std::string_view view() const noexcept { return std::string_view(pending_).substr(off_); }

    std::size_t head_limit_;
    std::size_t max_data_;
    bool stop_on_close_;
    std::string pending_;  // received, with pending_[off_...] unread; NUL sentinel past the end
    std::size_t off_ = 0;
    engine::head_scanner scanner_;
    engine::chunked_decoder chunked_;
    request req_;
    engine::head_info info_;
    phase phase_ = phase::head;
    std::int64_t body_left_ = 0;
    unsigned crlf_budget_ = empty_line_bytes;
    bool stopped_ = false;
    stream_outcome out_;
};

/// split_input is the harness input format shared by the request and
/// connection harnesses: byte 0 holds flags (bit 0: deliver byte by byte;
/// bits 1-3 pick a body read size), byte 1 the number of split points n
/// (mod 16), then n bytes of fragment lengths (0 means 1), then the stream.
struct split_input {
    std::string_view stream;
    std::vector<std::string_view> fragments;
    std::size_t max_data = SIZE_MAX;
};
split_input decode_split_input(const std::uint8_t* data, std::size_t size);

/// describe renders an outcome for a crash report.
std::string describe(const stream_outcome& o);

}  // namespace ringhttp::fuzz
