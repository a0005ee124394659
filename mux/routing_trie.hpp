// ringhttp mux: the routing trie, an immutable, persistent segment trie.
//
// Level 0 branches on the host, level 1 on the method, the rest on path
// segments (docs/MUX.md, "The trie"). A snapshot is never changed after it
// is published; a registration copies the nodes on one root-to-leaf path
// and shares everything else with the previous snapshot.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "mux/pattern.hpp"
#include "mux/request_path.hpp"

namespace ringhttp::mux_detail {

struct node;

/// slot is one child in a child_table page: hash_bytes of the child's key,
/// and the child, which holds the key itself.
struct slot {
    std::uint64_t hash;
    const node* child;
};

/// child_table maps a key (a literal segment, a host or a method) to a child
/// node. It is persistent: adding a key builds a new table that shares all
/// pages but one with the old table. Up to 8 keys live in one page; beyond,
/// a directory of 2^bits pages indexed by the hash's low bits holds about 4
/// keys per page. A page is an array of slots whose slot 0 holds the count.
struct child_table {
    const void* root = nullptr;  // bits == 0: the page; else the directory
    std::uint32_t count = 0;
    std::uint8_t bits = 0;

    const node* find(std::string_view key, std::uint64_t hash) const noexcept;
    /// for_each calls f(child) for every child, in no particular order.
    template <class F>
    void for_each(F&& f) const;
};

/// node is one trie node, one cache line. Immutable once published.
struct alignas(64) node {
    const pattern* leaf = nullptr;    ///< pattern that ends exactly here (never a multi)
    const pattern* multi = nullptr;   ///< pattern whose multi wildcard starts here
    const node* wild = nullptr;       ///< one-segment wildcard; at level 0 no host, at level 1 no method
    child_table children;             ///< literal children

    /// key is what leads here from the parent: a literal segment, a host or
    /// a method (empty for a wildcard child). Up to 16 bytes are kept in the
    /// node itself, longer keys view the pattern that introduced them.
    std::string_view key() const noexcept {
        return key_inline_len_ != external_key ? std::string_view(key_.bytes, key_inline_len_)
                                               : std::string_view(key_.ref.data, key_.ref.size);
    }
    void set_key(std::string_view k) noexcept;

private:
    static constexpr std::uint8_t external_key = 0xFF;
    std::uint8_t key_inline_len_ = 0;
    union key_storage {
        char bytes[16];
        struct {
            const char* data;
            std::size_t size;
        } ref;
    } key_{};
};
static_assert(sizeof(node) == 64);

/// snapshot is one published version of the routes.
struct snapshot {
    const node* root = nullptr;
    std::uint32_t max_depth = 0;  ///< most path segments of any pattern
    std::uint32_t patterns = 0;
};

/// version_delta records what a registration allocated and what it made
/// unreachable, so that the new allocations can be undone on failure and
/// the old ones retired after the new snapshot is published.
struct version_delta {
    std::vector<node*> fresh_nodes;
    std::vector<const void*> fresh_arrays;
    std::vector<const node*> old_nodes;
    std::vector<const void*> old_arrays;
    const snapshot* old_snapshot = nullptr;

    /// discard_fresh frees the new allocations (the registration failed).
    void discard_fresh() noexcept;
    /// free_old frees what the previous snapshot alone used.
    void free_old() noexcept;
};

/// add_pattern returns a new snapshot that is old (may be null) plus p,
/// filling delta. Throws std::invalid_argument when p would take a trie
/// position another pattern holds without being equivalent to it (Go's
/// "non-nil leaf fields" panic, for paths with empty segments).
const snapshot* add_pattern(const snapshot* old, const pattern* p, version_delta& delta);

/// destroy frees a snapshot and every node and table reachable from it.
/// Only for a snapshot that no reader can reach and that shares nothing
/// with a live one (the last snapshot of a mux being destroyed).
void destroy(const snapshot* s) noexcept;

/// match_info carries what a lookup learns besides the pattern.
struct match_info {
    bool probe = false;        ///< in: answer the trailing-slash probe (see match)
    bool slash_exact = false;  ///< out: matching path + "/" would be exact
    bool via_multi = false;    ///< out: the match ended in a multi wildcard ...
    std::size_t multi_at = 0;  ///< ... that starts at this path segment
};

/// match returns the pattern for host, method and path, or null, with
/// Go's precedence: the host's patterns first, then those without a host;
/// within one, the request's method, then GET for HEAD, then no method;
/// along the path, a literal, then a one-segment wildcard, then a multi.
///
/// With info->probe, it also answers Go's trailing-slash question in the
/// same walk: info->slash_exact is set when matching path + "/" would end in
/// an exact match (a {$} pattern, or a multi taking just the final slash).
/// The answer is meaningful only when the match itself is not exact: the
/// walk for path + "/" visits the same nodes in the same order as the walk
/// for path until one of them succeeds, and differs only at the nodes where
/// path ends, so its first success is at the first such node that can take
/// a trailing slash, if the walk for path reaches one before succeeding.
const pattern* match(const snapshot& s, std::string_view host, std::string_view method,
                     const request_path& path, match_info* info = nullptr) noexcept;

/// allowed_methods adds to out every method that has a pattern matching host
/// and path (patterns without a method aside).
void allowed_methods(const snapshot& s, std::string_view host, const request_path& path,
                     std::vector<std::string_view>& out);

/// possible_conflicts appends to out every registered pattern with p's host
/// whose method and path could overlap p's (a superset of the conflicts).
void possible_conflicts(const snapshot& s, const pattern& p, std::vector<const pattern*>& out);

template <class F>
void child_table::for_each(F&& f) const {
    if (count == 0) return;
    auto each_in_page = [&](const slot* page) {
        if (page == nullptr) return;
        for (std::uint64_t i = 1; i <= page[0].hash; ++i) f(page[i].child);
    };
    if (bits == 0) {
        each_in_page(static_cast<const slot*>(root));
        return;
    }
    auto* dir = static_cast<const slot* const*>(root);
    for (std::size_t i = 0; i < (std::size_t{1} << bits); ++i) each_in_page(dir[i]);
}

inline const node* child_table::find(std::string_view key, std::uint64_t hash) const noexcept {
    if (count == 0) return nullptr;
    const slot* page = bits == 0 ? static_cast<const slot*>(root)
                                 : static_cast<const slot* const*>(root)[hash & ((std::uint64_t{1} << bits) - 1)];
    if (page == nullptr) return nullptr;
    const slot* end = page + 1 + page[0].hash;
    for (const slot* s = page + 1; s != end; ++s)
        if (s->hash == hash && same_key(s->child->key(), key)) return s->child;
    return nullptr;
}

}  // namespace ringhttp::mux_detail
