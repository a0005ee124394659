// ringhttp: a ring's pool of reusable objects (exchanges, sendmsg contexts,
// PROXY header parsers).
#pragma once

#include <memory>
#include <utility>
#include <vector>

namespace ringhttp::engine {

/// object_pool owns every T it makes and lends them out, the last one given
/// back first (still warm in the cache). take makes a T only when none is
/// idle, so a warm ring allocates nothing; give_back never allocates, as the
/// idle list's capacity keeps up with the number of objects made. One ring
/// thread uses a pool: no locking.
template <class T>
class object_pool {
public:
    /// take lends an idle object as it was given back, or makes one from args.
    template <class... Args>
    T* take(Args&&... args) {
        if (idle_.empty()) {
            all_.push_back(std::make_unique<T>(std::forward<Args>(args)...));
            if (idle_.capacity() < all_.size()) idle_.reserve(all_.capacity());
            return all_.back().get();
        }
        T* t = idle_.back();
        idle_.pop_back();
        return t;
    }
    void give_back(T* t) noexcept { idle_.push_back(t); }
    /// clear destroys every object, lent or idle.
    void clear() noexcept {
        idle_.clear();
        all_.clear();
    }

private:
    std::vector<std::unique_ptr<T>> all_;
    std::vector<T*> idle_;
};

}  // namespace ringhttp::engine
