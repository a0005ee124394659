// ringhttp: a bump allocator for strings that live as long as one request.
#pragma once

#include <cstddef>
#include <string_view>

namespace ringhttp::detail {

/// arena hands out memory that lives until reset() or destruction, in the
/// manner of h2o's per-request pool. reset() keeps the first block, so an
/// arena reused request after request stops allocating once warm. Not
/// thread-safe; not copyable (copying would leave views dangling).
class arena {
public:
    arena() noexcept = default;
    arena(const arena&) = delete;
    arena& operator=(const arena&) = delete;
    arena(arena&& other) noexcept;
    arena& operator=(arena&& other) noexcept;
    ~arena();

    /// allocate returns n bytes aligned to 8; never null (throws bad_alloc).
    char* allocate(std::size_t n);
    /// copy stores s in the arena and returns a view of the copy.
    std::string_view copy(std::string_view s);
    /// concat stores a then b contiguously and returns a view of the result.
    std::string_view concat(std::string_view a, std::string_view b);
    /// reset frees everything but the first block, which is kept for reuse.
    void reset() noexcept;

private:
    struct block;
    block* head_ = nullptr;   // newest block, the one being filled
    char* cursor_ = nullptr;  // next free byte in head_
    char* limit_ = nullptr;   // end of head_'s storage
    void release_all() noexcept;
};

}  // namespace ringhttp::detail
