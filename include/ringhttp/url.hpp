// ringhttp: the parsed request target (the parts of Go's url.URL a server uses).
#pragma once

#include <string>
#include <string_view>

namespace ringhttp {

/// url is a request's target split into parts, as Go's url.URL for a server
/// request. Every view points into the request's receive buffer or its
/// per-request storage and lives as long as the request: copy what you keep.
struct url {
    std::string_view scheme{};   ///< "http" for an absolute-form target, else empty.
    std::string_view host{};     ///< authority of an absolute-form or CONNECT target, else empty.
    std::string_view path{};     ///< decoded path ("/a b" for "/a%20b").
    std::string_view raw_path{}; ///< the encoded path when it differs from escape(path), else empty (Go's RawPath).
    std::string_view raw_query{};///< the query without '?', still encoded.

    /// escaped_path returns the path in encoded form, as Go's EscapedPath:
    /// raw_path when it is a valid encoding of path, else path escaped. The
    /// result views path or raw_path when possible, else it is built in scratch.
    std::string_view escaped_path(std::string& scratch) const;
    /// escaped_path returns a copy of the encoded path.
    std::string escaped_path() const {
        std::string scratch;
        return std::string(escaped_path(scratch));
    }
    /// request_uri returns the encoded path and query, as Go's RequestURI().
    std::string request_uri() const;
};

/// path_unescape decodes %XX escapes into out (appending); returns false if an
/// escape is malformed. '+' stays '+', as in Go's PathUnescape.
bool path_unescape(std::string_view in, std::string& out);
/// path_escape appends the encoded form of a path to out, as Go's escape(s,
/// encodePath): letters, digits, "-_.~$&+,/:;=@" stay, the rest becomes %XX.
void path_escape(std::string_view in, std::string& out);
/// query_unescape decodes %XX escapes and '+' as space (Go's QueryUnescape).
bool query_unescape(std::string_view in, std::string& out);
/// clean_path returns the canonical form of an URL path, as Go's cleanPath in
/// net/http: rooted, no "." or ".." elements, no "//", and a trailing slash
/// kept when the input has one.
std::string clean_path(std::string_view p);

}  // namespace ringhttp
