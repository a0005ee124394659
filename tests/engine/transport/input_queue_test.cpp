// The receive queue (engine/transport/input_queue.*) on a real io_uring: a
// multishot recv on a socket pair fills 64-byte buffers of a real
// buffer_pool (63 bytes each, the last is the sentinel), and each filled
// buffer is pushed as the worker does. peek and consume read the bytes in
// order across buffers and hand each emptied one back, which the next recv
// fills again once committed; an assembly gathers bytes split across
// buffers; a pinned buffer or assembly outlives its bytes' consumption until
// unpin; release drops what is queued, pinned included or not.
//
// The pool's own signals prove where a buffer went: commit() is true only
// when something was recycled, the kernel answers ENOBUFS only when no
// buffer is offered, and under_pressure() turns true if the pool counts a
// buffer recycled twice (its held count wraps below zero).
#include "engine/transport/input_queue.hpp"

#include <catch2/catch_test_macros.hpp>

#include <liburing.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "engine/ring/buffer_pool.hpp"

#include "tests/support/recv_rig.hpp"

using ringhttp::engine::buffer_pool;
using ringhttp::engine::input_queue;

using test_support::completion;
using test_support::pattern;
using test_support::reap;
using rig = test_support::recv_rig;

namespace {

constexpr std::uint32_t buffer_size = 64;
constexpr std::size_t fill = buffer_size - 1;  // the kernel fills all but the sentinel byte

// Receives `bytes` bytes (already sent) and queues every filled buffer, as
// the worker does; returns the buffers' ids in order.
std::vector<std::uint16_t> take(rig& r, buffer_pool& pool, input_queue& q, std::size_t bytes) {
    const std::vector<completion> cs = reap(r, bytes);
    std::vector<std::uint16_t> bids;
    std::size_t got = 0;
    for (const completion& c : cs) {
        REQUIRE(c.res > 0);
        REQUIRE(c.has_buffer);
        pool.delivered();
        q.push(pool, c.bid, static_cast<std::uint32_t>(c.res));
        bids.push_back(c.bid);
        got += static_cast<std::size_t>(c.res);
    }
    REQUIRE(got == bytes);
    return bids;
}

// Sends s and queues what arrives.
std::vector<std::uint16_t> send_and_take(rig& r, buffer_pool& pool, input_queue& q, std::string_view s) {
    r.send(s);
    return take(r, pool, q, s.size());
}

// Expects the next recv to end with ENOBUFS: no buffer is offered to the kernel.
void expect_no_buffer(rig& r) {
    r.send("x");
    const std::vector<completion> cs = reap(r, 1);
    REQUIRE(cs.size() == 1);
    CHECK(cs[0].res == -ENOBUFS);
    CHECK_FALSE(cs[0].more);
}

// Reads the whole queue through peek and consume, at most step bytes at a
// time; counts the consumes that emptied a buffer.
std::string read_all(input_queue& q, buffer_pool& pool, std::size_t step, int& emptied) {
    std::string s;
    for (std::string_view v = q.peek(pool); !v.empty(); v = q.peek(pool)) {
        const std::size_t n = v.size() < step ? v.size() : step;
        s.append(v.substr(0, n));
        if (q.consume(pool, n)) ++emptied;
    }
    return s;
}

std::set<std::uint16_t> all_ids(const buffer_pool& pool) {
    std::set<std::uint16_t> ids;
    for (std::uint16_t bid = 0; bid < pool.total(); ++bid) ids.insert(bid);
    return ids;
}

// Every buffer is the kernel's again, each exactly once: a pool's worth of
// bytes fills every id, and then no buffer is left (not five of four).
void expect_each_buffer_back_once(rig& r, buffer_pool& pool, input_queue& q, std::size_t seed) {
    const std::vector<std::uint16_t> all = send_and_take(r, pool, q, pattern(pool.total() * fill, seed));
    CHECK(std::set<std::uint16_t>(all.begin(), all.end()) == all_ids(pool));
    expect_no_buffer(r);
}

}  // namespace

