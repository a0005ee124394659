#include <ringhttp/detail/arena.hpp>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <new>
#include <utility>

namespace ringhttp::detail {

struct arena::block {
    block* next;
    std::size_t size;  // bytes of storage after the header
    char* storage() noexcept { return reinterpret_cast<char*>(this + 1); }
};

namespace {
constexpr std::size_t first_block_size = 2048 - sizeof(void*) * 2;
constexpr std::size_t align8(std::size_t n) noexcept { return (n + 7) & ~std::size_t{7}; }
}  // namespace

arena::arena(arena&& other) noexcept
    : head_(std::exchange(other.head_, nullptr)),
      cursor_(std::exchange(other.cursor_, nullptr)),
      limit_(std::exchange(other.limit_, nullptr)) {}

arena& arena::operator=(arena&& other) noexcept {
    if (this != &other) {
        release_all();
        head_ = std::exchange(other.head_, nullptr);
        cursor_ = std::exchange(other.cursor_, nullptr);
        limit_ = std::exchange(other.limit_, nullptr);
    }
    return *this;
}

arena::~arena() { release_all(); }

void arena::release_all() noexcept {
    while (head_ != nullptr) {
        block* next = head_->next;
        std::free(head_);
        head_ = next;
    }
    cursor_ = limit_ = nullptr;
}

char* arena::allocate(std::size_t n) {
    n = align8(std::max<std::size_t>(n, 1));
    if (static_cast<std::size_t>(limit_ - cursor_) < n) {
        std::size_t size = std::max(n, head_ == nullptr ? first_block_size : head_->size * 2);
        auto* b = static_cast<block*>(std::malloc(sizeof(block) + size));
        if (b == nullptr) throw std::bad_alloc();
        b->next = head_;
        b->size = size;
        head_ = b;
        cursor_ = b->storage();
        limit_ = cursor_ + size;
    }
    char* p = cursor_;
    cursor_ += n;
    return p;
}

std::string_view arena::copy(std::string_view s) {
    if (s.empty()) return {};
    char* p = allocate(s.size());
    std::memcpy(p, s.data(), s.size());
    return {p, s.size()};
}

std::string_view arena::concat(std::string_view a, std::string_view b) {
    if (a.empty() && b.empty()) return {};
    char* p = allocate(a.size() + b.size());
    if (!a.empty()) std::memcpy(p, a.data(), a.size());
    if (!b.empty()) std::memcpy(p + a.size(), b.data(), b.size());
    return {p, a.size() + b.size()};
}

void arena::reset() noexcept {
    if (head_ == nullptr) return;
    // Keep the newest block, which is the largest (sizes double), so a warm
    // arena stops allocating; free the older ones.
    block* old = head_->next;
    head_->next = nullptr;
    while (old != nullptr) {
        block* next = old->next;
        std::free(old);
        old = next;
    }
    cursor_ = head_->storage();
    limit_ = cursor_ + head_->size;
}

}  // namespace ringhttp::detail
