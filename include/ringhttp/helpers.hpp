// ringhttp: small response helpers and wrappers (Go's Error, NotFound,
// Redirect, StripPrefix and their handlers).
#pragma once

#include <cstdint>
#include <string_view>

#include <ringhttp/handler.hpp>

namespace ringhttp {

/// error replies with the message and code as plain text: it deletes
/// Content-Length, sets Content-Type "text/plain; charset=utf-8" and
/// X-Content-Type-Options "nosniff", writes the status and message + "\n".
/// The handler should write nothing more (Go's Error).
void error(response_writer& w, std::string_view message, int code);

/// not_found replies 404 "404 page not found" (Go's NotFound).
void not_found(response_writer& w, request& r);

/// redirect replies with a redirect to target, which may be relative to the
/// request path, with the given 3xx code (Go's Redirect): Location is set,
/// and a GET gets a short HTML body naming the target.
void redirect(response_writer& w, request& r, std::string_view target, int code);

/// max_bytes_reader limits the rest of r's body to n bytes (Go's
/// MaxBytesReader): a read past the limit fails with errc::body_too_large
/// and the connection closes after the response (the handler usually
/// answers 413 then). It replaces r.body(); the limiting reader lives in the
/// request's storage.
void max_bytes_reader(response_writer& w, request& r, std::int64_t n);

/// not_found_handler returns a handler that answers 404 to every request.
handler_ptr not_found_handler();

/// redirect_handler returns a handler that redirects every request to target.
handler_ptr redirect_handler(std::string_view target, int code);

/// strip_prefix returns a handler that removes prefix from the request path
/// (and raw path) and calls h, or answers 404 when the path lacks the prefix
/// (Go's StripPrefix). The request seen by h has the shortened path only for
/// the duration of the call.
handler_ptr strip_prefix(std::string_view prefix, handler_ptr h);

}  // namespace ringhttp
