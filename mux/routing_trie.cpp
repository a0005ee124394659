#include "mux/routing_trie.hpp"

#include <algorithm>
#include <cstring>
#include <memory>
#include <new>
#include <stdexcept>

namespace ringhttp::mux_detail {
namespace {

// Pages, directories, chunks and chunk arrays are raw arrays of trivially
// copyable elements, all allocated on cache-line boundaries (a chunk of
// index_entry slots must be; the others then start on a line of their own)
// so that every kind is freed the same way.
constexpr std::align_val_t array_alignment{64};

template <class T>
T* allocate_array(std::size_t n, version_delta& delta) {
    static_assert(alignof(T) <= static_cast<std::size_t>(array_alignment));
    delta.fresh_arrays.reserve(delta.fresh_arrays.size() + 1);
    auto* a = static_cast<T*>(::operator new(n * sizeof(T), array_alignment));
    delta.fresh_arrays.push_back(a);
    return a;
}

void free_array(const void* a) noexcept { ::operator delete(const_cast<void*>(a), array_alignment); }

std::uint8_t bits_for(std::uint32_t count) noexcept {
    if (count <= 8) return 0;
    std::uint8_t b = 1;
    while ((std::uint64_t{4} << b) < count) ++b;
    return b;
}

std::size_t page_size(const slot* page) noexcept { return page == nullptr ? 0 : page[0].hash; }

// A new page: old's slots (if any) plus extra (if any).
slot* page_with(const slot* old, const slot* extra, version_delta& delta) {
    const std::size_t n = page_size(old) + (extra != nullptr ? 1 : 0);
    slot* p = allocate_array<slot>(n + 1, delta);
    p[0] = {n, nullptr};
    if (old != nullptr) std::copy(old + 1, old + 1 + page_size(old), p + 1);
    if (extra != nullptr) p[n] = *extra;
    return p;
}

child_table build_table(const std::vector<slot>& slots, version_delta& delta) {
    child_table t;
    t.count = static_cast<std::uint32_t>(slots.size());
    t.bits = bits_for(t.count);
    if (t.bits == 0) {
        slot* p = allocate_array<slot>(slots.size() + 1, delta);
        p[0] = {slots.size(), nullptr};
        std::copy(slots.begin(), slots.end(), p + 1);
        t.root = p;
        return t;
    }
    const std::size_t pages = std::size_t{1} << t.bits;
    const std::uint64_t mask = pages - 1;
    std::vector<std::uint32_t> sizes(pages, 0);
    for (const slot& e : slots) ++sizes[e.hash & mask];
    const slot** dir = allocate_array<const slot*>(pages, delta);
    std::vector<slot*> fill(pages, nullptr);
    for (std::size_t i = 0; i < pages; ++i) {
        dir[i] = nullptr;
        if (sizes[i] == 0) continue;
        slot* p = allocate_array<slot>(sizes[i] + 1, delta);
        p[0] = {0, nullptr};
        dir[i] = fill[i] = p;
    }
    for (const slot& e : slots) {
        slot* p = fill[e.hash & mask];
        p[++p[0].hash] = e;
    }
    t.root = dir;
    return t;
}

void retire_table(const child_table& t, version_delta& delta) {
    if (t.bits == 0) {
        if (t.root != nullptr) delta.old_arrays.push_back(t.root);
        return;
    }
    auto* dir = static_cast<const slot* const*>(t.root);
    for (std::size_t i = 0; i < (std::size_t{1} << t.bits); ++i)
        if (dir[i] != nullptr) delta.old_arrays.push_back(dir[i]);
    delta.old_arrays.push_back(t.root);
}

// The table t with child (whose key hashes to hash) added, or with replaced
// swapped for child (same key). Pages and the directory that the new table
// no longer uses are recorded as old; all others are shared with t.
child_table table_with(const child_table& t, const void* child, std::uint64_t hash, const void* replaced,
                       version_delta& delta) {
    const std::uint32_t count = t.count + (replaced == nullptr ? 1 : 0);
    const std::uint8_t bits = bits_for(count);
    const slot entry{hash, child};
    if (bits != t.bits) {
        std::vector<slot> all;
        all.reserve(count);
        t.for_each_slot([&](const slot& e) { all.push_back(e.item == replaced ? entry : e); });
        if (replaced == nullptr) all.push_back(entry);
        child_table fresh = build_table(all, delta);
        retire_table(t, delta);
        return fresh;
    }
    const std::size_t pages = std::size_t{1} << bits;
    const std::size_t index = bits == 0 ? 0 : hash & (pages - 1);
    const slot* old_page = bits == 0 ? static_cast<const slot*>(t.root) : static_cast<const slot* const*>(t.root)[index];
    slot* page;
    if (replaced != nullptr) {
        page = page_with(old_page, nullptr, delta);
        for (std::size_t i = 1; i <= page[0].hash; ++i)
            if (page[i].item == replaced) page[i].item = child;
    } else {
        page = page_with(old_page, &entry, delta);
    }
    if (old_page != nullptr) delta.old_arrays.push_back(old_page);
    child_table out;
    out.count = count;
    out.bits = bits;
    if (bits == 0) {
        out.root = page;
        return out;
    }
    const slot** dir = allocate_array<const slot*>(pages, delta);
    std::copy(static_cast<const slot* const*>(t.root), static_cast<const slot* const*>(t.root) + pages, dir);
    dir[index] = page;
    delta.old_arrays.push_back(t.root);
    out.root = dir;
    return out;
}

// An entry_table chunk of empty slots.
index_entry* empty_chunk(std::size_t slots, version_delta& delta) {
    index_entry* c = allocate_array<index_entry>(slots, delta);
    std::uninitialized_fill_n(c, slots, index_entry{});
    return c;
}

// Puts e in the first empty slot of chunk c from its home slot on; false
// if only the chunk's last slot (kept empty) is left.
bool place(index_entry* c, std::size_t home, std::size_t slots, const index_entry& e) noexcept {
    for (std::size_t i = home; i + 1 < slots; ++i)
        if (c[i].p == nullptr) {
            c[i] = e;
            return true;
        }
    return false;
}

// A table of the given geometry holding all, or an empty table (root
// null) when one of them finds no slot. Its arrays are fresh in delta.
entry_table entries_built(const std::vector<index_entry>& all, std::uint8_t top_bits, std::uint8_t slot_bits,
                          version_delta& delta) {
    entry_table t;
    t.top_bits = top_bits;
    t.slot_bits = slot_bits;
    const std::size_t chunks = std::size_t{1} << top_bits, slots = t.chunk_size();
    const std::uint64_t home_mask = (std::uint64_t{1} << slot_bits) - 1;
    std::vector<index_entry*> made(chunks);
    for (index_entry*& c : made) c = empty_chunk(slots, delta);
    for (const index_entry& e : all) {
        index_entry* c = made[top_bits == 0 ? 0 : e.hash >> (64 - top_bits)];
        if (!place(c, e.hash & home_mask, slots, e)) return {};  // the caller frees the arrays made
    }
    if (top_bits == 0) {
        t.root = made[0];
    } else {
        const index_entry** array = allocate_array<const index_entry*>(chunks, delta);
        std::copy(made.begin(), made.end(), array);
        t.root = array;
    }
    t.count = static_cast<std::uint32_t>(all.size());
    return t;
}

void retire_entries(const entry_table& t, version_delta& delta) {
    t.for_each_chunk([&](const index_entry* c) { delta.old_arrays.push_back(c); });
    if (t.top_bits != 0) delta.old_arrays.push_back(t.root);
}

// Most home slots a table of this geometry may use (5/8 of them).
std::size_t entry_capacity(std::uint8_t top_bits, std::uint8_t slot_bits) noexcept {
    return (std::size_t{5} << (top_bits + slot_bits)) / 8;
}

// Chunks grow to 64 home slots (4.5 KiB with the spare ones), then their
// number doubles.
constexpr std::uint8_t max_slot_bits = 6;

// The table t with e added (its key is in no entry of t). The chunk and
// the chunk array that the new table no longer uses are recorded as old;
// all other chunks are shared with t. When e finds no slot, or the table
// would be too full, every entry moves to a table twice as large.
entry_table entries_with(const entry_table& t, const index_entry& e, version_delta& delta) {
    if (t.root != nullptr && t.count + 1 <= entry_capacity(t.top_bits, t.slot_bits)) {
        const std::size_t slots = t.chunk_size();
        const std::size_t at = t.top_bits == 0 ? 0 : e.hash >> (64 - t.top_bits);
        const index_entry* old_chunk = t.chunk(e.hash);
        index_entry* c = allocate_array<index_entry>(slots, delta);
        std::uninitialized_copy_n(old_chunk, slots, c);
        if (place(c, e.hash & ((std::uint64_t{1} << t.slot_bits) - 1), slots, e)) {
            entry_table out = t;
            out.count = t.count + 1;
            if (t.top_bits == 0) {
                out.root = c;
            } else {
                auto* old_array = static_cast<const index_entry* const*>(t.root);
                const index_entry** array = allocate_array<const index_entry*>(std::size_t{1} << t.top_bits, delta);
                std::copy(old_array, old_array + (std::size_t{1} << t.top_bits), array);
                array[at] = c;
                delta.old_arrays.push_back(t.root);
                out.root = array;
            }
            delta.old_arrays.push_back(old_chunk);
            return out;
        }
        // The chunk is full from e's home on: c is of no use, and every
        // entry moves to a larger table.
        delta.fresh_arrays.pop_back();  // c, the last array allocated
        free_array(c);
    }
    std::vector<index_entry> all;
    all.reserve(t.count + 1);
    t.for_each_chunk([&](const index_entry* c) {
        for (std::size_t i = 0, n = t.chunk_size(); i < n; ++i)
            if (c[i].p != nullptr) all.push_back(c[i]);
    });
    all.push_back(e);
    // Twice as many home slots: larger chunks up to max_slot_bits, then more chunks.
    std::uint8_t top_bits = 0, slot_bits = 3;
    auto grow = [&] { slot_bits < max_slot_bits ? ++slot_bits : ++top_bits; };
    if (t.root != nullptr) {
        top_bits = t.top_bits;
        slot_bits = t.slot_bits;
        grow();
    }
    while (all.size() > entry_capacity(top_bits, slot_bits)) grow();
    for (;;) {
        const std::size_t mark = delta.fresh_arrays.size();
        entry_table out = entries_built(all, top_bits, slot_bits, delta);
        if (out.root != nullptr) {
            retire_entries(t, delta);
            return out;
        }
        // Some chunk overflowed: drop this attempt, try a larger geometry.
        for (std::size_t i = mark; i < delta.fresh_arrays.size(); ++i) free_array(delta.fresh_arrays[i]);
        delta.fresh_arrays.resize(mark);
        grow();
    }
}

void free_entries(const entry_table& t) noexcept {
    t.for_each_chunk([](const index_entry* c) { free_array(c); });
    if (t.top_bits != 0) free_array(t.root);
}

// One step from a node towards where a pattern lives: a literal key, or the
// wildcard child (also used for "no host", "no method", and, as in Go, for
// an empty literal segment).
struct step {
    bool wild;
    std::string_view key;
    std::uint64_t hash;
};

struct route {
    std::vector<step> steps;
    bool ends_in_multi;
};

step literal_or_wild(std::string_view key) {
    if (key.empty()) return {true, {}, 0};
    return {false, key, hash_bytes(key)};
}

route route_of(const pattern& p) {
    route r;
    r.steps.reserve(p.segments.size() + 2);
    r.steps.push_back(literal_or_wild(p.host));
    r.steps.push_back(literal_or_wild(p.method));
    r.ends_in_multi = false;
    for (const segment& s : p.segments) {
        if (s.is_multi()) {
            r.ends_in_multi = true;
            break;
        }
        r.steps.push_back(s.is_literal() ? literal_or_wild(s.text) : step{true, {}, 0});
    }
    return r;
}

const node* child_at(const node* n, const step& s) noexcept {
    if (n == nullptr) return nullptr;
    return s.wild ? n->wild : n->children.find(s.key, s.hash);
}

node* rebuild(const node* old, const step* via, const route& r, std::size_t i, const pattern* p,
              version_delta& delta) {
    delta.fresh_nodes.reserve(delta.fresh_nodes.size() + 1);
    delta.old_nodes.reserve(delta.old_nodes.size() + 1);
    auto* n = new node;
    delta.fresh_nodes.push_back(n);
    if (old != nullptr) {
        *n = *old;
        delta.old_nodes.push_back(old);
    } else if (via != nullptr && !via->wild) {
        n->set_key(via->key);
    }
    if (i == r.steps.size()) {
        (r.ends_in_multi ? n->multi : n->leaf) = p;
        return n;
    }
    const step& s = r.steps[i];
    const node* old_child = child_at(old, s);
    node* child = rebuild(old_child, &s, r, i + 1, p, delta);
    if (s.wild) {
        n->wild = child;
    } else {
        n->children = table_with(n->children, child, s.hash, old_child, delta);
    }
    return n;
}

void free_table(const child_table& t) noexcept {
    if (t.bits == 0) {
        if (t.root != nullptr) free_array(t.root);
        return;
    }
    auto* dir = static_cast<const slot* const*>(t.root);
    for (std::size_t i = 0; i < (std::size_t{1} << t.bits); ++i)
        if (dir[i] != nullptr) free_array(dir[i]);
    free_array(t.root);
}

void free_tree(const node* n) noexcept {
    if (n == nullptr) return;
    n->children.for_each([](const node* c) { free_tree(c); });
    free_tree(n->wild);
    free_table(n->children);
    delete n;
}

// One lookup: the path, and what to learn on the way.
struct walk {
    const request_path& path;
    match_info* info;
};

const std::uint64_t slash_hash = hash_bytes("/");

// A node passed on the way down whose other branches (its one-segment
// wildcard, then its multi) are still to be tried if the way down fails.
struct pending {
    const node* at;
    std::size_t depth;
    bool wild_tried;
};

// The one-segment wildcard takes neither an empty segment (an empty literal
// segment is the wildcard child itself, as in Go, so it was tried as the
// literal) nor the trailing slash.
bool wild_may_follow(const node* n, const path_segment& s) noexcept {
    return n->wild != nullptr && !s.text.empty() && s.text != "/";
}

// Go's walk: at depth i, the literal child, then the one-segment wildcard,
// then this node's multi; the first pattern found wins. A node at depth d
// is reached only by the unique path of its keys, so a lookup visits each
// trie node at most once, and at most one node per depth is pending.
// Iterative, with the pending nodes on a small stack: the recursion's
// frames cost as much as the table lookups.
const pattern* match_path(const node* root, walk& w) noexcept {
    constexpr std::size_t inline_depth = 32;
    pending inline_stack[inline_depth];
    std::unique_ptr<pending[]> heap_stack;
    pending* stack = inline_stack;
    std::size_t top = 0;
    const node* n = root;
    std::size_t i = 0;
    for (;;) {
        // Down along literal children while they exist.
        while (n != nullptr) {
            if (w.path.at_end(i)) {
                if (n->leaf != nullptr) {
                    if (w.info != nullptr) w.info->via_multi = false;
                    return n->leaf;
                }
                // Where path + "/" would go on: a {$} child, or a multi here.
                if (w.info != nullptr && w.info->probe && !w.info->slash_exact) {
                    const node* dollar = n->children.find("/", slash_hash);
                    if (n->multi != nullptr || (dollar != nullptr && dollar->leaf != nullptr))
                        w.info->slash_exact = true;
                }
                break;
            }
            const path_segment& s = w.path[i];
            if (wild_may_follow(n, s) || n->multi != nullptr) {
                if (top == inline_depth && stack == inline_stack) {
                    // Deeper than 32 pending nodes: only for very deep patterns.
                    heap_stack.reset(new (std::nothrow) pending[w.path.max_depth_hint()]);
                    if (!heap_stack) return nullptr;
                    std::copy(inline_stack, inline_stack + top, heap_stack.get());
                    stack = heap_stack.get();
                }
                stack[top++] = {n, i, false};
            }
            n = s.text.empty() ? n->wild : n->children.find(s.text, s.hash);
            ++i;
        }
        // Back up to the deepest pending node.
        for (;;) {
            if (top == 0) return nullptr;
            pending& p = stack[top - 1];
            if (!p.wild_tried && wild_may_follow(p.at, w.path[p.depth])) {
                p.wild_tried = true;
                n = p.at->wild;
                i = p.depth + 1;
                break;
            }
            --top;
            if (p.at->multi != nullptr) {
                if (w.info != nullptr) {
                    w.info->via_multi = true;
                    w.info->multi_at = p.depth;
                }
                return p.at->multi;
            }
        }
    }
}

const pattern* match_method_and_path(const node* n, std::string_view method, walk& w) noexcept {
    if (n == nullptr) return nullptr;
    if (n->children.count != 0) {
        if (const node* m = n->children.find(method, hash_bytes(method)))
            if (const pattern* p = match_path(m, w)) return p;
        if (method == "HEAD") {
            static const std::uint64_t get_hash = hash_bytes("GET");
            if (const node* m = n->children.find("GET", get_hash))
                if (const pattern* p = match_path(m, w)) return p;
        }
    }
    return n->wild != nullptr ? match_path(n->wild, w) : nullptr;
}

void collect_subtree(const node* n, std::vector<const pattern*>& out) {
    if (n == nullptr) return;
    if (n->leaf != nullptr) out.push_back(n->leaf);
    if (n->multi != nullptr) out.push_back(n->multi);
    n->children.for_each([&](const node* c) { collect_subtree(c, out); });
    collect_subtree(n->wild, out);
}

// Patterns under n (at path depth i) that could match a path p's segments
// from i on also match.
void collect_overlapping(const node* n, const std::vector<segment>& segs, std::size_t i,
                         std::vector<const pattern*>& out) {
    if (n == nullptr) return;
    if (n->multi != nullptr) out.push_back(n->multi);
    if (i == segs.size()) {
        if (n->leaf != nullptr) out.push_back(n->leaf);
        return;
    }
    const segment& s = segs[i];
    if (s.is_multi()) {
        n->children.for_each([&](const node* c) { collect_subtree(c, out); });
        collect_subtree(n->wild, out);
        return;
    }
    if (s.is_literal()) {
        const node* literal = s.text.empty() ? n->wild : n->children.find(s.text, hash_bytes(s.text));
        collect_overlapping(literal, segs, i + 1, out);
        if (n->wild != literal && s.text != "/") collect_overlapping(n->wild, segs, i + 1, out);
        return;
    }
    n->children.for_each([&](const node* c) {
        if (c->key() != "/") collect_overlapping(c, segs, i + 1, out);
    });
    collect_overlapping(n->wild, segs, i + 1, out);
}

}  // namespace

void node::set_key(std::string_view k) noexcept {
    if (k.size() <= sizeof key_.bytes) {
        key_inline_len_ = static_cast<std::uint8_t>(k.size());
        std::memcpy(key_.bytes, k.data(), k.size());
    } else {
        key_inline_len_ = external_key;
        key_.ref.data = k.data();
        key_.ref.size = k.size();
    }
}

void version_delta::discard_fresh() noexcept {
    for (node* n : fresh_nodes) delete n;
    for (const void* a : fresh_arrays) free_array(a);
    fresh_nodes.clear();
    fresh_arrays.clear();
}

void version_delta::free_old() noexcept {
    for (const node* n : old_nodes) delete n;
    for (const void* a : old_arrays) free_array(a);
    delete old_snapshot;
    old_nodes.clear();
    old_arrays.clear();
    old_snapshot = nullptr;
}

const snapshot* add_pattern(const snapshot* old, const pattern* p, version_delta& delta) {
    const route r = route_of(*p);
    // Patterns the conflict rules call distinct can still share a trie
    // position when one has an empty literal segment (stored as the
    // wildcard child, as Go does); Go panics there too.
    const node* at = old != nullptr ? old->root : nullptr;
    for (const step& s : r.steps) at = child_at(at, s);
    if (at != nullptr) {
        const pattern* holder = r.ends_in_multi ? at->multi : at->leaf;
        if (holder != nullptr)
            throw std::invalid_argument("pattern " + go_quote(p->text) + " and pattern " + go_quote(holder->text) +
                                        " need the same routing node (Go panics: non-nil leaf fields)");
    }
    try {
        node* root = rebuild(old != nullptr ? old->root : nullptr, nullptr, r, 0, p, delta);
        auto s = std::make_unique<snapshot>();
        s->root = root;
        if (old != nullptr) {
            s->exact = old->exact;
            s->last_wildcard = old->last_wildcard;
            s->subtree = old->subtree;
            s->complex = old->complex;
        }
        if (p->indexed == pattern::index_kind::none) {
            s->complex.add(*p);
        } else {
            // Index keys are unique: two patterns with the same one would be
            // equivalent, which handle() refuses as a conflict.
            path_index& index = p->indexed == pattern::index_kind::exact           ? s->exact
                                : p->indexed == pattern::index_kind::last_wildcard ? s->last_wildcard
                                                                                   : s->subtree;
            index_entry entry;
            entry.set(*p, exact_hash(hash_bytes(p->host), hash_bytes(p->method), hash_bytes(p->index_path())));
            index.table = entries_with(index.table, entry, delta);
            if (!p->method.empty()) ++index.with_method;
            index.lengths |= length_bit(p->index_path().size());
        }
        s->max_depth = std::max<std::uint32_t>(old != nullptr ? old->max_depth : 0,
                                               static_cast<std::uint32_t>(p->segments.size()));
        s->patterns = (old != nullptr ? old->patterns : 0) + 1;
        s->hosts = (old != nullptr && old->hosts) || !p->host.empty();
        delta.old_snapshot = old;
        return s.release();
    } catch (...) {
        delta.discard_fresh();
        delta.old_nodes.clear();
        delta.old_arrays.clear();
        throw;
    }
}

void destroy(const snapshot* s) noexcept {
    if (s == nullptr) return;
    free_tree(s->root);
    for (const path_index* index : {&s->exact, &s->last_wildcard, &s->subtree}) free_entries(index->table);
    delete s;
}

void complex_filter::add(const pattern& p) noexcept {
    if (p.method == "CONNECT") return;
    ++count;
    const segment& first_segment = p.segments.front();
    if (!first_segment.is_literal() || first_segment.text.empty()) {
        ++any;
        return;
    }
    const std::uint64_t h = hash_bytes(first_segment.text);
    first[(h >> 6) & 3] |= std::uint64_t{1} << (h & 63);
}

void index_entry::set(const pattern& pat, std::uint64_t key_hash) noexcept {
    hash = key_hash;
    p = &pat;
    sizes_ = pack_sizes(pat.host.size(), pat.method.size(), pat.index_path().size());
    const std::string_view k = pat.index_key;
    inline_key_ = k.size() <= sizeof key_ ? 1 : 0;
    if (inline_key_ != 0) {
        std::memcpy(key_, k.data(), k.size());
    } else {
        const char* ref = k.data();
        std::memcpy(key_, &ref, sizeof ref);
    }
}

const pattern* match(const snapshot& s, std::string_view host, std::string_view method,
                     const request_path& path, match_info* info) noexcept {
    const node* root = s.root;
    if (root == nullptr) return nullptr;
    walk w{path, info};
    // A host pattern that matches wins; if none does, patterns without a host.
    if (!host.empty() && root->children.count != 0)
        if (const node* h = root->children.find(host, hash_bytes(host)))
            if (const pattern* p = match_method_and_path(h, method, w)) return p;
    return match_method_and_path(root->wild, method, w);
}

const pattern* match_method(const snapshot& s, std::string_view host, std::string_view method,
                            const request_path& path) noexcept {
    const node* root = s.root;
    if (root == nullptr) return nullptr;
    walk w{path, nullptr};
    auto in = [&](const node* h) -> const pattern* {
        if (h == nullptr || h->children.count == 0) return nullptr;
        const node* m = h->children.find(method, hash_bytes(method));
        return m != nullptr ? match_path(m, w) : nullptr;
    };
    if (!host.empty() && root->children.count != 0)
        if (const pattern* p = in(root->children.find(host, hash_bytes(host)))) return p;
    return in(root->wild);
}

void allowed_methods(const snapshot& s, std::string_view host, const request_path& path,
                     std::vector<std::string_view>& out) {
    const node* root = s.root;
    if (root == nullptr) return;
    walk w{path, nullptr};
    auto scan = [&](const node* h) {
        if (h == nullptr) return;
        h->children.for_each([&](const node* m) {
            if (match_path(m, w) != nullptr) out.push_back(m->key());
        });
    };
    if (!host.empty()) scan(root->children.find(host, hash_bytes(host)));
    scan(root->wild);
}

void possible_conflicts(const snapshot& s, const pattern& p, std::vector<const pattern*>& out) {
    const node* at_host = child_at(s.root, literal_or_wild(p.host));
    if (at_host == nullptr) return;
    auto walk = [&](const node* m) { collect_overlapping(m, p.segments, 0, out); };
    if (p.method.empty()) {
        at_host->children.for_each(walk);
    } else {
        walk(at_host->children.find(p.method, hash_bytes(p.method)));
        if (p.method == "GET") walk(at_host->children.find("HEAD", hash_bytes("HEAD")));
        if (p.method == "HEAD") walk(at_host->children.find("GET", hash_bytes("GET")));
    }
    walk(at_host->wild);
}

}  // namespace ringhttp::mux_detail
