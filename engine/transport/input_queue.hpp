// ringhttp: a connection's received bytes, in the ring's buffers, in order.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "engine/ring/buffer_pool.hpp"

namespace ringhttp::engine {

/// assembly holds bytes that must be contiguous but arrived split across
/// receive buffers (a request head), copied once, with whatever followed
/// them in the last buffer. [off, len) is unread; data has cap + 1 bytes,
/// the extra one for the parser's sentinel.
struct assembly {
    std::uint32_t cap;
    std::uint32_t len;
    std::uint32_t off;
    char data[1];
};

/// input_queue is a connection's unread received bytes: a list of the
/// pool's buffers, linked through the pool itself (so a queue costs no
/// memory of its own), optionally preceded by an assembly. The bytes are
/// read where they lie: peek() shows the next contiguous run, consume()
/// moves past it and hands each emptied buffer back. A reader that keeps
/// views into the bytes (a parsed request head) pins the buffer or the
/// assembly they lie in until unpin(). No I/O, one ring thread.
class input_queue {
public:
    /// push appends a buffer the kernel filled with len bytes.
    void push(buffer_pool& pool, std::uint16_t bid, std::uint32_t len) noexcept {
        pool.length(bid) = len;
        pool.next(bid) = buffer_pool::none;
        if (tail_ == buffer_pool::none) {
            head_ = tail_ = bid;
            off_ = 0;
        } else {
            pool.next(tail_) = bid;
            tail_ = bid;
        }
        ++count_;
    }

    /// peek returns the next unread bytes (empty when none), contiguous.
    std::string_view peek(buffer_pool& pool) const noexcept {
        if (reading_assembly()) return {asm_->data + asm_->off, asm_->len - asm_->off};
        if (head_ == buffer_pool::none) return {};
        return {pool.data(head_) + off_, pool.length(head_) - off_};
    }

    /// consume marks n bytes of peek() as read; true when that emptied a
    /// pool buffer (handed back unless pinned).
    bool consume(buffer_pool& pool, std::size_t n) noexcept {
        if (n == 0) return false;
        if (reading_assembly()) {
            asm_->off += static_cast<std::uint32_t>(n);
            if (asm_->off == asm_->len && !asm_pinned_) free_assembly();
            return false;
        }
        off_ += static_cast<std::uint32_t>(n);
        if (off_ < pool.length(head_)) return false;
        const std::uint16_t bid = head_;
        head_ = pool.next(bid);
        if (head_ == buffer_pool::none) tail_ = buffer_pool::none;
        off_ = 0;
        --count_;
        if (bid != pinned_) pool.recycle(bid);
        return true;
    }

    /// buffers is how many pool buffers the queue holds.
    std::uint16_t buffers() const noexcept { return count_; }
    bool empty(buffer_pool& pool) const noexcept { return peek(pool).empty(); }
    /// reading_assembly reports whether peek() shows the assembly.
    bool reading_assembly() const noexcept { return asm_ != nullptr && asm_->off < asm_->len; }
    /// at_assembly reports whether view (from peek) lies in the assembly.
    bool at_assembly(std::string_view view) const noexcept {
        return asm_ != nullptr && view.data() == asm_->data + asm_->off;
    }
    /// more_buffered reports whether bytes past peek()'s view already wait
    /// in a later pool buffer (and so could join it in an assembly).
    bool more_buffered(buffer_pool& pool) const noexcept {
        return !reading_assembly() && head_ != buffer_pool::none && pool.next(head_) != buffer_pool::none;
    }

    /// gather continues an assembly in use: copies every buffer queued since
    /// into it, once. False when memory ran out. (Inline: nearly always
    /// there is nothing to do, which is a compare, not a call.)
    [[nodiscard]] bool gather(buffer_pool& pool) {
        if (asm_ == nullptr || asm_pinned_ || head_ == buffer_pool::none) [[likely]] return true;
        return gather_queued(pool);
    }
    /// move_to_assembly copies view (peek()'s, from a pool buffer) to a new
    /// assembly and hands the buffer back. False when memory ran out.
    [[nodiscard]] bool move_to_assembly(buffer_pool& pool, std::string_view view);

    /// pin keeps the memory of the bytes peek() shows (the buffer, or the
    /// assembly when in_assembly) after they are consumed, for views into it.
    void pin(bool in_assembly) noexcept {
        if (in_assembly) asm_pinned_ = true;
        else pinned_ = head_;
    }
    /// unpin releases what pin() kept; once per request, inline.
    void unpin(buffer_pool& pool) noexcept {
        // The pinned buffer is free once no reader views it (unless still queued).
        if (pinned_ != buffer_pool::none) {
            if (pinned_ != head_) pool.recycle(pinned_);
            pinned_ = buffer_pool::none;
        }
        if (asm_pinned_) [[unlikely]] unpin_assembly();
    }
    /// release hands back every queued buffer; what is pinned stays until
    /// unpin() unless keep_pinned is false.
    void release(buffer_pool& pool, bool keep_pinned) noexcept;
    /// free_all frees the assembly without touching the pool (the pool is
    /// being torn down).
    void free_all() noexcept;

private:
    std::uint16_t head_ = buffer_pool::none;
    std::uint16_t tail_ = buffer_pool::none;
    std::uint16_t count_ = 0;
    std::uint16_t pinned_ = buffer_pool::none;  // the buffer a reader's views lie in
    std::uint32_t off_ = 0;                     // read offset in head_
    assembly* asm_ = nullptr;
    bool asm_pinned_ = false;

    void free_assembly() noexcept;
    bool gather_queued(buffer_pool& pool);
    void unpin_assembly() noexcept;
};

}  // namespace ringhttp::engine
