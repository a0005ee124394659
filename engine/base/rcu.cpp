#include "engine/base/rcu.hpp"

#include <chrono>
#include <cstdint>
#include <limits>
#include <mutex>
#include <new>
#include <thread>
#include <utility>
#include <vector>

// Grace periods (docs/MUX.md, "RCU"):
//
// A global epoch counter starts at 1 and is bumped by every retire(); the
// retired object remembers the bumped value G. Every reader thread owns a
// record whose counter is 0 while the thread holds no protected pointer
// (offline, or outside its read_guard) and otherwise the epoch it read when
// it last became quiescent. An object retired at G may be freed once every
// record reads either 0 or a value >= G:
//  - a counter >= G was stored after its owner read the epoch bumped past the
//    unpublish of the object (acquire), so everything the owner reads later
//    sees the new pointer; everything it read before was ordered before that
//    store (release), which the reclaimer reads (acquire);
//  - a counter of 0 is the Dekker half of the argument: going online stores
//    the counter and then loads the published pointer, the writer publishes
//    and then (via the queue's mutex) the reclaimer loads the counter, all
//    four sequentially consistent, so either the reclaimer sees the reader
//    online or the reader sees the new pointer.
// Only acquire/release and sequentially consistent atomics are used (no
// standalone fences), which is what ThreadSanitizer models.

