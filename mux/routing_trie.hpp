// ringhttp mux: the routing trie, an immutable, persistent segment trie.
//
// Level 0 branches on the host, level 1 on the method, the rest on path
// segments (docs/MUX.md, "The trie"). A snapshot is never changed after it
// is published; a registration copies the nodes on one root-to-leaf path
// and shares everything else with the previous snapshot.
#pragma once

#include <cstdint>
#include <cstring>
#include <string_view>
#include <vector>

#include "mux/pattern.hpp"
#include "mux/request_path.hpp"

namespace ringhttp::mux_detail {

struct node;

/// slot is one entry in a child_table page: the hash of the child's key,
/// and the child node, which holds the key itself.
struct slot {
    std::uint64_t hash;
    const void* item;
};

/// child_table maps a key (a literal segment, host or method) to a child
/// node. It is persistent: adding a key builds a new table that shares
/// all pages but one with the old table. Up to 8 keys live in one page;
/// beyond, a directory of 2^bits pages indexed by the hash's low bits holds
/// about 4 keys per page. A page is an array of slots whose slot 0 holds the
/// count.
struct child_table {
    const void* root = nullptr;  // bits == 0: the page; else the directory
    std::uint32_t count = 0;
    std::uint8_t bits = 0;

    /// find returns the child node with this key (a table of nodes).
    const node* find(std::string_view key, std::uint64_t hash) const noexcept;
    /// for_each calls f(child) for every child node, in no particular order.
    template <class F>
    void for_each(F&& f) const {
        for_each_slot([&](const slot& s) { f(static_cast<const node*>(s.item)); });
    }
    /// for_each_slot calls f(slot) for every slot, in no particular order.
    template <class F>
    void for_each_slot(F&& f) const;
    /// find_if returns the first item, as a T, with this hash for which same(item).
    template <class T, class Same>
    [[gnu::always_inline]] const T* find_if(std::uint64_t hash, Same&& same) const noexcept {
        if (count == 0) return nullptr;
        const slot* page = bits == 0 ? static_cast<const slot*>(root)
                                     : static_cast<const slot* const*>(root)[hash & ((std::uint64_t{1} << bits) - 1)];
        if (page == nullptr) return nullptr;
        const slot* end = page + 1 + page[0].hash;
        for (const slot* s = page + 1; s != end; ++s)
            if (s->hash == hash && same(static_cast<const T*>(s->item))) return static_cast<const T*>(s->item);
        return nullptr;
    }
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

/// index_entry is one slot of a path index: a pattern, the hash of its
/// pattern::index_key and the key itself, inline when it fits; or, with a
/// null p, an empty slot. One cache line holds all a probe compares, and
/// slots sit side by side in their entry_table chunk (no pointer to follow
/// from the table to the entry). Immutable once published.
struct alignas(64) index_entry {
    std::uint64_t hash = 0;
    const pattern* p = nullptr;

    /// same reports whether the entry is filed under exactly host, method
    /// and path: compares the three sizes at once, then the path, the host,
    /// the method. Not for an empty slot (its key is no string).
    [[gnu::always_inline]] bool same(std::string_view host, std::string_view method,
                                     std::string_view path) const noexcept {
        // Sizes that do not fit their fields may alias here; same_key then
        // compares the true sizes.
        if (sizes_ != pack_sizes(host.size(), method.size(), path.size())) return false;
        const std::size_t host_size = host.size(), method_size = method.size();
        // host '\0' method '\0' path
        const char* k = key();
        return same_key(std::string_view(k + host_size + method_size + 2, path.size()), path) &&
               same_key(std::string_view(k, host_size), host) &&
               same_key(std::string_view(k + host_size + 1, method_size), method);
    }
    /// set files the entry under pat's index_key, whose hash is key_hash:
    /// inline when it fits, else viewing pat's own.
    void set(const pattern& pat, std::uint64_t key_hash) noexcept;

private:
    static constexpr std::uint64_t pack_sizes(std::size_t host, std::size_t method, std::size_t path) noexcept {
        return static_cast<std::uint64_t>(path) ^ static_cast<std::uint64_t>(host) << 32 ^
               static_cast<std::uint64_t>(method) << 48;
    }
    const char* key() const noexcept {
        if (inline_key_ != 0) return key_;
        const char* ref;
        std::memcpy(&ref, key_, sizeof ref);
        return ref;
    }