TEST_CASE("input_queue: peek shows the first buffer's unread bytes and consume moves within and past it",
          "[transport][input_queue]") {
    rig r(128);
    buffer_pool pool;
    REQUIRE_FALSE(pool.init(&r.ring, 1, buffer_size, 4, 4));
    input_queue q;
    CHECK(q.peek(pool).empty());
    CHECK(q.empty(pool));
    CHECK(q.buffers() == 0);

    const std::string sent = pattern(200);  // 63 + 63 + 63 + 11
    r.arm_recv(pool.group());
    const std::vector<std::uint16_t> bids = send_and_take(r, pool, q, sent);
    REQUIRE(bids.size() == 4);
    CHECK(q.buffers() == 4);
    CHECK_FALSE(q.reading_assembly());

    // The bytes are read where the kernel put them.
    std::string_view v = q.peek(pool);
    CHECK(v == std::string_view(sent).substr(0, fill));
    CHECK(v.data() == pool.data(bids[0]));
    CHECK_FALSE(q.at_assembly(v));

    CHECK_FALSE(q.consume(pool, 10));  // within the buffer
    CHECK(q.buffers() == 4);
    v = q.peek(pool);
    CHECK(v == std::string_view(sent).substr(10, fill - 10));
    CHECK(v.data() == pool.data(bids[0]) + 10);
    CHECK_FALSE(q.consume(pool, 0));

    CHECK(q.consume(pool, fill - 10));  // the rest of it: past the buffer
    CHECK(q.buffers() == 3);
    v = q.peek(pool);
    CHECK(v == std::string_view(sent).substr(fill, fill));
    CHECK(v.data() == pool.data(bids[1]));

    // The rest, 7 bytes at a time across the buffer boundaries, in order.
    int emptied = 0;
    CHECK(read_all(q, pool, 7, emptied) == sent.substr(fill));
    CHECK(emptied == 3);
    CHECK(q.buffers() == 0);
    CHECK(q.peek(pool).empty());
    CHECK(q.empty(pool));
}

TEST_CASE("input_queue: bytes read in order equal the bytes sent, over several receives",
          "[transport][input_queue]") {
    rig r(128);
    buffer_pool pool;
    REQUIRE_FALSE(pool.init(&r.ring, 2, buffer_size, 8, 8));
    input_queue q;
    r.arm_recv(pool.group());
    std::string sent, read;
    int emptied = 0;
    for (std::size_t round = 0; round < 20; ++round) {
        // Sizes that end mid-buffer and on a boundary; some rounds read only
        // part of the queue, so the rest waits under newly queued buffers.
        const std::string s = pattern(30 + round * 17 % 150, round);
        sent += s;
        send_and_take(r, pool, q, s);
        if (round % 3 == 2) {
            read += read_all(q, pool, 5 + round, emptied);
            CHECK(q.buffers() == 0);
        } else if (q.buffers() > 1) {
            const std::string_view v = q.peek(pool);
            read += v;
            CHECK(q.consume(pool, v.size()));
            ++emptied;
        }
        // Emptied buffers go back to the kernel, so the recv never runs dry.
        pool.commit();
    }
    read += read_all(q, pool, 1000, emptied);
    CHECK(read == sent);
    CHECK(q.buffers() == 0);
    CHECK_FALSE(pool.under_pressure());
}

TEST_CASE("input_queue: a consumed buffer goes back to the pool and the next recv fills it",
          "[transport][input_queue]") {
    rig r(128);
    buffer_pool pool;
    REQUIRE_FALSE(pool.init(&r.ring, 3, buffer_size, 4, 4));
    input_queue q;
    r.arm_recv(pool.group());
    const std::vector<std::uint16_t> bids = send_and_take(r, pool, q, pattern(4 * fill));
    REQUIRE(bids.size() == 4);
    CHECK(std::set<std::uint16_t>(bids.begin(), bids.end()) == all_ids(pool));
    CHECK(pool.under_pressure());  // every buffer is queued

    // Every buffer is in use: the kernel has none to fill.
    expect_no_buffer(r);
    CHECK_FALSE(pool.commit());

    // A partly read buffer stays queued.
    CHECK_FALSE(q.consume(pool, fill - 1));
    CHECK_FALSE(pool.commit());

    // Emptying the first two hands exactly those back.
    CHECK(q.consume(pool, 1));
    CHECK(q.consume(pool, fill));
    CHECK(q.buffers() == 2);
    CHECK(pool.commit());
    // "x" from the ENOBUFS round waits in the socket and comes first.
    const std::string more = "x" + pattern(2 * fill - 1, 3);
    r.send(std::string_view(more).substr(1));
    r.arm_recv(pool.group());
    const std::vector<std::uint16_t> again = take(r, pool, q, more.size());
    REQUIRE(again.size() == 2);
    CHECK(std::set<std::uint16_t>(again.begin(), again.end()) == std::set<std::uint16_t>{bids[0], bids[1]});
    const std::string filled = std::string(pool.data(again[0]), pool.length(again[0])) +
                               std::string(pool.data(again[1]), pool.length(again[1]));
    CHECK(filled == more);

    // Consuming everything gives every buffer back: a whole pool's worth of
    // bytes arrives with no ENOBUFS.
    int emptied = 0;
    const std::string rest = read_all(q, pool, 1000, emptied);
    CHECK(rest == pattern(2 * fill, 2 * fill) + more);
    CHECK(emptied == 4);
    CHECK_FALSE(pool.under_pressure());
    CHECK(pool.commit());
    const std::vector<std::uint16_t> all = send_and_take(r, pool, q, pattern(4 * fill, 9));
    CHECK(std::set<std::uint16_t>(all.begin(), all.end()) == all_ids(pool));
    q.release(pool, false);
}

