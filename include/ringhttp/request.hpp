// ringhttp: an HTTP request as a handler sees it (Go's http.Request).
#pragma once

#include <cstdint>
#include <memory>
#include <new>
#include <type_traits>
#include <optional>
#include <stop_token>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <ringhttp/cookie.hpp>
#include <ringhttp/detail/arena.hpp>
#include <ringhttp/form.hpp>
#include <ringhttp/header.hpp>
#include <ringhttp/io.hpp>
#include <ringhttp/url.hpp>

namespace ringhttp {

namespace detail {
struct request_access;
struct form_state;
/// release_form_files closes the temporary file of a parsed multipart form
/// (lib/form.cpp); the server calls it when serve_http returns, as Go does.
void release_form_files(form_state& forms) noexcept;
/// reset_forms empties parsed forms, keeping their memory, for the request's
/// next use (the engine's reset).
void reset_forms(form_state& forms) noexcept;
}

/// context_key names a request-scoped value of type T (Go's context keys):
/// keys are compared by address, so two libraries' keys never clash even
/// with the same name. Define one per value, at namespace scope:
///
///     inline const ringhttp::context_key<user> current_user{"user"};
template <class T>
class context_key {
public:
    explicit constexpr context_key(std::string_view name = {}) noexcept : name_(name) {}
    context_key(const context_key&) = delete;
    context_key& operator=(const context_key&) = delete;
    std::string_view name() const noexcept { return name_; }

private:
    std::string_view name_;
};

/// request is one HTTP request received by the server, or built by
/// httptest::new_request. A handler borrows it: it is valid until
/// serve_http returns, and every std::string_view it hands out points into
/// the receive buffer or the request's own storage, so copy what you keep.
/// A request is used by one handler at a time; it is not thread-safe.
class request {
public:
    request() = default;
    virtual ~request();
    request(const request&) = delete;
    request& operator=(const request&) = delete;

    /// method is the request method, e.g. "GET" (case-sensitive, RFC 9110 §9.1).
    std::string_view method() const noexcept { return method_; }
    /// url is the parsed request target; handlers and wrappers may change it.
    ringhttp::url& url() noexcept { return url_; }
    const ringhttp::url& url() const noexcept { return url_; }
    /// proto is the protocol version as sent, e.g. "HTTP/1.1".
    std::string_view proto() const noexcept { return proto_; }
    int proto_major() const noexcept { return proto_major_; }
    int proto_minor() const noexcept { return proto_minor_; }
    /// proto_at_least reports whether the version is at least major.minor.
    bool proto_at_least(int major, int minor) const noexcept {
        return proto_major_ > major || (proto_major_ == major && proto_minor_ >= minor);
    }
    /// header holds the request's header fields, canonical names, Host removed
    /// (it is in host()), as Go does.
    ringhttp::header& header() noexcept { return header_; }
    const ringhttp::header& header() const noexcept { return header_; }
    /// host is the Host header, or the authority of an absolute-form target.
    std::string_view host() const noexcept { return host_; }
    /// content_length is the body's length, 0 for none, -1 if unknown (chunked).
    std::int64_t content_length() const noexcept { return content_length_; }
    /// body is the request body; reading it may suspend the handler.
    body_reader& body() noexcept { return *body_; }
    /// remote_addr is the client's address as "ip:port" ("[ip6]:port").
    std::string_view remote_addr() const noexcept { return remote_addr_; }
    /// request_uri is the request target exactly as the client sent it.
    std::string_view request_uri() const noexcept { return request_uri_; }
    /// stop_token is requested to stop when the client goes away (its
    /// connection closed or reset) or the server is closed while the handler
    /// runs: Go's r.Context().Done(). Register a std::stop_callback on it to
    /// abandon work nobody will read.
    std::stop_token stop_token() const noexcept { return stop_ != nullptr ? stop_->get_token() : std::stop_token{}; }
    /// set_body replaces body() for the rest of the request (Go's r.Body = ...);
    /// b must live until the handler returns.
    void set_body(body_reader& b) noexcept { body_ = &b; }
    /// close reports whether the client asked to close the connection after
    /// this response (Connection: close, or HTTP/1.0 without keep-alive).
    bool close() const noexcept { return close_; }

    /// pattern is the serve_mux pattern that matched, or empty (Go's Request.Pattern).
    std::string_view pattern() const noexcept { return pattern_; }
    /// path_value returns the value of the named wildcard of the matched
    /// pattern, unescaped, or an empty view (Go's PathValue).
    std::string_view path_value(std::string_view name) const noexcept;
    /// set_path_value sets a wildcard value, copying both strings (Go's SetPathValue).
    void set_path_value(std::string_view name, std::string_view value);

    /// set_host replaces host(), copying value into the request's storage.
    void set_host(std::string_view value) { host_ = arena_.copy(value); }
    /// set_pattern records the pattern that routed this request (used by serve_mux).
    void set_pattern(std::string_view p) noexcept { pattern_ = p; }
    /// storage is memory that lives as long as the request: views into it are
    /// valid until the handler returns. For handlers and wrappers that need to
    /// keep derived strings (say, a rewritten path) next to the request's own.
    detail::arena& storage() noexcept { return arena_; }

