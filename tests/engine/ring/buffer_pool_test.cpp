// The provided-buffer pool (engine/ring/buffer_pool.*), on a real io_uring:
// a multishot recv on a socket pair takes its buffers from the pool's group.
// The kernel fills at most buffer_size - 1 bytes (the last is the parser's
// sentinel), runs out with ENOBUFS, the pool grows by a batch up to its
// maximum, and a recycled buffer is offered again at the next commit. The
// per-buffer length and link make a connection's receive queue.
#include "engine/ring/buffer_pool.hpp"

#include <catch2/catch_test_macros.hpp>
#include <catch2/generators/catch_generators.hpp>

#include <liburing.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <set>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "tests/support/recv_rig.hpp"

using ringhttp::engine::buffer_pool;

using test_support::completion;
using test_support::pattern;
using test_support::reap;
using rig = test_support::recv_rig;

namespace {

// The bytes of the completions' buffers, in order.
std::string gather(const buffer_pool& pool, const std::vector<completion>& cs) {
    std::string s;
    for (const completion& c : cs)
        if (c.res > 0) s.append(pool.data(c.bid), static_cast<std::size_t>(c.res));
    return s;
}

}  // namespace

TEST_CASE("buffer pool: init provides the initial batch of buffers, each its own memory", "[ring][buffer_pool]") {
    rig r;
    buffer_pool pool;
    REQUIRE_FALSE(pool.init(&r.ring, 3, 4096, 16, 64));
    CHECK(pool.total() == 16);
    CHECK(pool.buffer_size() == 4096);
    CHECK(pool.group() == 3);
    std::set<char*> seen;
    for (std::uint16_t bid = 0; bid < pool.total(); ++bid) {
        char* p = pool.data(bid);
        REQUIRE(p != nullptr);
        seen.insert(p);
        // Writable over the whole buffer, and no two buffers overlap.
        std::memset(p, static_cast<int>(bid), pool.buffer_size());
    }
    CHECK(seen.size() == 16);
    for (std::uint16_t bid = 0; bid < pool.total(); ++bid) {
        CHECK(pool.data(bid)[0] == static_cast<char>(bid));
        CHECK(pool.data(bid)[pool.buffer_size() - 1] == static_cast<char>(bid));
    }
}

TEST_CASE("buffer pool: a fresh buffer has no length and no successor", "[ring][buffer_pool]") {
    rig r;
    buffer_pool pool;
    REQUIRE_FALSE(pool.init(&r.ring, 0, 1024, 8, 8));
    for (std::uint16_t bid = 0; bid < pool.total(); ++bid) {
        CHECK(pool.length(bid) == 0);
        CHECK(pool.next(bid) == buffer_pool::none);
    }
}

TEST_CASE("buffer pool: the kernel fills at most buffer_size - 1 bytes, leaving the sentinel byte", "[ring][buffer_pool]") {
    rig r;
    buffer_pool pool;
    REQUIRE_FALSE(pool.init(&r.ring, 1, 64, 4, 8));
    for (std::uint16_t bid = 0; bid < pool.total(); ++bid) pool.data(bid)[63] = '#';
    const std::string sent = pattern(200);  // 63 + 63 + 63 + 11
    r.send(sent);
    r.arm_recv(pool.group());
    const std::vector<completion> cs = reap(r, sent.size());
    REQUIRE(cs.size() == 4);
    std::set<std::uint16_t> bids;
    for (const completion& c : cs) {
        CHECK(c.has_buffer);
        CHECK(c.more);
        CHECK(c.res > 0);
        CHECK(c.res <= 63);
        bids.insert(c.bid);
        pool.delivered();
    }
    CHECK(cs.front().res == 63);  // a full buffer is 63 bytes, not 64
    CHECK(bids.size() == 4);      // four different buffers
    CHECK(gather(pool, cs) == sent);
    for (std::uint16_t bid = 0; bid < pool.total(); ++bid) CHECK(pool.data(bid)[63] == '#');
}

