// ringhttp: a small read-copy-update domain (quiescent-state-based
// reclamation for ring threads, a guarded read side for every other thread).
//
// Knows nothing of routing or io_uring: it protects any pointer published
// with rcu::publish and read with rcu::dereference, and frees what
// rcu::retire is given once no reader can still hold it.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>

namespace ringhttp::rcu {

/// register_thread makes the calling thread a quiescent-state reader (a ring
/// thread) and puts it online. From then on every read of RCU-protected data
/// on this thread is safe without a read_guard until the thread next calls
/// quiescent() or offline(): the thread promises not to hold protected
/// pointers across those calls. Registering twice is a no-op. A thread that
/// exits registered is unregistered automatically.
void register_thread();

/// unregister_thread takes the calling thread out of the reader set. Its
/// later reads need a read_guard again. No-op for an unregistered thread.
void unregister_thread() noexcept;

/// quiescent announces that the calling registered thread holds no protected
/// pointer (call it once per event-loop iteration). It costs a load and a
/// compare, plus one store when something was retired since the last call.
/// It never frees anything: ring threads do not pay for reclamation. No-op
/// for an unregistered thread.
void quiescent() noexcept;

/// offline declares a long quiescent period (a registered thread about to
/// block, e.g. in io_uring_enter): reclamation does not wait for it. The
/// thread may not read protected data until online().
void offline() noexcept;

/// online ends an offline period; the thread may read protected data again.
void online() noexcept;

/// read_guard marks a read-side critical section on any thread. On a
/// registered, online thread it costs a thread-local load and a branch; on
/// any other thread it publishes the current epoch (one sequentially
/// consistent store) and clears it at the end. Guards nest. A guard must be
/// destroyed on the thread that created it; do not suspend a fiber inside
/// one (it would delay reclamation, not break it).
class read_guard {
public:
    read_guard() noexcept;
    ~read_guard();
    read_guard(const read_guard&) = delete;
    read_guard& operator=(const read_guard&) = delete;

private:
    bool entered_;
};

/// publish stores a fully built object for readers. Sequentially
/// consistent, so that a reader coming online after it cannot see the
/// previous value (see docs/MUX.md, "RCU").
template <class T>
void publish(std::atomic<T*>& slot, T* value) noexcept {
    slot.store(value, std::memory_order_seq_cst);
}

/// dereference loads a published pointer inside a read-side section
/// (a read_guard, or a registered online thread). A plain load on x86-64.
template <class T>
T* dereference(const std::atomic<T*>& slot) noexcept {
    return slot.load(std::memory_order_seq_cst);
}

/// retire hands p to the domain after it was unpublished (no new reader can
/// reach it): deleter(p) runs once every reader that might still hold it has
/// passed a quiescent state, gone offline, or left its read_guard, on the
/// thread of a later retire() or reclaim() call that finds it due (retire
/// frees what earlier retirements left due, so a writer frees its previous
/// garbage on its next write). Never waits for readers; callable from any
/// thread, also a registered one inside its read-side section. Throws
/// std::bad_alloc only.
void retire(void* p, void (*deleter)(void*));

/// reclaim frees every retired object whose grace period has ended and
/// returns how many are still pending. Never blocks on readers. A server
/// may call it now and then (a housekeeping timer) so that the garbage of
/// the last registration does not wait for the next one.
std::size_t reclaim();

/// pending returns how many retired objects wait for their grace period.
std::size_t pending() noexcept;

/// synchronize blocks until everything retired before the call is freed.
/// For tests and shutdown: a registered caller goes offline while it waits;
/// never call it inside a read_guard (it would wait for itself).
void synchronize();

}  // namespace ringhttp::rcu
