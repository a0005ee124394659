// The ring (engine/ring/ring.*) on a real io_uring: a wake-up from another
// thread ends the wait as an op_wake completion, one absolute timeout wakes
// the loop at its time and a later one does not replace it, an asynchronous
// and a synchronous cancel end a pending read, and every verb's completion
// carries the user_data it was submitted with.
#include "engine/ring/ring.hpp"

#include <catch2/catch_test_macros.hpp>

#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <thread>
#include <vector>

using ringhttp::engine::op_file_read;
using ringhttp::engine::op_recv;
using ringhttp::engine::op_send;
using ringhttp::engine::op_timer;
using ringhttp::engine::op_wake;
using ringhttp::engine::ring;
using ringhttp::engine::user_data;

namespace {

struct completion {
    std::uint64_t data;
    int res;
};

// Waits until a completion with op arrives; returns every completion seen.
std::vector<completion> wait_for(ring& r, ringhttp::engine::ring_op op) {
    std::vector<completion> seen;
    for (int rounds = 0; rounds < 100; ++rounds) {
        REQUIRE(r.submit_and_wait() == 0);
        bool found = false;
        r.drain([&](const io_uring_cqe& cqe) {
            seen.push_back({cqe.user_data, cqe.res});
            if (user_data::op_of(cqe.user_data) == op) found = true;
        });
        if (found) return seen;
    }
    FAIL("no completion for the op");
    return seen;
}

// Waits for the completion submitted with data and returns its result.
int result_of(ring& r, std::uint64_t data) {
    for (int rounds = 0; rounds < 100; ++rounds) {
        REQUIRE(r.submit_and_wait() == 0);
        int res = 1;
        bool found = false;
        r.drain([&](const io_uring_cqe& cqe) {
            if (cqe.user_data == data) {
                found = true;
                res = cqe.res;
            }
        });
        if (found) return res;
    }
    FAIL("no completion for the user_data");
    return 1;
}

struct socket_pair {
    int fds[2] = {-1, -1};
    socket_pair() { REQUIRE(::socketpair(AF_UNIX, SOCK_STREAM, 0, fds) == 0); }
    ~socket_pair() {
        for (int fd : fds) ::close(fd);
    }
};

void init_or_skip(ring& r) {
    if (std::error_code ec = r.init()) SKIP("no io_uring here: " << ec.message());
}

}  // namespace

TEST_CASE("a wake-up from another thread ends the wait as op_wake") {
    ring r;
    init_or_skip(r);
    r.arm_wake();
    std::thread waker([&] { r.wake(); });
    std::vector<completion> seen = wait_for(r, op_wake);
    waker.join();
    REQUIRE(seen.back().res == static_cast<int>(sizeof(std::uint64_t)));
    // Armed again, it takes the next wake-up too.
    r.arm_wake();
    r.wake();
    REQUIRE(user_data::op_of(wait_for(r, op_wake).back().data) == op_wake);
}

TEST_CASE("wake_at wakes the loop at its time; a later time does not replace an earlier one") {
    ring r;
    init_or_skip(r);
    const std::uint64_t start = ring::now_ns();
    r.wake_at(start + 30'000'000);
    r.wake_at(start + 5'000'000'000);  // later: ignored, the 30 ms one stays
    std::vector<completion> seen = wait_for(r, op_timer);
    REQUIRE(seen.size() == 1);
    REQUIRE(seen[0].res == -ETIME);
    const std::uint64_t took = ring::now_ns() - start;
    REQUIRE(took >= 20'000'000);  // the coarse clock may lag by a tick
    REQUIRE(took < 4'000'000'000);
    r.timer_fired(seen[0].res, ring::now_ns());
    // Fired and forgotten: a new time is armed, even a later one.
    r.wake_at(ring::now_ns() + 10'000'000);
    REQUIRE(wait_for(r, op_timer).back().res == -ETIME);
}

TEST_CASE("send, sendmsg and read complete with their user_data") {
    ring r;
    init_or_skip(r);
    socket_pair p;
    const std::uint64_t send_data = user_data::encode(op_send, 7, 3);
    r.send(p.fds[1], "hello", 5, send_data);
    REQUIRE(result_of(r, send_data) == 5);
    char buf[8] = {};
    const std::uint64_t read_data = user_data::encode(op_file_read, 9, 1);
    r.read(p.fds[0], buf, sizeof buf, 0, read_data);
    REQUIRE(result_of(r, read_data) == 5);
    REQUIRE(std::memcmp(buf, "hello", 5) == 0);

    // sendmsg with two pieces arrives as one stream.
    iovec iov[2] = {{const_cast<char*>("ab"), 2}, {const_cast<char*>("cde"), 3}};
    msghdr msg{};
    msg.msg_iov = iov;
    msg.msg_iovlen = 2;
    const std::uint64_t msg_data = user_data::encode(op_send, 7, 4);
    r.sendmsg(p.fds[1], &msg, msg_data);
    REQUIRE(result_of(r, msg_data) == 5);
    REQUIRE(::recv(p.fds[0], buf, sizeof buf, 0) == 5);
    REQUIRE(std::memcmp(buf, "abcde", 5) == 0);
}

TEST_CASE("cancel and cancel_now end a pending read with ECANCELED") {
    ring r;
    init_or_skip(r);
    socket_pair p;
    char buf[8];
    const std::uint64_t a = user_data::encode(op_recv, 1, 1);
    r.read(p.fds[0], buf, sizeof buf, 0, a);
    r.cancel(a);
    REQUIRE(result_of(r, a) == -ECANCELED);

    // cancel_now finds only what was submitted: submit the read with a wake-up.
    const std::uint64_t b = user_data::encode(op_recv, 2, 1);
    r.read(p.fds[0], buf, sizeof buf, 0, b);
    r.arm_wake();
    r.wake();
    wait_for(r, op_wake);
    r.cancel_now(b);  // synchronous (6.0+) or, where not, submitted as cancel()
    REQUIRE(result_of(r, b) == -ECANCELED);
}