TEST_CASE("input_queue: move_to_assembly copies the view to the heap and hands its buffer back",
          "[transport][input_queue]") {
    rig r(128);
    buffer_pool pool;
    REQUIRE_FALSE(pool.init(&r.ring, 4, buffer_size, 4, 4));
    input_queue q;
    const std::string sent = pattern(100);  // 63 + 37: a head split across two buffers
    r.arm_recv(pool.group());
    const std::vector<std::uint16_t> bids = send_and_take(r, pool, q, sent);
    REQUIRE(bids.size() == 2);
    CHECK(q.more_buffered(pool));

    SECTION("from the start of a buffer") {
        const std::string_view view = q.peek(pool);
        CHECK_FALSE(pool.commit());
        REQUIRE(q.move_to_assembly(pool, view));
        CHECK(pool.commit());  // the first buffer went back
        CHECK(q.buffers() == 1);
        CHECK(q.reading_assembly());
        const std::string_view v = q.peek(pool);
        CHECK(v == std::string_view(sent).substr(0, fill));
        CHECK(q.at_assembly(v));
        CHECK(v.data() != pool.data(bids[0]));
        // Only pool buffers count as "more buffered", not an assembly.
        CHECK_FALSE(q.more_buffered(pool));
    }
    SECTION("from the middle of a buffer") {
        CHECK_FALSE(q.consume(pool, 20));
        const std::string_view view = q.peek(pool);
        REQUIRE(q.move_to_assembly(pool, view));
        CHECK(pool.commit());
        CHECK(q.buffers() == 1);
        const std::string_view v = q.peek(pool);
        CHECK(v == std::string_view(sent).substr(20, fill - 20));
        CHECK(q.at_assembly(v));
    }
    // The buffer's bytes now live only in the assembly: the kernel may
    // overwrite the buffer without changing them.
    const std::string copy(q.peek(pool));
    std::memset(pool.data(bids[0]), '!', fill);
    CHECK(q.peek(pool) == copy);

    // Reading the assembly returns to the buffers; consume never reports
    // an emptied pool buffer for it.
    CHECK_FALSE(q.consume(pool, 3));
    CHECK(q.at_assembly(q.peek(pool)));
    CHECK(q.peek(pool) == std::string_view(copy).substr(3));
    CHECK_FALSE(q.consume(pool, copy.size() - 3));
    CHECK_FALSE(q.reading_assembly());
    const std::string_view v = q.peek(pool);
    CHECK_FALSE(q.at_assembly(v));
    CHECK(v.data() == pool.data(bids[1]));
    CHECK(v == std::string_view(sent).substr(fill));
    CHECK(q.consume(pool, v.size()));
    CHECK(q.empty(pool));
}

