// ringhttp: Go's net/http server semantics on io_uring. The umbrella header.
#pragma once

#include <ringhttp/access_log.hpp>
#include <ringhttp/blocking.hpp>
#include <ringhttp/cookie.hpp>
#include <ringhttp/errc.hpp>
#include <ringhttp/file_server.hpp>
#include <ringhttp/form.hpp>
#include <ringhttp/handler.hpp>
#include <ringhttp/header.hpp>
#include <ringhttp/helpers.hpp>
#include <ringhttp/io.hpp>
#include <ringhttp/metrics.hpp>
#include <ringhttp/middleware.hpp>
#include <ringhttp/request.hpp>
#include <ringhttp/response_controller.hpp>
#include <ringhttp/response_writer.hpp>
#include <ringhttp/serve_mux.hpp>
#include <ringhttp/server.hpp>
#include <ringhttp/signal.hpp>
#include <ringhttp/status.hpp>
#include <ringhttp/sync.hpp>
#include <ringhttp/timeout_handler.hpp>
#include <ringhttp/url.hpp>
