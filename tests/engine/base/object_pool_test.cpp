// A ring's object pool (engine/base/object_pool.hpp): take makes an object
// only when none is idle, give_back keeps it for the next take (the last
// given back first), addresses never move, and a warm pool allocates nothing.
#include "engine/base/object_pool.hpp"

#include <catch2/catch_test_macros.hpp>
#include <catch2/generators/catch_generators.hpp>

#include <set>
#include <string>
#include <utility>
#include <vector>

#include "tests/support/alloc_counter.hpp"

using ringhttp::engine::object_pool;

namespace {

// Counts its constructions and destructions, and remembers its arguments.
struct tracked {
    static inline int made = 0;
    static inline int destroyed = 0;
    int id;
    std::string name;
    explicit tracked(int i = -1, std::string n = {}) : id(i), name(std::move(n)) { ++made; }
    ~tracked() { ++destroyed; }
    tracked(const tracked&) = delete;
    tracked& operator=(const tracked&) = delete;
};

void reset_counts() { tracked::made = tracked::destroyed = 0; }

}  // namespace

TEST_CASE("object pool: take makes an object from its arguments when none is idle", "[base][object_pool]") {
    reset_counts();
    object_pool<tracked> pool;
    tracked* a = pool.take(7, std::string("seven"));
    REQUIRE(a != nullptr);
    CHECK(a->id == 7);
    CHECK(a->name == "seven");
    tracked* b = pool.take();
    CHECK(b != a);
    CHECK(b->id == -1);
    CHECK(tracked::made == 2);
}

TEST_CASE("object pool: a given back object is lent again as it was, not made anew", "[base][object_pool]") {
    reset_counts();
    object_pool<tracked> pool;
    tracked* a = pool.take(1);
    a->name = "state kept";
    pool.give_back(a);
    // The arguments are ignored: the idle object is reused as it was left.
    tracked* again = pool.take(99, std::string("ignored"));
    CHECK(again == a);
    CHECK(again->id == 1);
    CHECK(again->name == "state kept");
    CHECK(tracked::made == 1);
    CHECK(tracked::destroyed == 0);
}

TEST_CASE("object pool: the last object given back is the first lent (LIFO)", "[base][object_pool]") {
    object_pool<tracked> pool;
    tracked* a = pool.take(1);
    tracked* b = pool.take(2);
    tracked* c = pool.take(3);
    pool.give_back(a);
    pool.give_back(c);
    pool.give_back(b);
    CHECK(pool.take() == b);
    CHECK(pool.take() == c);
    CHECK(pool.take() == a);
}

TEST_CASE("object pool: growth keeps every object at its address", "[base][object_pool]") {
    reset_counts();
    const int n = GENERATE(1, 2, 17, 1000);
    CAPTURE(n);
    object_pool<tracked> pool;
    std::vector<tracked*> lent;
    for (int i = 0; i < n; ++i) lent.push_back(pool.take(i));
    CHECK(std::set<tracked*>(lent.begin(), lent.end()).size() == static_cast<std::size_t>(n));
    // The pool's own vectors have reallocated many times by now; the objects
    // did not move and still hold what they were made with.
    for (int i = 0; i < n; ++i) CHECK(lent[static_cast<std::size_t>(i)]->id == i);
    for (tracked* t : lent) pool.give_back(t);
    std::set<tracked*> again;
    for (int i = 0; i < n; ++i) again.insert(pool.take());
    CHECK(again == std::set<tracked*>(lent.begin(), lent.end()));
    CHECK(tracked::made == n);
}

TEST_CASE("object pool: a warm pool allocates nothing to take and give back", "[base][object_pool]") {
    namespace alloc = ringhttp::test::alloc;
    object_pool<tracked> pool;
    std::vector<tracked*> lent;
    lent.reserve(64);
    for (int i = 0; i < 64; ++i) lent.push_back(pool.take(i));
    alloc::on_ring_thread = true;
    // Giving back every object never allocates, even the first time: the
    // idle list's capacity keeps up with the objects made.
    const long back = alloc::count_during([&] {
        for (tracked* t : lent) pool.give_back(t);
    });
    const long cycle = alloc::count_during([&] {
        for (int round = 0; round < 10; ++round) {
            for (tracked*& t : lent) t = pool.take();
            for (tracked* t : lent) pool.give_back(t);
        }
    });
    alloc::on_ring_thread = false;
    CHECK(back == 0);
    CHECK(cycle == 0);
}

TEST_CASE("object pool: clear destroys every object, lent or idle", "[base][object_pool]") {
    reset_counts();
    object_pool<tracked> pool;
    tracked* a = pool.take();
    pool.take();
    pool.take();
    pool.give_back(a);
    pool.clear();
    CHECK(tracked::made == 3);
    CHECK(tracked::destroyed == 3);
    // The pool is usable again: a take makes a fresh object.
    tracked* b = pool.take(5);
    CHECK(b->id == 5);
    CHECK(tracked::made == 4);
}

TEST_CASE("object pool: destroying the pool destroys every object it made", "[base][object_pool]") {
    reset_counts();
    {
        object_pool<tracked> pool;
        for (int i = 0; i < 10; ++i) pool.take(i);
        pool.give_back(pool.take());  // one made, then idle
    }
    CHECK(tracked::made == 11);
    CHECK(tracked::destroyed == 11);
}