TEST_CASE("input_queue: gather appends buffers queued later to the assembly, in order",
          "[transport][input_queue]") {
    rig r(128);
    buffer_pool pool;
    REQUIRE_FALSE(pool.init(&r.ring, 5, buffer_size, 128, 128));
    input_queue q;
    std::string sent = pattern(100);
    r.arm_recv(pool.group());
    send_and_take(r, pool, q, sent);

    // No assembly: gather leaves the buffers alone.
    REQUIRE(q.gather(pool));
    CHECK(q.buffers() == 2);
    CHECK_FALSE(q.reading_assembly());
    CHECK(q.peek(pool) == std::string_view(sent).substr(0, fill));

    REQUIRE(q.move_to_assembly(pool, q.peek(pool)));
    CHECK(pool.commit());
    REQUIRE(q.gather(pool));  // the 37 bytes of the second buffer join it
    CHECK(q.buffers() == 0);
    CHECK(pool.commit());
    CHECK(q.peek(pool) == sent);
    CHECK(q.at_assembly(q.peek(pool)));
    CHECK_FALSE(q.more_buffered(pool));

    // More arrives: queued first, then gathered after what was there.
    const std::string second = pattern(150, 4);  // 63 + 63 + 24
    send_and_take(r, pool, q, second);
    CHECK(q.buffers() >= 3);
    CHECK(q.peek(pool) == sent);  // not yet gathered
    REQUIRE(q.gather(pool));
    sent += second;
    CHECK(q.buffers() == 0);
    CHECK(q.peek(pool) == sent);
    CHECK(q.at_assembly(q.peek(pool)));

    // A partly read assembly keeps only its unread bytes when it gathers.
    CHECK_FALSE(q.consume(pool, 30));
    const std::string third = pattern(40, 8);
    send_and_take(r, pool, q, third);
    REQUIRE(q.gather(pool));
    sent = sent.substr(30) + third;
    CHECK(q.peek(pool) == sent);

    // Past the first allocation (4096 bytes): the assembly grows.
    const std::string big = pattern(5000, 11);
    CHECK(send_and_take(r, pool, q, big).size() >= (big.size() + fill - 1) / fill);
    REQUIRE(q.gather(pool));
    sent += big;
    CHECK(q.buffers() == 0);
    CHECK(q.peek(pool) == sent);
    CHECK(q.at_assembly(q.peek(pool)));
    CHECK_FALSE(pool.under_pressure());  // every buffer went back

    CHECK_FALSE(q.consume(pool, sent.size()));
    CHECK(q.empty(pool));
    CHECK_FALSE(q.reading_assembly());
}

TEST_CASE("input_queue: more_buffered reports bytes waiting in a later buffer", "[transport][input_queue]") {
    rig r(128);
    buffer_pool pool;
    REQUIRE_FALSE(pool.init(&r.ring, 6, buffer_size, 4, 4));
    input_queue q;
    CHECK_FALSE(q.more_buffered(pool));
    r.arm_recv(pool.group());
    send_and_take(r, pool, q, pattern(10));
    CHECK_FALSE(q.more_buffered(pool));  // one buffer: nothing past it
    send_and_take(r, pool, q, pattern(fill - 10, 10));  // each completion takes a fresh buffer
    CHECK(q.buffers() == 2);
    CHECK(q.more_buffered(pool));
    CHECK(q.consume(pool, 10));
    CHECK_FALSE(q.more_buffered(pool));
    q.release(pool, false);
}

TEST_CASE("input_queue: a pinned buffer outlives the consumption of its bytes until unpin",
          "[transport][input_queue]") {
    rig r(128);
    buffer_pool pool;
    REQUIRE_FALSE(pool.init(&r.ring, 7, buffer_size, 4, 4));
    input_queue q;
    r.arm_recv(pool.group());
    const std::vector<std::uint16_t> bids = send_and_take(r, pool, q, pattern(4 * fill));
    REQUIRE(bids.size() == 4);
    const std::uint16_t pinned = bids[0];

    const std::string_view head = q.peek(pool);  // a request's view into its head
    const std::string copy(head);
    q.pin(false);
    CHECK(q.consume(pool, fill));
    CHECK_FALSE(pool.commit());  // emptied, but pinned: not handed back
    CHECK(head == copy);

    int emptied = 0;
    read_all(q, pool, 1000, emptied);
    CHECK(emptied == 3);
    CHECK(pool.commit());  // the other three went back

    // More traffic fills the other three, never the pinned one.
    const std::vector<std::uint16_t> next = send_and_take(r, pool, q, pattern(3 * fill, 5));
    CHECK(std::set<std::uint16_t>(next.begin(), next.end()) ==
          std::set<std::uint16_t>{bids[1], bids[2], bids[3]});
    CHECK(head == copy);
    CHECK(head.data() == pool.data(pinned));
    read_all(q, pool, 1000, emptied);
    CHECK(pool.commit());
    CHECK(head == copy);

    // Unpinned, it goes back once, and the kernel fills it again.
    q.unpin(pool);
    CHECK(pool.commit());
    CHECK_FALSE(pool.under_pressure());
    expect_each_buffer_back_once(r, pool, q, 6);  // and only once: the kernel was offered four, not five
    q.release(pool, false);
}

