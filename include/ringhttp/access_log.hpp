// ringhttp: an access-log wrapper in the Common and Combined Log Formats.
#pragma once

#include <cstdio>
#include <functional>
#include <string_view>

#include <ringhttp/handler.hpp>

namespace ringhttp {

/// log_format picks the access-log line layout (Apache httpd's names):
/// common is `host ident authuser [date] "request" status bytes`, combined
/// adds `"referer" "user-agent"`.
enum class log_format { common, combined };

/// log_sink receives one access-log line, without its newline. It is called
/// concurrently from every ring thread, on the request's path: it must be
/// thread-safe and quick, and must not suspend the handler (no
/// run_blocking): the line lives in a per-thread buffer. The view is valid
/// during the call only.
using log_sink = std::function<void(std::string_view line)>;

/// file_sink returns a sink that appends each line and a newline to f with
/// one locked fwrite and a fflush, so lines from different threads never
/// interleave and each reaches the file whole. That is a write(2) per
/// request on the ring thread: for heavy traffic to a slow disk, use a sink
/// that batches. f must stay open while the sink is in use.
log_sink file_sink(std::FILE* f);

/// access_log returns a handler that calls next and then writes one line for
/// the request to sink: the client address (without port), "-", the Basic
/// auth user or "-", the time the request started (UTC), the request line,
/// the final status and the body bytes written ("-" for none), and with
/// combined the Referer and User-Agent. Bytes outside printable ASCII, '"'
/// and '\' in quoted fields are escaped as \xHH, \" and \\. The wrapped
/// writer keeps flush() and response_controller working. A request whose
/// handler throws gets no line (the server logs the exception).
handler_ptr access_log(handler_ptr next, log_sink sink, log_format f = log_format::combined);

}  // namespace ringhttp
