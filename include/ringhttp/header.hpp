// ringhttp: HTTP header fields (Go's http.Header).
#pragma once

#include <cstddef>
#include <iterator>
#include <string>
#include <string_view>
#include <vector>

#include <ringhttp/detail/arena.hpp>

namespace ringhttp {

/// canonical_header_key returns the canonical form of a header field name,
/// as Go's CanonicalMIMEHeaderKey: the first letter and every letter after a
/// hyphen upper case, the rest lower case ("content-type" -> "Content-Type").
/// A name holding a byte that is not a token character is returned unchanged.
std::string canonical_header_key(std::string_view name);

/// canonicalize_header_key rewrites name in place to its canonical form; a
/// name that is not a valid token is left as it is. Returns false then.
bool canonicalize_header_key(char* name, std::size_t len) noexcept;

/// header_field is one field line: a canonical name and its value. The views
/// point into the receive buffer (request headers) or into the header's own
/// storage; they live as long as the header's current contents.
struct header_field {
    std::string_view name{};
    std::string_view value{};
};

/// header is an ordered, multi-valued list of header fields, looked up case
/// insensitively (Go's Header, which is a map of canonical keys to values).
/// Field names are kept in canonical form. Strings passed to set() and add()
/// are copied; views returned by get() or iteration live until the header is
/// changed or cleared. A header is not thread-safe.
class header {
public:
    header() = default;
    header(const header& other);
    header& operator=(const header& other);
    header(header&&) noexcept = default;
    header& operator=(header&&) noexcept = default;

    /// get returns the first value of key, or an empty view if there is none.
    std::string_view get(std::string_view key) const noexcept;
    /// has reports whether key has at least one value (present, even if empty).
    bool has(std::string_view key) const noexcept;
    /// values returns every value of key, in order (Go's Values). Allocates.
    std::vector<std::string_view> values(std::string_view key) const;
    /// count returns how many field lines carry key.
    std::size_t count(std::string_view key) const noexcept;
    /// set replaces every value of key with value (Go's Set).
    void set(std::string_view key, std::string_view value);
    /// add appends a value to key (Go's Add).
    void add(std::string_view key, std::string_view value);
    /// del removes every value of key (Go's Del).
    void del(std::string_view key) noexcept;
    /// clear removes every field and frees the copies made by set/add.
    void clear() noexcept;

    std::size_t size() const noexcept { return fields_.size(); }
    bool empty() const noexcept { return fields_.empty(); }
    auto begin() const noexcept { return fields_.cbegin(); }
    auto end() const noexcept { return fields_.cend(); }

    /// add_view appends a field without copying; name must already be
    /// canonical and both views must outlive the header's contents. For the
    /// parser, which points fields into the receive buffer.
    void add_view(std::string_view canonical_name, std::string_view value) {
        fields_.push_back({canonical_name, value});
    }

private:
    std::vector<header_field> fields_;
    detail::arena arena_;
    std::string_view store_name(std::string_view key);
};

/// ascii_iequals compares two strings ignoring ASCII case.
bool ascii_iequals(std::string_view a, std::string_view b) noexcept;

/// has_token reports whether the comma-separated list v holds token t, compared
/// case-insensitively, elements trimmed of spaces and tabs (Go's hasToken for
/// Connection-style headers).
bool has_token(std::string_view v, std::string_view t) noexcept;

}  // namespace ringhttp