    std::uint64_t sizes_ = 0;  // pack_sizes of the key's parts
    char key_[39] = {};        // the key, or (inline_key_ == 0) the address of pat's
    std::uint8_t inline_key_ = 0;
};
static_assert(sizeof(index_entry) == 64);

/// entry_table holds the entries of one path index: open addressing with
/// linear probing, in chunks. The hash's top top_bits bits pick a chunk
/// (one chunk when top_bits is 0), its low slot_bits bits the home slot
/// in the chunk; an entry sits in the first empty slot from its home on.
/// A chunk has 2^slot_bits home slots and spare_slots more, so a probe
/// never wraps, and its last slot stays empty, so every probe ends at an
/// empty slot. At most 5/8 of the home slots are used. It is persistent:
/// adding an entry builds a new table that shares all chunks but one with
/// the old table, and copies the chunk array (2 KiB at 10,000 entries).
/// A lookup reads the chunk array (small and hot) and, most often, one
/// slot: one cache line.
struct entry_table {
    static constexpr std::size_t spare_slots = 8;

    const void* root = nullptr;  ///< top_bits == 0: the chunk (null: no entry); else the chunk array
    std::uint32_t count = 0;
    std::uint8_t top_bits = 0;
    std::uint8_t slot_bits = 0;

    /// chunk_size is the number of slots in each chunk.
    std::size_t chunk_size() const noexcept { return (std::size_t{1} << slot_bits) + spare_slots; }
    /// chunk returns the chunk a hash picks (root must not be null).
    const index_entry* chunk(std::uint64_t hash) const noexcept {
        return top_bits == 0 ? static_cast<const index_entry*>(root)
                             : static_cast<const index_entry* const*>(root)[hash >> (64 - top_bits)];
    }
    /// find returns the entry filed under exactly host, method and path,
    /// whose key hashes to hash, or null.
    [[gnu::always_inline]] const index_entry* find(std::uint64_t hash, std::string_view host, std::string_view method,
                                                   std::string_view path) const noexcept {
        if (root == nullptr) return nullptr;
        const index_entry* e = chunk(hash) + (hash & ((std::uint64_t{1} << slot_bits) - 1));
        // Most entries sit in their home slot or the next: check the one of
        // the two whose hash matches, picked by arithmetic rather than a
        // branch, so that which one it is (unpredictable) costs no
        // misprediction. The next slot exists: chunks end in spare slots.
        const std::uint64_t home_hash = e[0].hash, next_hash = e[1].hash;
        const index_entry* likely = e + (home_hash != hash ? 1 : 0);
        if (((home_hash == hash) | (next_hash == hash)) && likely->p != nullptr && likely->same(host, method, path))
            [[likely]] return likely;
        for (;; ++e) {
            if (e->p == nullptr) return nullptr;
            if (e->hash == hash && e->same(host, method, path)) return e;
        }
    }
    /// for_each_chunk calls f(chunk) for every chunk.
    template <class F>
    void for_each_chunk(F&& f) const {
        if (root == nullptr) return;
        if (top_bits == 0) {
            f(static_cast<const index_entry*>(root));
            return;
        }
        auto* chunks = static_cast<const index_entry* const*>(root);
        for (std::size_t i = 0; i < (std::size_t{1} << top_bits); ++i) f(chunks[i]);
    }
};

/// path_index files patterns by (host, method, a decoded path): the exact
/// index by the one path an all-literal pattern matches, the last-wildcard
/// index by the literal path before a pattern's last {name}, the subtree
/// index by a subtree's literal path and '/'.
struct path_index {
    entry_table table;
    std::uint32_t with_method = 0;  ///< entries whose pattern has a method
    /// Bit min(length, 63) is set for every indexed path length: most paths
    /// that cannot hit skip the probe (and its cache misses).
    std::uint64_t lengths = 0;
};

/// complex_filter tells, from a request path's first segment, whether a
/// complex pattern (one in no path index, pattern::index_kind::none) may
/// match the path, or the path plus '/': false positives are allowed, false
/// negatives are not. CONNECT patterns are left out (the indexes never
/// answer a CONNECT request, and no other request reaches them).
struct complex_filter {
    /// Complex patterns (CONNECT ones aside).
    std::uint32_t count = 0;
    /// Those whose first segment is not a non-empty literal: a wildcard, or
    /// an empty literal (which the trie files as a wildcard).
    std::uint32_t any = 0;
    /// A Bloom filter of the first literal segments of the others: bit
    /// (hash & 255) of hash_bytes(segment).
    std::uint64_t first[4] = {};

