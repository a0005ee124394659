// ringhttp: Go's http.TimeoutHandler.
#pragma once

#include <chrono>
#include <string_view>

#include <ringhttp/handler.hpp>

namespace ringhttp {

/// timeout_handler returns a handler that runs h with a time limit of dt,
/// Go's TimeoutHandler. h writes into a buffer; if it returns within dt the
/// buffered status, headers and body are sent, otherwise the client gets 503
/// Service Unavailable with msg as the body (a small HTML page if msg is
/// empty) and whatever h wrote is discarded; h's writes after dt fail with
/// errc::timeout. h's flush() and response_controller calls return
/// errc::not_supported, as Go's timeoutWriter offers neither.
///
/// How it keeps time without blocking the ring: h runs on the request's own
/// fiber, like any handler, and the limit reaches it in two ways. r's
/// stop_token() (for h) is requested to stop at dt (from a timer thread, so
/// its stop_callbacks run there), and the body's read deadline is set to dt,
/// so a body read waiting for the client fails with errc::timeout at dt.
/// Limits, stated honestly: the 503 is written when h returns, since h's
/// fiber cannot be abandoned the way Go abandons a goroutine. A handler that
/// waits on the body or watches stop_token() (for example a run_blocking job
/// that polls it) returns at dt; one that computes on the ring thread, or
/// waits in run_blocking without looking at stop_token(), delays the 503
/// until it returns, and its ring serves nobody else while it computes.
handler_ptr timeout_handler(handler_ptr h, std::chrono::nanoseconds dt, std::string_view msg = {});

}  // namespace ringhttp
