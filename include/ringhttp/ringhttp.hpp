// ringhttp: Go's net/http server semantics on io_uring. The umbrella header.
#pragma once

#include <ringhttp/blocking.hpp>
#include <ringhttp/errc.hpp>
#include <ringhttp/handler.hpp>
#include <ringhttp/header.hpp>
#include <ringhttp/helpers.hpp>
#include <ringhttp/io.hpp>
#include <ringhttp/request.hpp>
#include <ringhttp/response_controller.hpp>
#include <ringhttp/response_writer.hpp>
#include <ringhttp/serve_mux.hpp>
#include <ringhttp/server.hpp>
#include <ringhttp/status.hpp>
#include <ringhttp/url.hpp>