TEST_CASE("buffer pool: when the kernel runs out (ENOBUFS) the pool grows by a batch", "[ring][buffer_pool]") {
    rig r;
    buffer_pool pool;
    REQUIRE_FALSE(pool.init(&r.ring, 2, 32, 2, 8));
    REQUIRE(pool.total() == 2);
    const std::string first = pattern(62);  // fills both buffers (31 + 31)
    r.send(first);
    r.arm_recv(pool.group());
    std::vector<completion> cs = reap(r, first.size());
    REQUIRE(cs.size() == 2);
    CHECK(gather(pool, cs) == first);

    // More data with no buffer left: the multishot recv ends with ENOBUFS.
    const std::string second = pattern(100, 5);
    r.send(second);
    cs = reap(r, 1);
    REQUIRE(cs.size() == 1);
    CHECK(cs[0].res == -ENOBUFS);
    CHECK_FALSE(cs[0].more);

    // Grow by a batch of `initial` (2) and receive again: the new buffers,
    // ids 2 and 3, take the first 62 bytes (the rest waits for more).
    REQUIRE(pool.grow());
    CHECK(pool.total() == 4);
    r.arm_recv(pool.group());
    cs = reap(r, 62);
    REQUIRE(cs.size() == 2);
    CHECK(cs[0].bid >= 2);
    CHECK(cs[1].bid >= 2);
    CHECK(gather(pool, cs) == second.substr(0, 62));
}

TEST_CASE("buffer pool: grow adds batches up to the maximum, the last one partial", "[ring][buffer_pool]") {
    rig r;
    buffer_pool pool;
    REQUIRE_FALSE(pool.init(&r.ring, 0, 256, 3, 8));
    CHECK(pool.total() == 3);
    CHECK(pool.grow());
    CHECK(pool.total() == 6);
    CHECK(pool.grow());
    CHECK(pool.total() == 8);  // only 2 of the batch of 3 fit
    CHECK_FALSE(pool.grow());
    CHECK(pool.total() == 8);
    // Buffers made by earlier batches keep their addresses and contents.
    std::set<char*> all;
    for (std::uint16_t bid = 0; bid < pool.total(); ++bid) all.insert(pool.data(bid));
    CHECK(all.size() == 8);
}

TEST_CASE("buffer pool: a recycled buffer is offered to the kernel again at commit", "[ring][buffer_pool]") {
    rig r;
    buffer_pool pool;
    REQUIRE_FALSE(pool.init(&r.ring, 4, 16, 2, 2));
    const std::string first = pattern(30);  // both buffers, 15 bytes each
    r.send(first);
    r.arm_recv(pool.group());
    std::vector<completion> cs = reap(r, first.size());
    REQUIRE(cs.size() == 2);
    for (std::size_t i = 0; i < cs.size(); ++i) pool.delivered();
    CHECK_FALSE(pool.commit());  // nothing recycled yet

    const std::uint16_t back = cs[1].bid;
    pool.length(back) = 15;
    pool.next(back) = cs[0].bid;
    pool.recycle(back);
    // Recycling forgets the queue metadata.
    CHECK(pool.length(back) == 0);
    CHECK(pool.next(back) == buffer_pool::none);
    CHECK(pool.commit());
    CHECK_FALSE(pool.commit());  // published once

    // The multishot recv is still armed: the next bytes land in that buffer.
    REQUIRE(cs[1].more);
    r.send("0123456789");
    cs = reap(r, 10);
    REQUIRE(cs.size() == 1);
    CHECK(cs[0].res == 10);
    CHECK(cs[0].bid == back);
    CHECK(std::string_view(pool.data(back), 10) == "0123456789");
}

TEST_CASE("buffer pool: a recycled buffer waits for commit before the kernel sees it", "[ring][buffer_pool]") {
    rig r;
    buffer_pool pool;
    REQUIRE_FALSE(pool.init(&r.ring, 5, 16, 1, 1));
    r.send(pattern(15));
    r.arm_recv(pool.group());
    std::vector<completion> cs = reap(r, 15);
    REQUIRE(cs.size() == 1);
    pool.delivered();
    pool.recycle(cs[0].bid);  // not committed
    r.send("x");
    cs = reap(r, 1);
    REQUIRE(cs.size() == 1);
    CHECK(cs[0].res == -ENOBUFS);
    // Committed, the buffer serves the next recv.
    CHECK(pool.commit());
    r.arm_recv(pool.group());
    cs = reap(r, 1);
    REQUIRE(cs.size() == 1);
    CHECK(cs[0].res == 1);
    CHECK(pool.data(cs[0].bid)[0] == 'x');
}