TEST_CASE("input_queue: unpin leaves a pinned buffer that is still queued in the queue",
          "[transport][input_queue]") {
    rig r(128);
    buffer_pool pool;
    REQUIRE_FALSE(pool.init(&r.ring, 8, buffer_size, 4, 4));
    input_queue q;
    const std::string sent = pattern(100);
    r.arm_recv(pool.group());
    const std::vector<std::uint16_t> bids = send_and_take(r, pool, q, sent);
    REQUIRE(bids.size() == 2);
    q.pin(false);
    CHECK_FALSE(q.consume(pool, 30));  // a head of 30, the body follows in the buffer
    q.unpin(pool);
    CHECK_FALSE(pool.commit());  // still queued: not handed back
    CHECK(q.buffers() == 2);
    CHECK(q.peek(pool) == std::string_view(sent).substr(30, fill - 30));
    CHECK(q.peek(pool).data() == pool.data(bids[0]) + 30);
    CHECK(q.consume(pool, fill - 30));
    CHECK(pool.commit());  // emptied now: handed back
    CHECK(q.consume(pool, sent.size() - fill));
    CHECK(pool.commit());
    CHECK_FALSE(pool.under_pressure());
    // Both went back exactly once: the kernel takes four buffers, then none.
    expect_each_buffer_back_once(r, pool, q, 2);
    q.release(pool, false);
}

TEST_CASE("input_queue: a pinned assembly outlives the consumption of its bytes until unpin",
          "[transport][input_queue]") {
    rig r(128);
    buffer_pool pool;
    REQUIRE_FALSE(pool.init(&r.ring, 9, buffer_size, 4, 8));
    input_queue q;
    const std::string sent = pattern(100);
    r.arm_recv(pool.group());
    send_and_take(r, pool, q, sent);
    REQUIRE(q.move_to_assembly(pool, q.peek(pool)));
    REQUIRE(q.gather(pool));
    const std::string_view head = q.peek(pool);
    REQUIRE(head == sent);
    REQUIRE(q.at_assembly(head));
    q.pin(true);

    SECTION("consumed whole") {
        CHECK_FALSE(q.consume(pool, sent.size()));
        CHECK(q.peek(pool).empty());
        CHECK_FALSE(q.reading_assembly());
        CHECK(head == sent);  // still alive (ASan would see a use after free)

        // Later bytes are read from their buffer: a pinned assembly is not
        // gathered into, since views into it must not move.
        const std::string more = pattern(20, 3);
        const std::vector<std::uint16_t> bids = send_and_take(r, pool, q, more);
        REQUIRE(q.gather(pool));
        CHECK(q.buffers() == 1);
        std::string_view v = q.peek(pool);
        CHECK(v == more);
        CHECK(v.data() == pool.data(bids[0]));
        CHECK_FALSE(q.at_assembly(v));
        CHECK(head == sent);

        q.unpin(pool);  // frees the assembly (ASan would see a leak otherwise)
        v = q.peek(pool);
        CHECK(v == more);
        CHECK_FALSE(q.reading_assembly());
        CHECK(q.consume(pool, v.size()));
        CHECK(q.empty(pool));
    }
    SECTION("consumed in part, more queued behind it") {
        CHECK_FALSE(q.consume(pool, 40));  // a head of 40, a body of 60 behind it
        const std::string more = pattern(20, 3);
        send_and_take(r, pool, q, more);
        REQUIRE(q.gather(pool));
        CHECK(q.buffers() == 1);
        std::string_view v = q.peek(pool);
        CHECK(v == std::string_view(sent).substr(40));
        CHECK(v.data() == head.data() + 40);  // not moved
        CHECK(head == sent);
        CHECK_FALSE(q.consume(pool, v.size()));
        CHECK(q.peek(pool) == more);
        CHECK(head == sent);
        q.unpin(pool);
        CHECK(q.peek(pool) == more);
        CHECK(q.consume(pool, more.size()));
        CHECK(q.empty(pool));
    }
    SECTION("unpinned before it is read through") {
        CHECK_FALSE(q.consume(pool, 40));
        q.unpin(pool);  // the body's bytes are still to be read
        CHECK(q.reading_assembly());
        CHECK(q.peek(pool) == std::string_view(sent).substr(40));
        CHECK_FALSE(q.consume(pool, sent.size() - 40));
        CHECK(q.empty(pool));
        CHECK_FALSE(q.reading_assembly());
    }
    CHECK(pool.commit());
    CHECK_FALSE(pool.under_pressure());
}

