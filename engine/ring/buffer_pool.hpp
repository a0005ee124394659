// ringhttp: the receive buffers, a provided-buffer ring (IORING_REGISTER_PBUF_RING).
#pragma once

#include <cstddef>
#include <cstdint>
#include <system_error>
#include <vector>

struct io_uring;
struct io_uring_buf_ring;

namespace ringhttp::engine {

/// buffer_pool owns one ring's receive buffers and the provided-buffer ring
/// the kernel picks them from for multishot recv. A buffer the kernel filled
/// belongs to a connection until recycle() gives it back; it is made visible
/// to the kernel again at the next commit(). The pool starts small and grows
/// by a batch when the kernel runs out (ENOBUFS), up to its maximum. The
/// kernel may fill all of a buffer but its last byte, which stays free for
/// the parser's sentinel after the received data. Each
/// buffer also carries a length and a link so connections can queue the
/// buffers they hold without memory of their own. One ring thread only.
class buffer_pool {
public:
    static constexpr std::uint16_t none = 0xffff;

    buffer_pool() = default;
    buffer_pool(const buffer_pool&) = delete;
    buffer_pool& operator=(const buffer_pool&) = delete;
    ~buffer_pool();

    /// init registers the buffer ring as group bgid with room for max_buffers
    /// (a power of two, at most 32768) and provides `initial` buffers.
    std::error_code init(io_uring* ring, std::uint16_t bgid, std::uint32_t buffer_size, std::uint32_t initial,
                         std::uint32_t max_buffers);
    /// release unregisters the ring and frees the memory; init may not be repeated.
    void release() noexcept;

    char* data(std::uint16_t bid) const noexcept { return addrs_[bid]; }
    std::uint32_t buffer_size() const noexcept { return buffer_size_; }

    /// delivered notes that the kernel filled a buffer: a connection holds it now.
    void delivered() noexcept { ++held_; }
    /// recycle hands a buffer back; it is offered to the kernel at commit().
    void recycle(std::uint16_t bid) noexcept;
    /// under_pressure reports whether connections hold half of all the
    /// buffers the pool may ever have: time to stop pinning them for long.
    bool under_pressure() const noexcept { return held_ * 2 >= entries_; }
    /// commit publishes the recycled buffers to the kernel; true if any.
    bool commit() noexcept;
    /// grow adds a batch of new buffers; false when at the maximum.
    bool grow();

    /// Per-buffer bookkeeping for a connection's receive queue.
    std::uint32_t& length(std::uint16_t bid) noexcept { return meta_[bid].length; }
    std::uint16_t& next(std::uint16_t bid) noexcept { return meta_[bid].next; }

    std::uint32_t total() const noexcept { return static_cast<std::uint32_t>(addrs_.size()); }
    std::uint16_t group() const noexcept { return bgid_; }

private:
    struct meta {
        std::uint32_t length = 0;
        std::uint16_t next = none;
    };
    io_uring* ring_ = nullptr;
    io_uring_buf_ring* br_ = nullptr;
    std::uint32_t entries_ = 0;
    std::uint32_t buffer_size_ = 0;
    std::uint32_t batch_ = 0;
    std::uint16_t bgid_ = 0;
    std::uint32_t pending_ = 0;  // recycled, not yet committed
    std::uint32_t held_ = 0;     // filled by the kernel, not yet recycled
    std::vector<char*> addrs_;
    std::vector<meta> meta_;
    std::vector<std::pair<void*, std::size_t>> chunks_;  // mmap'd regions
    void add(std::uint16_t bid) noexcept;
};

}  // namespace ringhttp::engine