TEST_CASE("buffer pool: length and next link a connection's receive queue", "[ring][buffer_pool]") {
    rig r;
    buffer_pool pool;
    REQUIRE_FALSE(pool.init(&r.ring, 0, 128, 8, 8));
    // No recv runs on this pool: the test plays the kernel's part with
    // delivered(), and which buffers it names does not matter.
    // Queue 5, 2, 7 as a connection does (enqueue), then walk it.
    const std::uint16_t order[] = {5, 2, 7};
    std::uint16_t head = buffer_pool::none, tail = buffer_pool::none;
    for (std::uint16_t bid : order) {
        pool.delivered();
        pool.length(bid) = 100u + bid;
        pool.next(bid) = buffer_pool::none;
        if (tail == buffer_pool::none) head = bid;
        else pool.next(tail) = bid;
        tail = bid;
    }
    std::vector<std::uint16_t> walked;
    std::vector<std::uint32_t> lengths;
    for (std::uint16_t b = head; b != buffer_pool::none; b = pool.next(b)) {
        walked.push_back(b);
        lengths.push_back(pool.length(b));
    }
    CHECK(walked == std::vector<std::uint16_t>{5, 2, 7});
    CHECK(lengths == std::vector<std::uint32_t>{105, 102, 107});
    // The other buffers' metadata is untouched.
    CHECK(pool.length(0) == 0);
    CHECK(pool.next(0) == buffer_pool::none);
    // Consuming the head gives it back: its link is gone, the rest stays.
    const std::uint16_t first = head;
    head = pool.next(first);
    pool.recycle(first);
    CHECK(pool.next(first) == buffer_pool::none);
    CHECK(head == 2);
    CHECK(pool.next(2) == 7);
    CHECK(pool.length(2) == 102);
}

TEST_CASE("buffer pool: under pressure once connections hold half the maximum", "[ring][buffer_pool]") {
    rig r;
    buffer_pool pool;
    // The maximum (16) counts, not the buffers made so far (4). No recv
    // runs: delivered() plays the kernel's part.
    REQUIRE_FALSE(pool.init(&r.ring, 0, 128, 4, 16));
    for (int i = 0; i < 7; ++i) pool.delivered();
    CHECK_FALSE(pool.under_pressure());
    pool.delivered();  // 8 of 16
    CHECK(pool.under_pressure());
    pool.recycle(0);
    CHECK_FALSE(pool.under_pressure());
}

TEST_CASE("buffer pool: init reports what the kernel refuses", "[ring][buffer_pool]") {
    rig r;
    SECTION("a maximum that is not a power of two") {
        buffer_pool pool;
        const std::error_code ec = pool.init(&r.ring, 0, 128, 4, 12);
        CHECK(ec == std::errc::invalid_argument);
        CHECK(pool.total() == 0);
    }
    SECTION("a group already registered on the ring") {
        buffer_pool a, b;
        REQUIRE_FALSE(a.init(&r.ring, 7, 128, 4, 8));
        const std::error_code ec = b.init(&r.ring, 7, 128, 4, 8);
        CHECK(ec == std::errc::file_exists);
        CHECK(b.total() == 0);
        CHECK(a.total() == 4);  // the first pool is unharmed
    }
}

TEST_CASE("buffer pool: release unregisters the group, so it can be registered again", "[ring][buffer_pool]") {
    rig r;
    buffer_pool a;
    REQUIRE_FALSE(a.init(&r.ring, 9, 128, 4, 8));
    a.release();
    CHECK(a.total() == 0);
    a.release();  // a second release is harmless
    buffer_pool b;
    REQUIRE_FALSE(b.init(&r.ring, 9, 128, 4, 8));
    r.send("hello");
    r.arm_recv(b.group());
    const std::vector<completion> cs = reap(r, 5);
    REQUIRE(cs.size() == 1);
    CHECK(std::string_view(b.data(cs[0].bid), 5) == "hello");
}

TEST_CASE("buffer pool: two pools on one ring keep to their own groups", "[ring][buffer_pool]") {
    rig r;
    buffer_pool a, b;
    REQUIRE_FALSE(a.init(&r.ring, 1, 64, 4, 4));
    REQUIRE_FALSE(b.init(&r.ring, 2, 64, 4, 4));
    r.send("for b");
    r.arm_recv(b.group());
    const std::vector<completion> cs = reap(r, 5);
    REQUIRE(cs.size() == 1);
    CHECK(std::string_view(b.data(cs[0].bid), 5) == "for b");
    CHECK(std::string_view(a.data(cs[0].bid), 5) != "for b");
}
