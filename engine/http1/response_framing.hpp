// ringhttp: how an HTTP/1.x response is framed, decided without I/O.
//
// Go's chunkWriter.writeHeader (net/http/server.go) as a pure function: from
// what the request said, what the handler set and wrote, and how reading the
// unread request body went, it decides the response's framing (a length, the
// chunked coding, or the end of the connection), whether the connection
// closes afterwards, and which fields the server adds or drops. The exchange
// applies the decision; tests check it as a table against Go's rules.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include <ringhttp/header.hpp>

namespace ringhttp::engine {

/// framing_fields are the fields of a handler's header that decide framing,
/// found in one pass (find_framing_fields).
struct framing_fields {
    std::string_view transfer_encoding;  ///< first value
    std::string_view connection;         ///< first non-empty value
    std::string_view content_encoding;   ///< first value
    bool connection_field = false;       ///< a Connection field, even an empty one
    bool content_length = false;
    bool content_type = false;
    bool date = false;
    bool trailer = false;  ///< "Trailer" or a "Trailer:"-prefixed key: trailers follow the body
    bool upgrade = false;
};

/// find_framing_fields scans h once for the fields framing depends on.
/// trailer_prefix is Go's TrailerPrefix ("Trailer:").
framing_fields find_framing_fields(const ringhttp::header& h, std::string_view trailer_prefix) noexcept;

/// framing_input is what framing depends on, gathered when the head is
/// committed (the handler's first flush, its first write past the staging
/// buffer, or its return).
struct framing_input {
    int status = 200;
    bool http11 = true;             ///< the request is HTTP/1.1 or later
    bool is_head = false;           ///< a HEAD request: no body goes out
    bool handler_done = false;      ///< the handler returned: staged is the whole body
    std::size_t staged = 0;         ///< body bytes written so far and not yet sent
    std::int64_t declared_length = -1;  ///< the handler's valid Content-Length, or -1
    bool wants_close = false;       ///< the request said Connection: close
    bool http10_keep_alive = false; ///< an HTTP/1.0 request with Connection: keep-alive
    bool keep_alives = true;        ///< the server still keeps connections (not shutting down)
    bool close_requested = false;   ///< something already decided the connection closes
    bool continue_unread = false;   ///< Expect: 100-continue and the body was not read
    framing_fields fields;
};

/// drain_outcome is how reading the request body the handler left went.
enum class [[nodiscard]] drain_outcome : std::uint8_t {
    not_needed,  ///< nothing was left, or the connection closes anyway
    complete,    ///< read to its end: the connection can carry another request
    too_big,     ///< more than Go's 256 KiB left: not read, the connection closes
    failed,      ///< a read error: the connection closes
};

/// framing_decision is what the server does with the head.
struct [[nodiscard]] framing_decision {
    std::int64_t length = -1;      ///< the body's length, -1 when not known
    bool set_length = false;       ///< add Content-Length: length
    bool chunked = false;          ///< add Transfer-Encoding: chunked and chunk the body
    bool close = false;            ///< close the connection after the response
    std::string_view connection;   ///< a Connection value to add ("close", "keep-alive"), or empty
    bool sniff_type = false;       ///< add a Content-Type sniffed from the first bytes
    bool drop_content_length = false;
    bool drop_transfer_encoding = false;
    bool drop_content_type = false;
    bool drop_connection = false;
    bool length_and_te_conflict = false;  ///< the handler set both (Go logs it); length dropped
};

/// closes_before_drain reports whether the connection will close whatever
/// the body holds: then the unread body is not read (not_needed).
bool closes_before_drain(const framing_input& in) noexcept;

/// decide_framing decides the response's framing from in and how reading the
/// unread body went.
framing_decision decide_framing(const framing_input& in, drain_outcome drained) noexcept;

}  // namespace ringhttp::engine
