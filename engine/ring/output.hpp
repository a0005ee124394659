// ringhttp: a connection's outgoing bytes, a chain of 4 KB buffers.
#pragma once

#include <cstddef>
#include <cstdint>
#include <algorithm>
#include <cstring>
#include <string_view>
#include <vector>

namespace ringhttp::engine {

/// out_buf is one 4 KB block of outgoing bytes; [start, len) is unsent.
struct out_buf {
    static constexpr std::uint32_t capacity = 4096 - 16;
    out_buf* next = nullptr;
    std::uint32_t len = 0;
    std::uint32_t start = 0;
    char data[capacity];
};
static_assert(sizeof(out_buf) == 4096);

/// out_pool recycles out_bufs for one ring, so steady-state responses
/// allocate nothing. It keeps at most `keep` free blocks. One thread only.
class out_pool {
public:
    explicit out_pool(std::size_t keep = 1024) : keep_(keep) {}
    out_pool(const out_pool&) = delete;
    out_pool& operator=(const out_pool&) = delete;
    ~out_pool() {
        for (out_buf* b : free_) delete b;
    }
    out_buf* get() {
        if (free_.empty()) return new out_buf;
        out_buf* b = free_.back();
        free_.pop_back();
        b->next = nullptr;
        b->len = b->start = 0;
        return b;
    }
    void put(out_buf* b) {
        if (free_.size() < keep_) free_.push_back(b);
        else delete b;
    }

private:
    std::vector<out_buf*> free_;
    std::size_t keep_;
};

/// out_chain is the queue of a connection's unsent bytes: appended at the
/// tail, sent and freed from the head. Bytes already handed to the kernel stay
/// untouched; appending after them is safe while a send is in flight.
class out_chain {
public:
    bool empty() const noexcept { return bytes_ == 0; }
    std::size_t bytes() const noexcept { return bytes_; }
    out_buf* head() const noexcept { return head_; }

    /// append copies data to the tail, taking blocks from pool as needed.
    void append(out_pool& pool, std::string_view data) {
        while (!data.empty()) {
            if (tail_ == nullptr || tail_->len == out_buf::capacity) add_block(pool);
            std::size_t n = std::min<std::size_t>(data.size(), out_buf::capacity - tail_->len);
            std::memcpy(tail_->data + tail_->len, data.data(), n);
            tail_->len += static_cast<std::uint32_t>(n);
            bytes_ += n;
            data.remove_prefix(n);
        }
    }
    /// reserve returns room for n contiguous bytes at the tail (n must not
    /// exceed out_buf::capacity); commit(n) then makes them part of the chain.
    char* reserve(out_pool& pool, std::size_t n) {
        if (tail_ == nullptr || out_buf::capacity - tail_->len < n) add_block(pool);
        return tail_->data + tail_->len;
    }
    void commit(std::size_t n) noexcept {
        tail_->len += static_cast<std::uint32_t>(n);
        bytes_ += n;
    }
    /// consume drops n sent bytes from the head, returning emptied blocks.
    void consume(out_pool& pool, std::size_t n) {
        bytes_ -= n;
        while (n > 0) {
            std::size_t in_head = head_->len - head_->start;
            if (n < in_head) {
                head_->start += static_cast<std::uint32_t>(n);
                return;
            }
            n -= in_head;
            pop_head(pool);
        }
        // Drop a fully sent head so the next response starts a fresh block.
        while (head_ != nullptr && head_->start == head_->len) pop_head(pool);
    }
    /// clear frees everything (an aborted connection).
    void clear(out_pool& pool) {
        while (head_ != nullptr) pop_head(pool);
        bytes_ = 0;
    }

private:
    out_buf* head_ = nullptr;
    out_buf* tail_ = nullptr;
    std::size_t bytes_ = 0;

    void add_block(out_pool& pool) {
        out_buf* b = pool.get();
        if (tail_ != nullptr) tail_->next = b;
        else head_ = b;
        tail_ = b;
    }
    void pop_head(out_pool& pool) {
        out_buf* b = head_;
        head_ = b->next;
        if (head_ == nullptr) tail_ = nullptr;
        pool.put(b);
    }
};

}  // namespace ringhttp::engine
