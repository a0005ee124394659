// ringhttp: the engine's write access to a request's fields.
#pragma once

#include <cstdint>
#include <string_view>

#include <ringhttp/request.hpp>

namespace ringhttp::detail {

/// request_access is how the engine and httptest fill a request. Not for
/// handlers: everything it sets is read-only to them through request.
struct request_access {
    static void set_method(request& r, std::string_view v) noexcept { r.method_ = v; }
    static void set_proto(request& r, std::string_view v, int major, int minor) noexcept {
        r.proto_ = v;
        r.proto_major_ = major;
        r.proto_minor_ = minor;
    }
    static void set_host(request& r, std::string_view v) noexcept { r.host_ = v; }
    static void set_content_length(request& r, std::int64_t v) noexcept { r.content_length_ = v; }
    static void set_body(request& r, body_reader* b) noexcept { r.body_ = b; }
    static void set_remote_addr(request& r, std::string_view v) noexcept { r.remote_addr_ = v; }
    static void set_request_uri(request& r, std::string_view v) noexcept { r.request_uri_ = v; }
    static void set_close(request& r, bool v) noexcept { r.close_ = v; }
    static void set_stop_source(request& r, const std::stop_source* s) noexcept { r.stop_ = s; }
    /// end_handler is called when serve_http has returned: a multipart
    /// form's temporary file goes now (Go's finishRequest), not when the
    /// pooled request is next reused.
    static void end_handler(request& r) noexcept {
        if (r.forms_ != nullptr) release_form_files(*r.forms_);
    }
    /// reset makes r ready for the next request, keeping its memory.
    static void reset(request& r) noexcept {
        r.method_ = {};
        r.url_ = {};
        r.proto_ = {};
        r.proto_major_ = 1;
        r.proto_minor_ = 1;
        r.header_.clear();
        r.host_ = {};
        r.content_length_ = 0;
        r.body_ = nullptr;
        r.stop_ = nullptr;
        r.remote_addr_ = {};
        r.request_uri_ = {};
        r.pattern_ = {};
        r.close_ = false;
        r.path_values_.clear();
        if (!r.values_.empty()) [[unlikely]] r.clear_values();
        r.arena_.reset();
        if (r.forms_ != nullptr) [[unlikely]] reset_forms(*r.forms_);
    }
};

}  // namespace ringhttp::detail
