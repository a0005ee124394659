// ringhttp mux: route patterns, their parser and the specificity relation
// between two patterns (Go 1.22+ ServeMux semantics, docs/MUX.md).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <ringhttp/handler.hpp>

namespace ringhttp::mux_detail {

/// segment_kind says what one piece of a pattern path matches.
enum class segment_kind : std::uint8_t {
    literal,  ///< exactly text (already unescaped); "{$}" is the literal "/"
    single,   ///< one path segment, named text
    multi,    ///< the rest of the path, at least one segment; text empty for a trailing '/'
};

/// segment is one piece of a pattern path. "{$}" is stored as the literal
/// "/", which is also what a request's trailing slash looks like as a
/// segment, so "/a/{$}" and "/a/%2F" are the same pattern (as in Go).
struct segment {
    segment_kind kind = segment_kind::literal;
    std::string text;

    bool is_literal() const noexcept { return kind == segment_kind::literal; }
    bool is_multi() const noexcept { return kind == segment_kind::multi; }
    bool is_wild() const noexcept { return kind != segment_kind::literal; }
};

/// pattern is one registered route. Created once by handle() and never
/// changed or freed while its serve_mux lives: every snapshot of the routing
/// trie points at it, and requests view its text (request::pattern()).
struct pattern {
    std::string text;    ///< as registered
    std::string method;  ///< empty: any method
    std::string host;    ///< empty: any host
    std::vector<segment> segments;
    handler_ptr handler;
    /// indexed says whether the pattern is also in one of the snapshot's
    /// path indexes (docs/MUX.md, "The path indexes"): exact, for a pattern
    /// of literal segments only (none empty or holding '/', "." or "..", a
    /// final {$} allowed); last_wildcard, for such literals followed by one
    /// {name} as the last segment; subtree, for such literals followed by a
    /// multi wildcard (a trailing '/' or {name...}). Any other pattern is
    /// *complex*: only the walk finds it.
    enum class index_kind : std::uint8_t { none, exact, last_wildcard, subtree } indexed = index_kind::none;
    /// has_values says whether a match sets path values: the pattern has a
    /// {name} or a {name...}.
    bool has_values = false;
    /// index_key is host + '\0' + method + '\0' + the decoded path an exact
    /// pattern matches, the literal path before the last wildcard, or the
    /// literal path of a subtree with its trailing '/' ("/", "/a/b/").
    std::string index_key;

    /// index_path is the path part of index_key.
    std::string_view index_path() const noexcept {
        std::string_view k = index_key;
        return k.empty() ? k : k.substr(host.size() + method.size() + 2);
    }

    bool ends_in_multi() const noexcept { return !segments.empty() && segments.back().is_multi(); }
};

/// parse_pattern parses "[METHOD ][HOST]/[PATH]". Throws
/// std::invalid_argument with Go's text, e.g. `parsing "/{x": at offset 1:
/// bad wildcard segment (must end with '}')`.
std::unique_ptr<pattern> parse_pattern(std::string_view s);

/// relation is how the requests matched by one pattern relate to another's.
enum class relation : std::uint8_t {
    equivalent,     ///< the same requests
    more_general,   ///< a superset
    more_specific,  ///< a subset
    disjoint,       ///< no request in common
    overlaps,       ///< some in common, neither contains the other
};

/// compare_methods relates the method parts: none matches all, GET matches
/// GET and HEAD, any other method only itself.
relation compare_methods(const pattern& a, const pattern& b) noexcept;
/// compare_paths relates the path parts.
relation compare_paths(const pattern& a, const pattern& b) noexcept;
/// conflicts reports whether registering both a and b is an error: same host
/// and their methods and paths are equivalent or overlap.
bool conflicts(const pattern& a, const pattern& b) noexcept;
/// conflict_message is the std::invalid_argument text for a (being
/// registered) conflicting with b (registered before): Go's panic message
/// without the source locations, which a C++ caller cannot supply.
std::string conflict_message(const pattern& a, const pattern& b);

/// go_quote quotes s as Go's %q verb does for the strings seen here.
std::string go_quote(std::string_view s);

}  // namespace ringhttp::mux_detail
