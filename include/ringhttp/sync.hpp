// ringhttp: waiting like a goroutine: locks, conditions, semaphores, wait
// groups and sleeps that park the handler's fiber, never its ring.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <system_error>

namespace ringhttp {

namespace detail {

/// waiter is one parked fiber or blocked thread, a node in a primitive's
/// queue. It lives on the waiter's own stack for as long as it waits.
struct waiter {
    waiter* next = nullptr;
    void* fiber = nullptr;  // the handler's exchange, or null: a plain thread
    std::atomic<bool> ready{false};
    bool shared = false;    // what it waits for, where a primitive has two kinds (shared_mutex)
    // A plain thread waits on these; a fiber parks instead.
    std::mutex m;
    std::condition_variable cv;

    waiter() noexcept;  // notes whether it is made on a handler's fiber
};

/// park returns once unpark(w) was called: a handler's fiber is suspended
/// meanwhile (its ring serves everyone else), a plain thread blocks.
void park(waiter& w);
/// unpark wakes w's fiber (through its ring's wake-up, never touching it
/// from this thread) or thread. Thread-safe; w must not be touched after.
void unpark(waiter& w) noexcept;

/// waiter_queue is a FIFO of waiters; the primitive's guard protects it.
struct waiter_queue {
    waiter* head = nullptr;
    waiter* tail = nullptr;
    bool empty() const noexcept { return head == nullptr; }
    void push(waiter& w) noexcept {
        w.next = nullptr;
        if (tail == nullptr) head = &w;
        else tail->next = &w;
        tail = &w;
    }
    waiter* pop() noexcept {
        waiter* w = head;
        if (w != nullptr) {
            head = w->next;
            if (head == nullptr) tail = nullptr;
        }
        return w;
    }
};

}  // namespace detail

/// mutex is Go's sync.Mutex for handlers: lock() parks the calling fiber
/// while another holds it, so holding it across anything that waits (a body
/// read, a flush, run_blocking, a sleep) is fine, unlike std::mutex, which
/// would block the ring and with it the holder. Waiters get the lock in
/// arrival order (handed over on unlock: none is starved). Called from a
/// plain thread it blocks that thread. Meets Lockable: std::lock_guard,
/// std::unique_lock and std::scoped_lock work. Not recursive.
class mutex {
public:
    mutex() = default;
    mutex(const mutex&) = delete;
    mutex& operator=(const mutex&) = delete;

    void lock();
    bool try_lock() noexcept;
    void unlock() noexcept;

private:
    std::mutex guard_;  // held for a few instructions, never across a wait
    bool locked_ = false;
    detail::waiter_queue waiters_;
};

/// shared_mutex is Go's sync.RWMutex: many readers or one writer. A writer
/// that waits holds back readers that come after it, so writers are not
/// starved; waiters are served in arrival order. Meets SharedLockable
/// (std::shared_lock works).
class shared_mutex {
public:
    shared_mutex() = default;
    shared_mutex(const shared_mutex&) = delete;
    shared_mutex& operator=(const shared_mutex&) = delete;

    void lock();
    bool try_lock() noexcept;
    void unlock() noexcept;
    void lock_shared();
    bool try_lock_shared() noexcept;
    void unlock_shared() noexcept;

private:
    std::mutex guard_;
    std::size_t readers_ = 0;  // holding it shared
    bool writer_ = false;      // held exclusively
    detail::waiter_queue waiters_;
    /// admit takes from the queue's head the waiters that can have it now
    /// (one writer, or every reader up to the next writer), guard_ held.
    detail::waiter_queue admit() noexcept;
};

/// condition_variable is Go's sync.Cond over any lock (ringhttp::mutex
/// usually): wait() releases the lock, parks until notified, and takes the
/// lock again. Spurious wake-ups do not happen, but use the predicate form
/// anyway, as with std::condition_variable.
class condition_variable {
public:
    condition_variable() = default;
    condition_variable(const condition_variable&) = delete;
    condition_variable& operator=(const condition_variable&) = delete;

    template <class Lock>
    void wait(Lock& lock) {
        detail::waiter w;
        {
            std::lock_guard g(guard_);
            waiters_.push(w);
        }
        lock.unlock();
        detail::park(w);
        lock.lock();
    }
    template <class Lock, class Predicate>
    void wait(Lock& lock, Predicate ready) {
        while (!ready()) wait(lock);
    }
    void notify_one() noexcept;
    void notify_all() noexcept;

private:
    std::mutex guard_;
    detail::waiter_queue waiters_;
};

/// semaphore is a counting semaphore (a buffered channel of empty structs
/// in Go): acquire() parks while the count is zero; waiters are served in
/// arrival order.
class semaphore {
public:
    explicit semaphore(std::size_t initial) noexcept : count_(initial) {}
    semaphore(const semaphore&) = delete;
    semaphore& operator=(const semaphore&) = delete;

    void acquire();
    bool try_acquire() noexcept;
    void release(std::size_t n = 1) noexcept;

private:
    std::mutex guard_;
    std::size_t count_;
    detail::waiter_queue waiters_;
};

/// wait_group is Go's sync.WaitGroup: add(n) before starting n jobs, done()
/// as each ends, wait() parks until the count is back to zero.
class wait_group {
public:
    wait_group() = default;
    wait_group(const wait_group&) = delete;
    wait_group& operator=(const wait_group&) = delete;

    /// add changes the count by n (may be negative); below zero throws
    /// std::logic_error, as Go panics.
    void add(std::ptrdiff_t n);
    void done() { add(-1); }
    void wait();

private:
    std::mutex guard_;
    std::ptrdiff_t count_ = 0;
    detail::waiter_queue waiters_;
};

/// sleep_until suspends the calling handler until t, on its ring's timers
/// (Go's time.Sleep): the ring serves everyone else meanwhile. It returns
/// early with errc::canceled when the request's stop_token fires (the client
/// went away, or the server is closing). Outside a handler it sleeps the
/// calling thread and always returns {}.
std::error_code sleep_until(std::chrono::steady_clock::time_point t);

/// sleep_for is sleep_until(now + d).
template <class Rep, class Period>
std::error_code sleep_for(std::chrono::duration<Rep, Period> d) {
    return sleep_until(std::chrono::steady_clock::now() +
                       std::chrono::duration_cast<std::chrono::steady_clock::duration>(d));
}

}  // namespace ringhttp