    void add(const pattern& p) noexcept;
    bool empty() const noexcept { return count == 0; }
    bool may_match(std::uint64_t first_segment_hash) const noexcept {
        return any != 0 || (first[(first_segment_hash >> 6) & 3] >> (first_segment_hash & 63) & 1) != 0;
    }
};

/// snapshot is one published version of the routes.
struct snapshot {
    const node* root = nullptr;
    path_index exact;          ///< see match_indexed
    path_index last_wildcard;  ///< see match_indexed
    path_index subtree;        ///< see match_indexed
    complex_filter complex;    ///< whether the subtree index may answer
    std::uint32_t max_depth = 0;  ///< most path segments of any pattern
    std::uint32_t patterns = 0;
    /// Some pattern has a host (the root has literal children), kept here
    /// so that a lookup need not load the root node to learn that.
    bool hosts = false;
};

/// exact_hash is a path index's hash of (host, method, decoded path),
/// from the three parts' hash_bytes. Open addressing wants its low bits
/// (the home slot) and its high half (the chunk) to depend on every part;
/// hash_bytes varies little in the low bits of keys that differ only in
/// their last bytes (routes numbered at the end), so the sum is multiplied
/// once more and its high half folded down.
inline std::uint64_t exact_hash(std::uint64_t host_hash, std::uint64_t method_hash, std::uint64_t path_hash) noexcept {
    const std::uint64_t h =
        (path_hash ^ (method_hash * 0x9E3779B97F4A7C15ull) ^ (host_hash * 0xC2B2AE3D27D4EB4Full)) * 0xFF51AFD7ED558CCDull;
    return h ^ (h >> 32);
}

/// length_bit is the path_index::lengths bit for a path length.
inline std::uint64_t length_bit(std::size_t length) noexcept {
    return std::uint64_t{1} << (length < 63 ? length : 63);
}

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

/// match_method is match among the patterns registered for method itself
/// only: not those without a method, nor GET's for HEAD.
const pattern* match_method(const snapshot& s, std::string_view host, std::string_view method,
                            const request_path& path) noexcept;

/// match_indexed returns the pattern filed in index under exactly host
/// (empty: none), method (empty: any) and path, given the three parts'
/// hash_bytes, or null. Why a few probes may stand in for Go's walk:
/// find_indexed (mux/serve_mux.cpp) and docs/MUX.md, "The path indexes".
/// The parts are passed one by one so that they stay in registers.
[[gnu::always_inline]] inline const pattern* match_indexed(const path_index& index, std::string_view host,
                                                           std::uint64_t host_hash, std::string_view method,
                                                           std::uint64_t method_hash, std::string_view path,
                                                           std::uint64_t path_hash) noexcept {
    const index_entry* e = index.table.find(exact_hash(host_hash, method_hash, path_hash), host, method, path);
    return e != nullptr ? e->p : nullptr;
}

/// allowed_methods adds to out every method that has a pattern matching host
/// and path (patterns without a method aside).
void allowed_methods(const snapshot& s, std::string_view host, const request_path& path,
                     std::vector<std::string_view>& out);

/// possible_conflicts appends to out every registered pattern with p's host
/// whose method and path could overlap p's (a superset of the conflicts).
void possible_conflicts(const snapshot& s, const pattern& p, std::vector<const pattern*>& out);

template <class F>
void child_table::for_each_slot(F&& f) const {
    if (count == 0) return;
    auto each_in_page = [&](const slot* page) {
        if (page == nullptr) return;
        for (std::uint64_t i = 1; i <= page[0].hash; ++i) f(page[i]);
    };
    if (bits == 0) {
        each_in_page(static_cast<const slot*>(root));
        return;
    }
    auto* dir = static_cast<const slot* const*>(root);
    for (std::size_t i = 0; i < (std::size_t{1} << bits); ++i) each_in_page(dir[i]);
}

inline const node* child_table::find(std::string_view key, std::uint64_t hash) const noexcept {
    return find_if<node>(hash, [key](const node* n) { return same_key(n->key(), key); });
}

}  // namespace ringhttp::mux_detail
