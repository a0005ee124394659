// Tests of the receive path on a real io_uring: a ring, a socket pair and a
// multishot recv into a provided-buffer group, with its completions reaped.
#pragma once

#include <catch2/catch_test_macros.hpp>

#include <liburing.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

namespace test_support {

// A ring and a connected stream socket pair: fds[0] receives, fds[1] sends.
// Skips the test where io_uring cannot be set up.
struct recv_rig {
    io_uring ring{};
    int fds[2] = {-1, -1};
    explicit recv_rig(unsigned entries = 32) {
        if (int rc = io_uring_queue_init(entries, &ring, 0); rc < 0)
            SKIP("no io_uring here: " << std::strerror(-rc));
        REQUIRE(::socketpair(AF_UNIX, SOCK_STREAM, 0, fds) == 0);
    }
    ~recv_rig() {
        for (int fd : fds)
            if (fd >= 0) ::close(fd);
        io_uring_queue_exit(&ring);
    }
    recv_rig(const recv_rig&) = delete;
    recv_rig& operator=(const recv_rig&) = delete;

    void send(std::string_view s) const {
        REQUIRE(::write(fds[1], s.data(), s.size()) == static_cast<ssize_t>(s.size()));
    }

    // Arms a multishot recv on fds[0] that picks its buffers from group.
    void arm_recv(std::uint16_t group) {
        io_uring_sqe* sqe = io_uring_get_sqe(&ring);
        REQUIRE(sqe != nullptr);
        io_uring_prep_recv_multishot(sqe, fds[0], nullptr, 0, 0);
        sqe->flags |= IOSQE_BUFFER_SELECT;
        sqe->buf_group = group;
        io_uring_sqe_set_data64(sqe, 1);
        REQUIRE(io_uring_submit(&ring) == 1);
    }
};

struct completion {
    int res;
    bool more;        // IORING_CQE_F_MORE: the multishot recv is still armed
    bool has_buffer;  // IORING_CQE_F_BUFFER
    std::uint16_t bid;
};

// Reaps completions until `bytes` bytes arrived or the recv ended (a CQE
// without F_MORE), or nothing came for half a second.
inline std::vector<completion> reap(recv_rig& r, std::size_t bytes) {
    std::vector<completion> out;
    std::size_t got = 0;
    for (;;) {
        io_uring_cqe* cqe = nullptr;
        __kernel_timespec ts{.tv_sec = 0, .tv_nsec = 500'000'000};
        if (io_uring_wait_cqe_timeout(&r.ring, &cqe, &ts) < 0) break;
        completion c{cqe->res, (cqe->flags & IORING_CQE_F_MORE) != 0, (cqe->flags & IORING_CQE_F_BUFFER) != 0,
                     static_cast<std::uint16_t>(cqe->flags >> IORING_CQE_BUFFER_SHIFT)};
        io_uring_cqe_seen(&r.ring, cqe);
        out.push_back(c);
        if (c.res > 0) got += static_cast<std::size_t>(c.res);
        if (!c.more || got >= bytes) break;
    }
    return out;
}

// n bytes of a recognizable pattern; seed shifts it.
inline std::string pattern(std::size_t n, std::size_t seed = 0) {
    std::string s(n, '\0');
    for (std::size_t i = 0; i < n; ++i) s[i] = static_cast<char>('A' + (i + seed) % 23);
    return s;
}

}  // namespace test_support
