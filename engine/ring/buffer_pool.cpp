#include "engine/ring/buffer_pool.hpp"

#include <liburing.h>
#include <sys/mman.h>

#include <algorithm>
#include <cerrno>

namespace ringhttp::engine {

buffer_pool::~buffer_pool() { release(); }

std::error_code buffer_pool::init(io_uring* ring, std::uint16_t bgid, std::uint32_t buffer_size,
                                  std::uint32_t initial, std::uint32_t max_buffers) {
    ring_ = ring;
    bgid_ = bgid;
    buffer_size_ = buffer_size;
    entries_ = max_buffers;
    batch_ = initial;
    const std::size_t ring_bytes = sizeof(io_uring_buf) * entries_;
    void* mem = ::mmap(nullptr, ring_bytes, PROT_READ | PROT_WRITE, MAP_ANONYMOUS | MAP_PRIVATE, -1, 0);
    if (mem == MAP_FAILED) return {errno, std::system_category()};
    br_ = static_cast<io_uring_buf_ring*>(mem);
    chunks_.emplace_back(mem, ring_bytes);
    io_uring_buf_ring_init(br_);
    io_uring_buf_reg reg{};
    reg.ring_addr = reinterpret_cast<std::uintptr_t>(br_);
    reg.ring_entries = entries_;
    reg.bgid = bgid_;
    if (int rc = io_uring_register_buf_ring(ring_, &reg, 0); rc < 0) {
        release();
        return {-rc, std::system_category()};
    }
    addrs_.reserve(entries_);
    meta_.reserve(entries_);
    if (!grow()) return std::make_error_code(std::errc::not_enough_memory);
    return {};
}

void buffer_pool::release() noexcept {
    if (ring_ != nullptr && br_ != nullptr) io_uring_unregister_buf_ring(ring_, bgid_);
    for (auto [p, n] : chunks_) ::munmap(p, n);
    chunks_.clear();
    addrs_.clear();
    meta_.clear();
    br_ = nullptr;
    ring_ = nullptr;
}

void buffer_pool::add(std::uint16_t bid) noexcept {
    // The kernel may fill all but the last byte, which the parser uses as a sentinel.
    io_uring_buf_ring_add(br_, addrs_[bid], buffer_size_ - 1, bid, io_uring_buf_ring_mask(entries_),
                          static_cast<int>(pending_));
    ++pending_;
}

void buffer_pool::recycle(std::uint16_t bid) noexcept {
    --held_;
    meta_[bid] = meta{};
    add(bid);
}

bool buffer_pool::commit() noexcept {
    if (pending_ == 0) return false;
    io_uring_buf_ring_advance(br_, static_cast<int>(pending_));
    pending_ = 0;
    return true;
}

bool buffer_pool::grow() {
    const std::uint32_t have = total();
    if (have >= entries_) return false;
    const std::uint32_t count = std::min(batch_, entries_ - have);
    const std::size_t bytes = std::size_t{count} * buffer_size_;
    // MAP_NORESERVE: untouched buffer pages cost no memory.
    void* mem = ::mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_ANONYMOUS | MAP_PRIVATE | MAP_NORESERVE, -1, 0);
    if (mem == MAP_FAILED) return false;
    chunks_.emplace_back(mem, bytes);
    for (std::uint32_t i = 0; i < count; ++i) {
        addrs_.push_back(static_cast<char*>(mem) + std::size_t{i} * buffer_size_);
        meta_.emplace_back();
        add(static_cast<std::uint16_t>(have + i));
    }
    commit();
    return true;
}

}  // namespace ringhttp::engine
