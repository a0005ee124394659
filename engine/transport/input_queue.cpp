// The receive queue's slow paths: assemblies for bytes split across
// buffers, pinning, and giving everything back.
#include "engine/transport/input_queue.hpp"

#include <cstdlib>
#include <cstring>

namespace ringhttp::engine {

void input_queue::free_assembly() noexcept {
    std::free(asm_);
    asm_ = nullptr;
    asm_pinned_ = false;
}

bool input_queue::gather_queued(buffer_pool& pool) {
    assembly* a = asm_;
    if (a->off > 0) {
        std::memmove(a->data, a->data + a->off, a->len - a->off);
        a->len -= a->off;
        a->off = 0;
    }
    while (head_ != buffer_pool::none) {
        const std::uint16_t bid = head_;
        const std::uint32_t n = pool.length(bid) - off_;
        if (a->len + n > a->cap) {
            std::uint32_t cap = a->cap;
            while (cap < a->len + n) cap *= 2;
            auto* grown = static_cast<assembly*>(std::realloc(a, offsetof(assembly, data) + cap + 1));
            if (grown == nullptr) return false;
            a = asm_ = grown;
            a->cap = cap;
        }
        std::memcpy(a->data + a->len, pool.data(bid) + off_, n);
        a->len += n;
        head_ = pool.next(bid);
        off_ = 0;
        --count_;
        pool.recycle(bid);
    }
    tail_ = buffer_pool::none;
    return true;
}

bool input_queue::move_to_assembly(buffer_pool& pool, std::string_view view) {
    // Only called when the view is a pool buffer's: no assembly is in use.
    free_assembly();
    std::uint32_t cap = 4096;
    while (cap < view.size() * 2) cap *= 2;
    auto* a = static_cast<assembly*>(std::malloc(offsetof(assembly, data) + cap + 1));
    if (a == nullptr) return false;
    a->cap = cap;
    a->len = static_cast<std::uint32_t>(view.size());
    a->off = 0;
    std::memcpy(a->data, view.data(), view.size());
    consume(pool, view.size());  // hands the buffer back
    asm_ = a;
    asm_pinned_ = false;
    return true;
}

void input_queue::unpin_assembly() noexcept {
    asm_pinned_ = false;
    if (asm_->off == asm_->len) free_assembly();
}

void input_queue::release(buffer_pool& pool, bool keep_pinned) noexcept {
    while (head_ != buffer_pool::none) {
        const std::uint16_t bid = head_;
        head_ = pool.next(bid);
        if (bid != pinned_) pool.recycle(bid);  // a pinned one goes back once: below, or at unpin
    }
    tail_ = buffer_pool::none;
    count_ = 0;
    off_ = 0;
    if (asm_ != nullptr) {
        // Its unread bytes are dropped; a pinned one's memory stays for unpin to free.
        if (keep_pinned && asm_pinned_) asm_->off = asm_->len;
        else free_assembly();
    }
    if (keep_pinned) return;
    if (pinned_ != buffer_pool::none) {
        pool.recycle(pinned_);
        pinned_ = buffer_pool::none;
    }
}

void input_queue::free_all() noexcept {
    std::free(asm_);
    asm_ = nullptr;
}

}  // namespace ringhttp::engine
