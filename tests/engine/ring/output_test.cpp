// The output chain (engine/ring/output.hpp): a connection's unsent bytes in
// 4 KB blocks. Appends continue across block boundaries, reserve/commit
// never splits a reservation, consume drops sent bytes from the head and
// gives emptied blocks back, and a warm pool makes no allocation.
#include "engine/ring/output.hpp"

#include <catch2/catch_test_macros.hpp>
#include <catch2/generators/catch_generators.hpp>

#include <sys/uio.h>

#include <cstddef>
#include <cstring>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "tests/support/alloc_counter.hpp"

using ringhttp::engine::out_buf;
using ringhttp::engine::out_chain;
using ringhttp::engine::out_pool;

namespace {

constexpr std::size_t cap = out_buf::capacity;

// A recognizable byte pattern, so a misplaced byte shows where it came from.
std::string pattern(std::size_t n, std::size_t seed = 0) {
    std::string s(n, '\0');
    for (std::size_t i = 0; i < n; ++i) s[i] = static_cast<char>('a' + (i + seed) % 26);
    return s;
}

// The unsent bytes in chain order, as the worker's sendmsg sees them.
std::vector<iovec> iovecs(const out_chain& c) {
    std::vector<iovec> iov;
    for (out_buf* b = c.head(); b != nullptr; b = b->next)
        iov.push_back({b->data + b->start, static_cast<std::size_t>(b->len - b->start)});
    return iov;
}

std::string unsent(const out_chain& c) {
    std::string s;
    for (const iovec& v : iovecs(c)) s.append(static_cast<const char*>(v.iov_base), v.iov_len);
    return s;
}

std::size_t blocks(const out_chain& c) {
    std::size_t n = 0;
    for (out_buf* b = c.head(); b != nullptr; b = b->next) ++n;
    return n;
}

}  // namespace

TEST_CASE("output: a block is exactly 4 KB with its header", "[ring][output]") {
    STATIC_CHECK(sizeof(out_buf) == 4096);
    STATIC_CHECK(out_buf::capacity == 4096 - 16);
}

TEST_CASE("output: a new chain is empty and holds no block", "[ring][output]") {
    out_chain c;
    CHECK(c.empty());
    CHECK(c.bytes() == 0);
    CHECK(c.head() == nullptr);
}

TEST_CASE("output: a small append fills one block and counts its bytes", "[ring][output]") {
    out_pool pool;
    out_chain c;
    c.append(pool, "HTTP/1.1 200 OK\r\n");
    c.append(pool, "");  // an empty append is a no-op, and takes no block
    c.append(pool, "\r\n");
    CHECK_FALSE(c.empty());
    CHECK(c.bytes() == 19);
    CHECK(blocks(c) == 1);
    CHECK(unsent(c) == "HTTP/1.1 200 OK\r\n\r\n");
    c.clear(pool);
}

TEST_CASE("output: an empty append to an empty chain takes no block", "[ring][output]") {
    out_pool pool;
    out_chain c;
    c.append(pool, "");
    CHECK(c.head() == nullptr);
    CHECK(c.empty());
}

TEST_CASE("output: a write across a block boundary continues in the next block", "[ring][output]") {
    // Split points around the boundary: the first write ends before, at and
    // past it; the total spans one, two and three blocks.
    const std::size_t first = GENERATE(std::size_t{1}, cap - 1, cap, cap + 1);
    const std::size_t second = GENERATE(std::size_t{1}, std::size_t{100}, cap, 2 * cap + 7);
    CAPTURE(first, second);
    out_pool pool;
    out_chain c;
    const std::string a = pattern(first), b = pattern(second, 7);
    c.append(pool, a);
    c.append(pool, b);
    CHECK(c.bytes() == first + second);
    CHECK(unsent(c) == a + b);
    const std::size_t total = first + second;
    CHECK(blocks(c) == (total + cap - 1) / cap);
    // Every block but the last is full: no gap is left at a boundary.
    for (out_buf* blk = c.head(); blk != nullptr; blk = blk->next) {
        CHECK(blk->start == 0);
        if (blk->next != nullptr) CHECK(blk->len == cap);
    }
    c.clear(pool);
}