    /// set_stop_source replaces the source stop_token() reads (Go's
    /// r.WithContext for cancellation) and returns the previous one, so a
    /// wrapper can give the handler it calls a token of its own (timeout_handler
    /// does) and put the old one back after. s must outlive its use.
    const std::stop_source* set_stop_source(const std::stop_source* s) noexcept {
        const std::stop_source* old = stop_;
        stop_ = s;
        return old;
    }

    // Request-scoped values (Go's context.WithValue and ctx.Value): what
    // middleware hands to the handlers after it, typed by their key. They
    // live until the request ends; values of a later request are its own.

    /// set_value stores value under key, replacing what key held.
    template <class T>
    void set_value(const context_key<T>& key, T value) {
        static_assert(alignof(T) <= 8, "request values are kept in the request's storage, aligned to 8");
        if (T* old = this->value(key)) {
            *old = std::move(value);
            return;
        }
        T* object = new (arena_.allocate(sizeof(T))) T(std::move(value));
        void (*destroy)(void*) noexcept = nullptr;
        if constexpr (!std::is_trivially_destructible_v<T>)
            destroy = [](void* p) noexcept { static_cast<T*>(p)->~T(); };
        values_.push_back({&key, object, destroy});
    }
    /// value returns the value stored under key, or null (Go's ctx.Value
    /// with its type assertion).
    template <class T>
    T* value(const context_key<T>& key) noexcept {
        for (const value_slot& v : values_)
            if (v.key == &key) return static_cast<T*>(v.object);
        return nullptr;
    }
    template <class T>
    const T* value(const context_key<T>& key) const noexcept {
        return const_cast<request*>(this)->value(key);
    }

    // Cookies (lib/cookie.cpp), Go's Request.Cookie and Cookies.

    /// cookie returns the first cookie called name in the Cookie headers, or
    /// nullopt (Go's ErrNoCookie). Pairs that are not valid RFC 6265 cookies
    /// are skipped, as Go skips them. Allocates the copy it returns.
    std::optional<ringhttp::cookie> cookie(std::string_view name) const;
    /// cookies returns every valid cookie of the Cookie headers, in order.
    std::vector<ringhttp::cookie> cookies() const;

    // Forms (lib/form.cpp), Go's ParseForm family. The parsed values live
    // until the handler returns.

    /// parse_form fills form() with the query values, and for POST, PUT and
    /// PATCH with an application/x-www-form-urlencoded body, fills post_form()
    /// with the body's values, which also come first in form() (Go's
    /// ParseForm). The body may hold 10 MB; past that it returns
    /// form_errc::post_too_large (answer 413, see form_error_status). Later
    /// calls return nothing new. Reading the body may suspend the handler.
    std::error_code parse_form();
    /// parse_multipart_form parses a multipart/form-data body (Go's
    /// ParseMultipartForm): up to max_memory bytes of file contents stay in
    /// memory, the rest goes to an unlinked temporary file; non-file values
    /// may hold max_memory + 10 MB, at most 1000 parts. It calls parse_form
    /// first. Returns form_errc::not_multipart for another content type.
    std::error_code parse_multipart_form(std::int64_t max_memory);
    /// form_value returns the first value of key from form(), parsing the
    /// form (multipart with 32 MB of memory) first if needed; errors are
    /// ignored, as in Go's FormValue. The view lives until the handler returns.
    std::string_view form_value(std::string_view key);
    /// post_form_value is form_value for the body's values only (Go's PostFormValue).
    std::string_view post_form_value(std::string_view key);
    /// form returns the parsed form (empty before parse_form), Go's r.Form.
    const ringhttp::url_values& form();
    /// post_form returns the body's values (empty before parse_form), Go's r.PostForm.
    const ringhttp::url_values& post_form();
    /// multipart returns the parsed multipart form, or null (Go's r.MultipartForm).
    ringhttp::multipart_form* multipart();
    /// form_file returns the first file uploaded as key, parsing the
    /// multipart form (32 MB of memory) if needed, or null with the reason in
    /// *ec (form_errc::missing_file when there is none), Go's FormFile.
    const file_header* form_file(std::string_view key, std::error_code* ec = nullptr);

private:
    friend struct detail::request_access;

    std::string_view method_;
    ringhttp::url url_;
    std::string_view proto_;
    int proto_major_ = 1;
    int proto_minor_ = 1;
    ringhttp::header header_;
    std::string_view host_;
    std::int64_t content_length_ = 0;
    body_reader* body_ = nullptr;
    const std::stop_source* stop_ = nullptr;
    std::string_view remote_addr_;
    std::string_view request_uri_;
    std::string_view pattern_;
    bool close_ = false;
    std::vector<std::pair<std::string_view, std::string_view>> path_values_;
    struct value_slot {
        const void* key;
        void* object;                    // in arena_
        void (*destroy)(void*) noexcept;  // null for a trivially destructible value
    };
    std::vector<value_slot> values_;
    detail::arena arena_;
    // Parsed forms, made on first use and emptied (memory kept) by the
    // engine's reset when the request is reused.
    std::shared_ptr<detail::form_state> forms_;
    detail::form_state& forms();
    /// clear_values destroys the request values (their memory is the arena's).
    void clear_values() noexcept;
};

}  // namespace ringhttp
