// ringhttp: HTTP cookies (Go's net/http Cookie, SetCookie, Request.Cookie).
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ringhttp {

class response_writer;

/// same_site is the SameSite attribute of a Set-Cookie (Go's SameSite);
/// default_mode emits no attribute. RFC 6265bis §4.1.2.7.
enum class same_site { default_mode, lax, strict, none };

/// cookie is an HTTP cookie as sent in a Set-Cookie response header or a
/// Cookie request header, Go's http.Cookie (RFC 6265). A plain value type:
/// copy it freely.
struct cookie {
    std::string name{};
    std::string value{};
    bool quoted = false;  ///< the value was (or is to be) sent in double quotes
    std::string path{};    ///< optional
    std::string domain{};  ///< optional
    /// expires is optional; unset means none. Seconds precision, as the
    /// IMF-fixdate it is sent as (RFC 9110 §5.6.7).
    std::optional<std::chrono::sys_seconds> expires{};
    /// max_age: 0 means no Max-Age attribute, < 0 means "Max-Age=0" (delete
    /// now), > 0 means that many seconds, as Go's MaxAge.
    int max_age = 0;
    bool secure = false;
    bool http_only = false;
    ringhttp::same_site same_site = ringhttp::same_site::default_mode;
    bool partitioned = false;  ///< CHIPS; browsers need secure with it

    /// to_string serializes the cookie for a Set-Cookie header, or for a
    /// Cookie header when only name and value are set (Go's Cookie.String).
    /// It returns an empty string when the name is not a valid token. Invalid
    /// bytes in the value or path are dropped, and an invalid domain is left
    /// out, each with a message to the cookie log (see set_cookie_log).
    std::string to_string() const;

    /// valid returns an empty string if the cookie is valid, else the reason
    /// (Go's Cookie.Valid message, e.g. "http: invalid Cookie.Name").
    std::string valid() const;
};

/// set_cookie adds a Set-Cookie header to w's headers, Go's SetCookie. A
/// cookie with an invalid name is silently dropped, as Go drops it. Call it
/// before the status is written.
void set_cookie(response_writer& w, const cookie& c);

/// parse_cookie parses a Cookie header line into its cookies (Go 1.23's
/// ParseCookie, lenient like Request.Cookies: invalid pairs are skipped).
std::vector<cookie> parse_cookie(std::string_view line);

/// set_cookie_log replaces where cookie warnings go (Go writes them with
/// log.Printf). The default writes one line to stderr. Not thread-safe with
/// concurrent cookie serialization: set it before serving. An empty function
/// restores the default.
void set_cookie_log(std::function<void(std::string_view)> sink);

}  // namespace ringhttp