TEST_CASE("input_queue: release without keep_pinned drops everything, pinned included",
          "[transport][input_queue]") {
    rig r(128);
    buffer_pool pool;
    REQUIRE_FALSE(pool.init(&r.ring, 10, buffer_size, 4, 4));
    input_queue q;
    r.arm_recv(pool.group());
    send_and_take(r, pool, q, pattern(4 * fill));

    SECTION("a pinned buffer already consumed") {
        q.pin(false);
        CHECK(q.consume(pool, fill));
        CHECK_FALSE(q.consume(pool, 10));
    }
    SECTION("a pinned buffer still queued") {
        q.pin(false);
        CHECK_FALSE(q.consume(pool, 30));
    }
    SECTION("a pinned assembly with unread bytes") {
        REQUIRE(q.move_to_assembly(pool, q.peek(pool)));
        q.pin(true);
        CHECK_FALSE(q.consume(pool, 30));
    }
    SECTION("an assembly, unpinned") {
        CHECK(q.consume(pool, fill));
        REQUIRE(q.move_to_assembly(pool, q.peek(pool)));
    }
    q.release(pool, false);
    CHECK(q.buffers() == 0);
    CHECK(q.peek(pool).empty());
    CHECK(q.empty(pool));
    CHECK_FALSE(q.reading_assembly());
    CHECK_FALSE(q.more_buffered(pool));
    CHECK(pool.commit());
    CHECK_FALSE(pool.under_pressure());  // none held, and none given back twice

    // Every buffer is the kernel's again, each once.
    expect_each_buffer_back_once(r, pool, q, 1);
    q.release(pool, false);
}

TEST_CASE("input_queue: release with keep_pinned drops what is queued and keeps the pinned memory until unpin",
          "[transport][input_queue]") {
    rig r(128);
    buffer_pool pool;
    REQUIRE_FALSE(pool.init(&r.ring, 11, buffer_size, 4, 4));
    input_queue q;
    r.arm_recv(pool.group());
    const std::vector<std::uint16_t> bids = send_and_take(r, pool, q, pattern(4 * fill));
    REQUIRE(bids.size() == 4);
    const std::string_view head = q.peek(pool);
    const std::string copy(head);
    q.pin(false);

    SECTION("the pinned buffer already consumed") {
        CHECK(q.consume(pool, fill));
    }
    SECTION("the pinned buffer still queued, its body unread") {
        CHECK_FALSE(q.consume(pool, 30));
    }
    q.release(pool, true);
    CHECK(q.buffers() == 0);
    CHECK(q.peek(pool).empty());
    CHECK(pool.commit());
    CHECK(head == copy);

    // The other three are the kernel's; the pinned one is not.
    const std::vector<std::uint16_t> next = send_and_take(r, pool, q, pattern(3 * fill, 5));
    CHECK(std::set<std::uint16_t>(next.begin(), next.end()) == std::set<std::uint16_t>{bids[1], bids[2], bids[3]});
    CHECK(head == copy);
    q.release(pool, true);
    CHECK(pool.commit());
    CHECK(head == copy);

    // Unpinned, it goes back, once.
    q.unpin(pool);
    CHECK(pool.commit());
    CHECK_FALSE(pool.under_pressure());
    expect_each_buffer_back_once(r, pool, q, 6);
    q.release(pool, false);
}

TEST_CASE("input_queue: release with keep_pinned keeps a pinned assembly until unpin",
          "[transport][input_queue]") {
    rig r(128);
    buffer_pool pool;
    REQUIRE_FALSE(pool.init(&r.ring, 12, buffer_size, 4, 4));
    input_queue q;
    const std::string sent = pattern(100);
    r.arm_recv(pool.group());
    send_and_take(r, pool, q, sent);
    REQUIRE(q.move_to_assembly(pool, q.peek(pool)));
    REQUIRE(q.gather(pool));
    const std::string_view head = q.peek(pool);
    q.pin(true);
    CHECK_FALSE(q.consume(pool, 40));  // a head of 40, a body of 60 unread
    send_and_take(r, pool, q, pattern(20, 3));

    q.release(pool, true);
    CHECK(q.buffers() == 0);
    CHECK(q.peek(pool).empty());
    CHECK_FALSE(q.reading_assembly());
    CHECK(head == sent);  // the request's views are still good
    CHECK(pool.commit());
    CHECK_FALSE(pool.under_pressure());

    q.unpin(pool);  // frees it (ASan would see a leak otherwise)
    CHECK(q.peek(pool).empty());
    CHECK_FALSE(q.reading_assembly());
}