namespace ringhttp::rcu {
namespace {

struct alignas(64) reader_record {
    std::atomic<std::uint64_t> counter{0};  // 0: holds nothing; else epoch seen at last quiescent state
    std::atomic<bool> in_use{false};
    reader_record* next = nullptr;  // immutable once the record is on the list
};

struct retired_object {
    void* p;
    void (*deleter)(void*);
    std::uint64_t epoch;
};

// The queue is never destroyed: threads may still run during static
// destruction, and a leaked domain is simpler than an ordered shutdown.
struct garbage_queue {
    std::mutex mu;
    std::vector<retired_object> items;  // epochs nondecreasing
};

constinit std::atomic<std::uint64_t> g_epoch{1};
constinit std::atomic<reader_record*> g_readers{nullptr};
constinit std::atomic<std::size_t> g_pending{0};

garbage_queue& queue() {
    static garbage_queue* q = new garbage_queue;
    return *q;
}

constinit thread_local reader_record* t_record = nullptr;
constinit thread_local bool t_registered = false;

// Gives the record back when a thread that took one exits.
struct record_release {
    record_release() = default;
    record_release(const record_release&) = delete;
    record_release& operator=(const record_release&) = delete;
    ~record_release() {
        if (reader_record* r = t_record) {
            r->counter.store(0, std::memory_order_release);
            r->in_use.store(false, std::memory_order_release);
            t_record = nullptr;
            t_registered = false;
        }
    }
};
thread_local record_release t_release;

reader_record* take_record() {
    // Touch the thread-exit hook so the record is returned when the thread ends.
    static_cast<void>(&t_release);
    for (reader_record* r = g_readers.load(std::memory_order_acquire); r != nullptr; r = r->next) {
        bool expected = false;
        if (!r->in_use.load(std::memory_order_relaxed) &&
            r->in_use.compare_exchange_strong(expected, true, std::memory_order_acq_rel))
            return r;
    }
    auto* r = new reader_record;
    r->in_use.store(true, std::memory_order_relaxed);
    reader_record* head = g_readers.load(std::memory_order_relaxed);
    do {
        r->next = head;
    } while (!g_readers.compare_exchange_weak(head, r, std::memory_order_release, std::memory_order_relaxed));
    return r;
}

reader_record* record() {
    if (t_record == nullptr) t_record = take_record();
    return t_record;
}

void go_online(reader_record* r) noexcept {
    r->counter.store(g_epoch.load(std::memory_order_acquire), std::memory_order_seq_cst);
}

// The smallest counter of any reader holding protected pointers, or the
// maximum value when none does.
std::uint64_t oldest_reader() noexcept {
    std::uint64_t oldest = std::numeric_limits<std::uint64_t>::max();
    for (reader_record* r = g_readers.load(std::memory_order_acquire); r != nullptr; r = r->next) {
        std::uint64_t c = r->counter.load(std::memory_order_seq_cst);
        if (c != 0 && c < oldest) oldest = c;
    }
    return oldest;
}

// Frees what is safe. With try_only, gives up when another thread holds the
// queue. Returns the number still pending and the oldest pending epoch.
std::pair<std::size_t, std::uint64_t> reclaim_some(bool try_only) {
    garbage_queue& q = queue();
    std::vector<retired_object> ready;
    std::size_t left;
    std::uint64_t oldest_pending;
    {
        std::unique_lock lock(q.mu, std::defer_lock);
        if (try_only) {
            if (!lock.try_lock()) return {g_pending.load(std::memory_order_relaxed), 0};
        } else {
            lock.lock();
        }
        if (q.items.empty()) return {0, std::numeric_limits<std::uint64_t>::max()};
        const std::uint64_t safe = oldest_reader();
        std::size_t n = 0;
        while (n < q.items.size() && q.items[n].epoch <= safe) ++n;
        ready.assign(q.items.begin(), q.items.begin() + static_cast<std::ptrdiff_t>(n));
        q.items.erase(q.items.begin(), q.items.begin() + static_cast<std::ptrdiff_t>(n));
        g_pending.fetch_sub(n, std::memory_order_relaxed);
        left = q.items.size();
        oldest_pending = left ? q.items.front().epoch : std::numeric_limits<std::uint64_t>::max();
    }
    for (const retired_object& o : ready) o.deleter(o.p);
    return {left, oldest_pending};
}

void try_reclaim() noexcept {
    try {
        reclaim_some(true);
    } catch (...) {
        // Out of memory while collecting: the garbage stays queued for later.
    }
}

}  // namespace

void register_thread() {
    reader_record* r = record();
    if (t_registered) return;
    t_registered = true;
    go_online(r);
}

void unregister_thread() noexcept {
    if (!t_registered) return;
    t_registered = false;
    t_record->counter.store(0, std::memory_order_release);
}

// Ring threads only announce: they never free (that is the writers' cost,
// in retire(), or whoever calls reclaim()), so routing never pays for it.
void quiescent() noexcept {
    if (!t_registered) return;
    reader_record* r = t_record;
    const std::uint64_t seen = r->counter.load(std::memory_order_relaxed);
    if (seen == 0) return;  // offline: nothing to announce
    const std::uint64_t e = g_epoch.load(std::memory_order_acquire);
    if (seen != e) r->counter.store(e, std::memory_order_release);
}

void offline() noexcept {
    if (!t_registered) return;
    t_record->counter.store(0, std::memory_order_release);
}

void online() noexcept {
    if (!t_registered) return;
    go_online(t_record);
}

read_guard::read_guard() noexcept {
    reader_record* r = t_record;
    if (r != nullptr && r->counter.load(std::memory_order_relaxed) != 0) {
        entered_ = false;  // registered and online, or inside an outer guard
        return;
    }
    if (r == nullptr) r = record();  // first guard on this thread: may allocate (terminates on bad_alloc)
    go_online(r);
    entered_ = true;
}

read_guard::~read_guard() {
    if (entered_) t_record->counter.store(0, std::memory_order_release);
}

void retire(void* p, void (*deleter)(void*)) {
    garbage_queue& q = queue();
    {
        std::lock_guard lock(q.mu);
        q.items.reserve(q.items.size() + 1);  // may throw before anything changed
        const std::uint64_t epoch = g_epoch.fetch_add(1, std::memory_order_seq_cst) + 1;
        q.items.push_back({p, deleter, epoch});
        g_pending.fetch_add(1, std::memory_order_relaxed);
    }
    try_reclaim();
}

std::size_t reclaim() { return reclaim_some(false).first; }

std::size_t pending() noexcept { return g_pending.load(std::memory_order_relaxed); }

void synchronize() {
    const bool was_online = t_registered && t_record->counter.load(std::memory_order_relaxed) != 0;
    if (was_online) offline();
    const std::uint64_t target = g_epoch.load(std::memory_order_acquire);
    for (;;) {
        auto [left, oldest] = reclaim_some(false);
        if (left == 0 || oldest > target) break;
        std::this_thread::sleep_for(std::chrono::microseconds(50));
    }
    if (was_online) online();
}

}  // namespace ringhttp::rcu
