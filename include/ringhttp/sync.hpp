// ringhttp: waiting like a goroutine: locks, conditions, semaphores, wait
// groups and sleeps that park the handler's fiber, never its ring.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <optional>
#include <stop_token>
#include <system_error>
#include <utility>
#include <vector>

namespace ringhttp {

namespace detail {

/// waiter is one parked fiber or blocked thread, a node in a primitive's
/// queue. It lives on the waiter's own stack for as long as it waits.
struct waiter {
    waiter* next = nullptr;
    void* fiber = nullptr;  // the handler's exchange, or null: a plain thread
    std::atomic<bool> ready{false};
    bool shared = false;    // what it waits for, where a primitive has two kinds (shared_mutex)
    bool canceled = false;  // taken off its queue by a stop_token, not woken by the primitive
    // A plain thread waits on these; a fiber parks instead.
    std::mutex m;
    std::condition_variable cv;

    /// The constructor notes whether it is made on a handler's fiber. On a
    /// ring thread outside any handler (a conn_state hook, an error_log
    /// callback) a wait would block the ring, and with it the handler that
    /// could end the wait: it throws std::logic_error instead.
    waiter();
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
    /// remove takes w off the queue; false when it was not on it.
    bool remove(waiter& w) noexcept {
        waiter* prev = nullptr;
        for (waiter* p = head; p != nullptr; prev = p, p = p->next) {
            if (p != &w) continue;
            (prev == nullptr ? head : prev->next) = p->next;
            if (tail == p) tail = prev;
            return true;
        }
        return false;
    }
};

/// park_unless_stopped parks w, queued on q under guard (unlocked by the
/// caller already), until woken or until stop fires: then w is taken off q
/// (if a waker did not take it first) and w.canceled is set.
inline void park_unless_stopped(waiter& w, waiter_queue& q, std::mutex& guard, const std::stop_token& stop) {
    std::stop_callback cancel(stop, [&] {
        bool queued;
        {
            std::lock_guard g(guard);
            queued = q.remove(w);
            if (queued) w.canceled = true;
        }
        if (queued) unpark(w);
    });
    park(w);
}

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
    /// wait with a stop_token (a request's r.stop_token(), say) also ends
    /// when stop fires; it returns ready() (false: stopped first).
    template <class Lock, class Predicate>
    bool wait(Lock& lock, std::stop_token stop, Predicate ready) {
        while (!ready()) {
            if (stop.stop_requested()) return ready();
            detail::waiter w;
            {
                std::lock_guard g(guard_);
                waiters_.push(w);
            }
            lock.unlock();
            detail::park_unless_stopped(w, waiters_, guard_, stop);
            lock.lock();
            // Woken by a notify_one but stopped: pass the notify on, so
            // another waiter does not miss it.
            if (!w.canceled && stop.stop_requested() && !ready()) {
                notify_one();
                return false;
            }
        }
        return true;
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
    /// acquire with a stop_token: false when stop fired first (no unit taken).
    bool acquire(std::stop_token stop);
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

/// channel is Go's buffered channel (make(chan T, capacity)) between
/// handlers, rings and plain threads: send() parks while it is full,
/// receive() while it is empty; close() ends it: receivers drain what is
/// left and then get nullopt, and a send on a closed channel returns false
/// (Go panics). A capacity of 0 is taken as 1 (no unbuffered rendezvous).
/// Its buffer is allocated once, at construction.
template <class T>
class channel {
public:
    explicit channel(std::size_t capacity) : slots_(capacity == 0 ? 1 : capacity) {}
    channel(const channel&) = delete;
    channel& operator=(const channel&) = delete;

    /// send puts value in the channel, parking while it is full; false when
    /// the channel is (or becomes) closed, and value is not sent.
    bool send(T value, std::stop_token stop = {}) {
        for (;;) {
            std::unique_lock g(guard_);
            if (closed_) return false;
            // Room first: a sender woken for room uses it even if its stop
            // fired meanwhile, else that wake-up would be lost to the others.
            if (count_ < slots_.size()) {
                slots_[(head_ + count_) % slots_.size()].emplace(std::move(value));
                ++count_;
                wake_one(g, receivers_);
                return true;
            }
            if (stop.stop_requested()) return false;
            wait(g, senders_, stop);
        }
    }
    /// receive takes the oldest value, parking while the channel is empty;
    /// nullopt once it is closed and empty, or (with a stop_token) once
    /// stop fired while it waited.
    std::optional<T> receive(std::stop_token stop = {}) {
        for (;;) {
            std::unique_lock g(guard_);
            if (count_ > 0) return take(g);
            if (closed_ || stop.stop_requested()) return std::nullopt;
            wait(g, receivers_, stop);
        }
    }
    /// try_send and try_receive never wait.
    bool try_send(T& value) {
        std::unique_lock g(guard_);
        if (closed_ || count_ == slots_.size()) return false;
        slots_[(head_ + count_) % slots_.size()].emplace(std::move(value));
        ++count_;
        wake_one(g, receivers_);
        return true;
    }
    std::optional<T> try_receive() {
        std::unique_lock g(guard_);
        if (count_ == 0) return std::nullopt;
        return take(g);
    }
    /// close ends the channel and wakes everyone waiting on it.
    void close() noexcept {
        detail::waiter_queue wake;
        {
            std::lock_guard g(guard_);
            closed_ = true;
            wake = receivers_;
            receivers_ = {};
            while (detail::waiter* w = senders_.pop()) wake.push(*w);
        }
        while (detail::waiter* w = wake.pop()) detail::unpark(*w);
    }
    std::size_t size() {
        std::lock_guard g(guard_);
        return count_;
    }
    std::size_t capacity() const noexcept { return slots_.size(); }

private:
    std::mutex guard_;  // held for a few instructions, never across a wait
    std::vector<std::optional<T>> slots_;
    std::size_t head_ = 0;
    std::size_t count_ = 0;
    bool closed_ = false;
    detail::waiter_queue senders_;    // waiting for room
    detail::waiter_queue receivers_;  // waiting for a value

    // Parks until woken; the caller then looks again (another may have
    // taken the room or the value meanwhile).
    void wait(std::unique_lock<std::mutex>& g, detail::waiter_queue& q, const std::stop_token& stop) {
        detail::waiter w;
        q.push(w);
        g.unlock();
        if (stop.stop_possible()) detail::park_unless_stopped(w, q, guard_, stop);
        else detail::park(w);
    }
    static void wake_one(std::unique_lock<std::mutex>& g, detail::waiter_queue& q) noexcept {
        detail::waiter* w = q.pop();
        g.unlock();
        if (w != nullptr) detail::unpark(*w);
    }
    std::optional<T> take(std::unique_lock<std::mutex>& g) {
        std::optional<T> v = std::move(slots_[head_]);
        slots_[head_].reset();
        head_ = (head_ + 1) % slots_.size();
        --count_;
        wake_one(g, senders_);
        return v;
    }
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
