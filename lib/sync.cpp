// The fiber-aware locks, conditions, semaphores and wait groups of
// include/ringhttp/sync.hpp, on its park/unpark core. Each primitive's state
// is guarded by a plain mutex held for a few instructions and never across
// a wait; waking happens after it is released.
#include <ringhttp/sync.hpp>

#include <stdexcept>

namespace ringhttp {

namespace {

// Wakes every waiter of q (taken off the primitive under its guard).
void unpark_all(detail::waiter_queue& q) noexcept {
    while (detail::waiter* w = q.pop()) detail::unpark(*w);  // pop reads w before w may go
}

}  // namespace

void mutex::lock() {
    std::unique_lock g(guard_);
    if (!locked_) {
        locked_ = true;
        return;
    }
    detail::waiter w;
    waiters_.push(w);
    g.unlock();
    detail::park(w);  // unlock() handed the lock over: it stays locked, now ours
}

bool mutex::try_lock() noexcept {
    std::lock_guard g(guard_);
    if (locked_) return false;
    locked_ = true;
    return true;
}

void mutex::unlock() noexcept {
    std::unique_lock g(guard_);
    detail::waiter* w = waiters_.pop();
    if (w == nullptr) {
        locked_ = false;
        return;
    }
    g.unlock();
    detail::unpark(*w);
}

detail::waiter_queue shared_mutex::admit() noexcept {
    detail::waiter_queue out;
    while (!writer_ && !waiters_.empty()) {
        detail::waiter* head = waiters_.head;
        if (!head->shared && readers_ != 0) break;  // a writer waits for the readers in
        waiters_.pop();
        if (head->shared) {
            ++readers_;
        } else {
            writer_ = true;
        }
        out.push(*head);
    }
    return out;
}

void shared_mutex::lock() {
    std::unique_lock g(guard_);
    if (!writer_ && readers_ == 0 && waiters_.empty()) {
        writer_ = true;
        return;
    }
    detail::waiter w;
    waiters_.push(w);
    g.unlock();
    detail::park(w);
}

bool shared_mutex::try_lock() noexcept {
    std::lock_guard g(guard_);
    if (writer_ || readers_ != 0 || !waiters_.empty()) return false;
    writer_ = true;
    return true;
}

void shared_mutex::unlock() noexcept {
    std::unique_lock g(guard_);
    writer_ = false;
    detail::waiter_queue wake = admit();
    g.unlock();
    unpark_all(wake);
}

void shared_mutex::lock_shared() {
    std::unique_lock g(guard_);
    // A waiting writer holds back new readers: writers are not starved.
    if (!writer_ && waiters_.empty()) {
        ++readers_;
        return;
    }
    detail::waiter w;
    w.shared = true;
    waiters_.push(w);
    g.unlock();
    detail::park(w);
}

bool shared_mutex::try_lock_shared() noexcept {
    std::lock_guard g(guard_);
    if (writer_ || !waiters_.empty()) return false;
    ++readers_;
    return true;
}

void shared_mutex::unlock_shared() noexcept {
    std::unique_lock g(guard_);
    --readers_;
    detail::waiter_queue wake = admit();
    g.unlock();
    unpark_all(wake);
}

void condition_variable::notify_one() noexcept {
    detail::waiter* w;
    {
        std::lock_guard g(guard_);
        w = waiters_.pop();
    }
    if (w != nullptr) detail::unpark(*w);
}

void condition_variable::notify_all() noexcept {
    detail::waiter_queue wake;
    {
        std::lock_guard g(guard_);
        wake = waiters_;
        waiters_ = {};
    }
    unpark_all(wake);
}

void semaphore::acquire() {
    std::unique_lock g(guard_);
    if (count_ > 0 && waiters_.empty()) {
        --count_;
        return;
    }
    detail::waiter w;
    waiters_.push(w);
    g.unlock();
    detail::park(w);  // release() handed a unit over
}

bool semaphore::acquire(std::stop_token stop) {
    std::unique_lock g(guard_);
    if (count_ > 0 && waiters_.empty()) {
        --count_;
        return true;
    }
    if (stop.stop_requested()) return false;
    detail::waiter w;
    waiters_.push(w);
    g.unlock();
    detail::park_unless_stopped(w, waiters_, guard_, stop);
    return !w.canceled;  // else release() handed a unit over
}

bool semaphore::try_acquire() noexcept {
    std::lock_guard g(guard_);
    if (count_ == 0 || !waiters_.empty()) return false;
    --count_;
    return true;
}

void semaphore::release(std::size_t n) noexcept {
    detail::waiter_queue wake;
    {
        std::lock_guard g(guard_);
        for (; n > 0 && !waiters_.empty(); --n) wake.push(*waiters_.pop());
        count_ += n;
    }
    unpark_all(wake);
}

void wait_group::add(std::ptrdiff_t n) {
    detail::waiter_queue wake;
    {
        std::lock_guard g(guard_);
        if (count_ + n < 0) throw std::logic_error("sync: negative WaitGroup counter");
        count_ += n;
        if (count_ == 0) {
            wake = waiters_;
            waiters_ = {};
        }
    }
    unpark_all(wake);
}

void wait_group::wait() {
    std::unique_lock g(guard_);
    if (count_ == 0) return;
    detail::waiter w;
    waiters_.push(w);
    g.unlock();
    detail::park(w);
}

}  // namespace ringhttp