TEST_CASE("output: reserve gives room in the tail block when it fits", "[ring][output]") {
    out_pool pool;
    out_chain c;
    c.append(pool, "head");
    out_buf* tail = c.head();
    char* p = c.reserve(pool, cap - 4);  // exactly the room left
    CHECK(p == tail->data + 4);
    std::memset(p, 'x', cap - 4);
    c.commit(cap - 4);
    CHECK(c.bytes() == cap);
    CHECK(blocks(c) == 1);
    CHECK(unsent(c) == "head" + std::string(cap - 4, 'x'));
    c.clear(pool);
}

TEST_CASE("output: reserve that does not fit starts a new block and never splits", "[ring][output]") {
    out_pool pool;
    out_chain c;
    c.append(pool, pattern(cap - 10));
    char* p = c.reserve(pool, 11);
    REQUIRE(blocks(c) == 2);
    out_buf* second = c.head()->next;
    CHECK(p == second->data);
    std::memcpy(p, "0123456789A", 11);
    c.commit(11);
    // The first block keeps its 10 free bytes: the reservation is contiguous.
    CHECK(c.head()->len == cap - 10);
    CHECK(second->len == 11);
    CHECK(c.bytes() == cap - 10 + 11);
    CHECK(unsent(c) == pattern(cap - 10) + "0123456789A");
    c.clear(pool);
}

TEST_CASE("output: committing less than reserved keeps only what was committed", "[ring][output]") {
    out_pool pool;
    out_chain c;
    char* p = c.reserve(pool, 100);
    std::memcpy(p, "abc", 3);
    c.commit(3);
    CHECK(c.bytes() == 3);
    c.append(pool, "def");  // continues right after the committed bytes
    CHECK(unsent(c) == "abcdef");
    c.clear(pool);
}

TEST_CASE("output: consume drops sent bytes from the head, block by block", "[ring][output]") {
    out_pool pool;
    out_chain c;
    const std::string all = pattern(2 * cap + 500);
    c.append(pool, all);
    REQUIRE(blocks(c) == 3);

    SECTION("part of the first block: the block stays, its start moves") {
        out_buf* head = c.head();
        c.consume(pool, 100);
        CHECK(c.head() == head);
        CHECK(head->start == 100);
        CHECK(c.bytes() == all.size() - 100);
        CHECK(unsent(c) == all.substr(100));
        CHECK(iovecs(c).front().iov_base == head->data + 100);
    }
    SECTION("exactly the first block: it goes back to the pool") {
        out_buf* second = c.head()->next;
        c.consume(pool, cap);
        CHECK(c.head() == second);
        CHECK(blocks(c) == 2);
        CHECK(unsent(c) == all.substr(cap));
    }
    SECTION("across a boundary: the next block's start moves") {
        c.consume(pool, cap + 1);
        CHECK(blocks(c) == 2);
        CHECK(c.head()->start == 1);
        CHECK(unsent(c) == all.substr(cap + 1));
    }
    SECTION("in uneven pieces, as partial sends come back") {
        std::size_t sent = 0;
        for (std::size_t n : {1u, 4000u, 95u, 4096u, 3u, 400u}) {
            c.consume(pool, n);
            sent += n;
            CHECK(c.bytes() == all.size() - sent);
            CHECK(unsent(c) == all.substr(sent));
        }
        c.consume(pool, c.bytes());
        CHECK(c.empty());
        CHECK(c.head() == nullptr);
    }
    SECTION("everything: the chain is empty and holds no block") {
        c.consume(pool, all.size());
        CHECK(c.empty());
        CHECK(c.head() == nullptr);
        // The next response starts a fresh block at offset 0.
        c.append(pool, "next");
        CHECK(c.head()->start == 0);
        CHECK(unsent(c) == "next");
    }
    SECTION("nothing: consume(0) changes nothing") {
        c.consume(pool, 0);
        CHECK(c.bytes() == all.size());
        CHECK(unsent(c) == all);
    }
    c.clear(pool);
}

