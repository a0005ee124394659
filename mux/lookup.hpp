// ringhttp mux: what routing one request decides, and internal access to a
// serve_mux for tests and benchmarks (not part of the public API).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include <ringhttp/request.hpp>
#include <ringhttp/serve_mux.hpp>

#include "mux/pattern.hpp"
#include "mux/request_path.hpp"

namespace ringhttp::mux_detail {

/// outcome is what a serve_mux does with a request.
enum class outcome : std::uint8_t { matched, redirect, method_not_allowed, not_found };

/// lookup is the result of routing one request, Go's findHandler.
struct lookup {
    outcome kind = outcome::not_found;
    /// the matched pattern; for a clean-path redirect, the pattern the clean
    /// path matches (may be null). Lives as long as the mux.
    const pattern* matched = nullptr;
    std::string location;          ///< redirect: the Location target
    std::string redirect_pattern;  ///< redirect: what Go's Handler returns as the pattern
    std::string allow;             ///< 405: the Allow value
    std::string cleaned;           ///< storage for the cleaned path
    /// matched through a path index: the request path was not split; value
    /// is the value of the pattern's one wildcard, if it has one (see
    /// index_lookup).
    bool from_index = false;
    std::string_view value;
};

/// assign_path_values copies the matched pattern's wildcard values into r
/// (request::set_path_value), unescaped. path is the one the lookup used.
void assign_path_values(request& r, const lookup& res, const request_path& path);

struct snapshot;

/// index_lookup is what the path indexes decide about a request. Sixteen
/// bytes, so that it comes back from find_indexed in two registers.
struct index_lookup {
    enum class result : std::uint8_t {
        none,            ///< the walk must decide
        matched,         ///< by pattern
        slash_redirect,  ///< Go's trailing-slash redirect, to the URL path + "/"
    } kind = result::none;
    /// Where the value of matched's wildcard starts in r.url().path: after
    /// the last '/' for a last-wildcard pattern, after the subtree's '/' for
    /// a subtree pattern (the rest of the path), at its end (empty) for an
    /// exact one.
    std::uint32_t value_at = 0;
    const pattern* matched = nullptr;

    /// value is the value of matched's wildcard, a view of path (the
    /// request's r.url().path).
    std::string_view value(std::string_view path) const noexcept { return path.substr(value_at); }
};

/// find_indexed answers r from the path indexes when that is sure to give
/// Go's answer (docs/MUX.md, "The path indexes"): a match or a
/// trailing-slash redirect. Otherwise (a CONNECT request, an escaped or unclean path, a
/// complex pattern that may match, no match) its kind is none.
index_lookup find_indexed(const snapshot& s, const request& r) noexcept;

/// access reaches into a serve_mux for tests and benchmarks.
struct access {
    /// current is the published snapshot. Only while no handle() runs
    /// (single-threaded tests): it is read outside any RCU section.
    static const snapshot& current(const serve_mux& m);
    /// find routes r as serve_http would, without calling anything: by the
    /// path indexes (unless try_index is false) or else the walk. path and
    /// out must outlive the use of out's views and of path's segments.
    static void find(const serve_mux& m, const request& r, request_path& path, lookup& out, bool try_index = true);
    /// find_indexed is mux_detail::find_indexed on the published snapshot.
    static index_lookup find_indexed(const serve_mux& m, const request& r) noexcept;
    /// pattern_count is the number of registered patterns.
    static std::size_t pattern_count(const serve_mux& m);
};

}  // namespace ringhttp::mux_detail
