// ringhttp: the HTTP/1.1 request head codec (RFC 9112 §2-§6).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include <ringhttp/request.hpp>

namespace ringhttp::engine {

/// parse_error says why a request was rejected: the status to answer with
/// (400, 414, 431, 501, 505) and a short reason for the reply body. status 0
/// means no error.
struct parse_error {
    int status = 0;
    const char* reason = nullptr;
    explicit operator bool() const noexcept { return status != 0; }
};

/// head_scanner finds where a request head ends, incrementally: feed it the
/// bytes received so far (always from the start of the head) and it resumes
/// where it stopped, so a head arriving byte by byte costs O(n) in all. It
/// checks line endings as it goes: a bare LF or a bare CR ends the scan with
/// 400, a head past max_head_bytes with 431 (414 if the request line alone is
/// that long). Allocation-free.
class head_scanner {
public:
    enum class status { complete, need_more, error };
    struct [[nodiscard]] result {
        status state;
        std::size_t head_len = 0;  ///< with complete: bytes up to and including the blank line
        parse_error error{};       ///< with error
    };

    result scan(const char* data, std::size_t len, std::size_t max_head_bytes) noexcept;
    void reset() noexcept { pos_ = 0; }
    /// started reports whether any byte of a head has been seen.
    bool started() const noexcept { return pos_ != 0; }

private:
    std::uint32_t pos_ = 0;  // next byte to look at; all before it are checked
};

/// body_framing is how a request's body is delimited (RFC 9112 §6.3).
enum class body_framing : std::uint8_t { none, length, chunked };

/// head_info is what the parser learns from a head beyond the request's
/// fields: how the body is framed and how the connection behaves.
struct head_info {
    body_framing framing = body_framing::none;
    std::int64_t content_length = 0;  ///< with framing::length
    bool keep_alive = true;           ///< the client allows reuse (version and Connection)
    bool wants_close = false;         ///< Connection: close was sent
    bool http10_keep_alive = false;   ///< HTTP/1.0 with Connection: keep-alive
    bool expect_continue = false;     ///< Expect: 100-continue
    bool expect_unsupported = false;  ///< another expectation: answer 417
    bool asterisk = false;            ///< OPTIONS * (server-wide)
    bool h2_preface = false;          ///< "PRI * HTTP/2.0": served once, then the connection closes
};

/// parse_limits bounds what a head may contain.
struct parse_limits {
    std::size_t max_head_bytes = SIZE_MAX;  ///< request line and fields; past it 431 (414 for the line alone)
    std::size_t max_fields = 100;           ///< header field lines; more gets 431 (as Envoy's default)
};

/// parse_result is what parse_request found: a whole head of head_len
/// bytes, a need for more bytes, or an error to answer.
struct [[nodiscard]] parse_result {
    enum class status { complete, need_more, error };
    status state;
    std::size_t head_len = 0;
    parse_error error{};
};

/// parse_request parses the request head at the start of data[0, len) in one
/// pass, in place: r's views point into data, field names are canonicalized
/// in the buffer itself (Go's CanonicalMIMEHeaderKey), and only a path
/// holding %-escapes is decoded into r.storage(). data[len] must be readable
/// and must not be a token character, whitespace, CR or LF: the caller keeps
/// a NUL sentinel there (std::string does). It checks everything head_scanner
/// checks (CRLF line ends) plus the grammar: RFC 9112 methods, targets,
/// versions, fields, Host, Content-Length and Transfer-Encoding. Host moves
/// from the header to r.host(), as in Go. r must be fresh (reset). On
/// need_more the caller must reset r before parsing again. Allocation-free
/// for heads without %-escapes once r's header has capacity. It reads no
/// byte past data[len], and that one only byte by byte (vector loads stay
/// in [data, data + len)); it runs 32 or 16 bytes at a time where the CPU
/// allows (parser_detail::best()).
parse_result parse_request(char* data, std::size_t len, request& r, head_info& info,
                           const parse_limits& limits = {}) noexcept;

/// parse_head parses a head that head_scanner found complete (len bytes up
/// to and including the blank line); returns the error, if any.
parse_error parse_head(char* head, std::size_t len, request& r, head_info& info,
                       const parse_limits& limits = {}) noexcept;

/// parse_content_length parses a Content-Length value: 1*DIGIT, no sign, no
/// spaces, at most 2^63-1. Returns -1 when malformed.
std::int64_t parse_content_length(std::string_view v) noexcept;

}  // namespace ringhttp::engine