TEST_CASE("output: appending while part of the chain is in flight leaves those bytes alone", "[ring][output]") {
    out_pool pool;
    out_chain c;
    c.append(pool, "first response");
    // The worker hands [start, len) of each block to the kernel...
    const std::vector<iovec> in_flight = iovecs(c);
    REQUIRE(in_flight.size() == 1);
    const std::string before(static_cast<const char*>(in_flight[0].iov_base), in_flight[0].iov_len);
    // ...and the next response is appended meanwhile, into the same block.
    c.append(pool, pattern(cap));
    CHECK(std::string_view(static_cast<const char*>(in_flight[0].iov_base), in_flight[0].iov_len) == before);
    // The send completes: exactly the in-flight bytes go.
    c.consume(pool, in_flight[0].iov_len);
    CHECK(unsent(c) == pattern(cap));
    c.clear(pool);
}

TEST_CASE("output: the iovecs of a chain cover its bytes in order", "[ring][output]") {
    out_pool pool;
    out_chain c;
    const std::string all = pattern(5 * cap + 123);
    c.append(pool, all);
    c.consume(pool, 77);
    const std::vector<iovec> iov = iovecs(c);
    REQUIRE(iov.size() == 6);
    std::size_t total = 0;
    for (const iovec& v : iov) total += v.iov_len;
    CHECK(total == c.bytes());
    CHECK(iov.front().iov_len == cap - 77);
    CHECK(iov.back().iov_len == 123);
    CHECK(unsent(c) == all.substr(77));
    c.clear(pool);
}

TEST_CASE("output: clear gives every block back and empties the chain", "[ring][output]") {
    out_pool pool;
    out_chain c;
    c.append(pool, pattern(3 * cap));
    std::set<out_buf*> used;
    for (out_buf* b = c.head(); b != nullptr; b = b->next) used.insert(b);
    c.clear(pool);
    CHECK(c.empty());
    CHECK(c.bytes() == 0);
    CHECK(c.head() == nullptr);
    // The pool lends the same three blocks again, reset.
    for (int i = 0; i < 3; ++i) {
        out_buf* b = pool.get();
        CHECK(used.count(b) == 1);
        CHECK(b->len == 0);
        CHECK(b->start == 0);
        CHECK(b->next == nullptr);
        pool.put(b);
    }
}

TEST_CASE("output: the pool lends the last block given back, reset", "[ring][output]") {
    out_pool pool;
    out_buf* a = pool.get();
    out_buf* b = pool.get();
    CHECK(a != b);
    a->len = 10;
    a->start = 5;
    a->next = b;
    pool.put(b);
    pool.put(a);
    out_buf* again = pool.get();
    CHECK(again == a);
    CHECK(again->len == 0);
    CHECK(again->start == 0);
    CHECK(again->next == nullptr);
    CHECK(pool.get() == b);
    pool.put(a);
    pool.put(b);
}

TEST_CASE("output: a warm pool makes no allocation for a chain's round trip", "[ring][output]") {
    namespace alloc = ringhttp::test::alloc;
    alloc::on_ring_thread = true;
    out_pool pool;
    out_chain c;
    const std::string big = pattern(10 * cap + 1);
    // Warm up: ten responses' worth of blocks pass through the pool once.
    c.append(pool, big);
    c.clear(pool);
    const long n = alloc::count_during([&] {
        for (int round = 0; round < 100; ++round) {
            c.append(pool, std::string_view(big).substr(0, 3 * cap));
            char* p = c.reserve(pool, 200);
            std::memset(p, 'r', 200);
            c.commit(200);
            c.append(pool, std::string_view(big).substr(0, 7 * cap));
            c.consume(pool, 1234);
            c.consume(pool, c.bytes());
        }
    });
    alloc::on_ring_thread = false;
    CHECK(n == 0);
    CHECK(c.empty());
}

TEST_CASE("output: the pool keeps at most `keep` idle blocks", "[ring][output]") {
    namespace alloc = ringhttp::test::alloc;
    alloc::on_ring_thread = true;
    out_pool pool(2);
    out_buf* b[3] = {pool.get(), pool.get(), pool.get()};
    for (out_buf* x : b) pool.put(x);  // the third is deleted
    out_buf* again[3] = {};
    // Two come back from the pool, and only the third is made afresh.
    const long kept = alloc::count_during([&] {
        again[0] = pool.get();
        again[1] = pool.get();
    });
    const long made = alloc::count_during([&] { again[2] = pool.get(); });
    alloc::on_ring_thread = false;
    CHECK(kept == 0);
    CHECK(made > 0);
    CHECK(again[0] == b[1]);
    CHECK(again[1] == b[0]);
    for (out_buf* x : again) pool.put(x);
}
