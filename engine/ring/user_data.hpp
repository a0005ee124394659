// ringhttp: what an io_uring completion is for, in its 64-bit user_data.
#pragma once

#include <cstdint>

namespace ringhttp::engine {

/// ring_op is the operation an SQE was submitted for.
enum ring_op : std::uint8_t { op_accept = 1, op_recv, op_send, op_wake, op_cancel, op_close, op_timer, op_file_read };

/// user_data encodes and decodes the 64 bits the kernel hands back with each
/// completion: bits 0-7 the operation, bits 8-31 the connection slot's
/// generation (its low 24 bits), bits 32-63 the slot index. Slots are reused,
/// so a completion for a slot's earlier connection is recognized by its
/// generation and dropped. Operations not tied to a connection (accept, wake,
/// timer, cancel) carry the operation alone.
struct user_data {
    static constexpr std::uint64_t gen_mask = 0xffffff;

    static constexpr std::uint64_t encode(ring_op o) noexcept { return o; }
    static constexpr std::uint64_t encode(ring_op o, std::uint32_t index, std::uint32_t gen) noexcept {
        return std::uint64_t{index} << 32 | (std::uint64_t{gen} & gen_mask) << 8 | o;
    }
    static constexpr ring_op op_of(std::uint64_t data) noexcept { return static_cast<ring_op>(data & 0xff); }
    static constexpr std::uint32_t index_of(std::uint64_t data) noexcept {
        return static_cast<std::uint32_t>(data >> 32);
    }
    /// matches reports whether data was submitted for a slot whose generation is still gen.
    static constexpr bool matches(std::uint64_t data, std::uint32_t gen) noexcept {
        return ((data >> 8) & gen_mask) == (gen & gen_mask);
    }
};

}  // namespace ringhttp::engine
