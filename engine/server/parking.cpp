// Parking a handler's fiber on its ring, and waking it from anywhere: the
// core under include/ringhttp/sync.hpp's primitives, and sleeps on the ring.
#include <ringhttp/errc.hpp>
#include <ringhttp/sync.hpp>

#include <stdexcept>
#include <thread>

#include "engine/server/exchange.hpp"
#include "engine/server/worker.hpp"

namespace ringhttp {

detail::waiter::waiter() {
    // A handler's fiber parks, a hijacked one's too: its connection stays
    // on the ring (unwatched) until the handler returns.
    engine::exchange* ex = engine::exchange::current();
    if (ex != nullptr && ex->conn() != nullptr) {
        fiber = ex;
        return;
    }
    if (engine::worker::on_ring_thread())
        throw std::logic_error(
            "ringhttp: a sync primitive would wait on a ring thread outside a handler (a hook or callback): "
            "that blocks the ring");
}

void detail::park(waiter& w) {
    if (w.fiber != nullptr) {
        // Parks exactly once, even when unpark came first: each unpark readies
        // the exchange once, and its ring can only see that after this fiber
        // yields. (Checking w.ready first and not parking would leave that
        // readying to resume some later wait of this exchange.)
        static_cast<engine::exchange*>(w.fiber)->park();
        return;
    }
    std::unique_lock lock(w.m);
    w.cv.wait(lock, [&] { return w.ready.load(std::memory_order_acquire); });
}

void detail::unpark(waiter& w) noexcept {
    if (w.fiber != nullptr) {
        auto* ex = static_cast<engine::exchange*>(w.fiber);
        // After the store w may be gone (its fiber may run on another ring
        // at once, once readied): only ex is used from here on.
        w.ready.store(true, std::memory_order_release);
        ex->owner().ready(ex);
        return;
    }
    // The waiter cannot return before this lock is released, so w lives
    // until then.
    std::lock_guard lock(w.m);
    w.ready.store(true, std::memory_order_release);
    w.cv.notify_one();
}

std::error_code sleep_until(std::chrono::steady_clock::time_point t) {
    engine::exchange* ex = engine::exchange::current();
    if (ex == nullptr || ex->conn() == nullptr) {
        std::this_thread::sleep_until(t);
        return {};
    }
    const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
    if (!ex->sleep_until(ns < 0 ? 0 : static_cast<std::uint64_t>(ns))) return errc::canceled;
    return {};
}

}  // namespace ringhttp
