// ringhttp: per-ring timers for connection deadlines (a hashed timing wheel).
#pragma once

#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

namespace ringhttp::engine {

/// timer_wheel holds one ring's connection deadlines in 1,024 slots of 10 ms
/// (a turn is 10.24 s); a deadline further out waits in its slot and is
/// looked at again each turn. Entries are (connection slot, generation,
/// due tick); removing one is lazy: its owner simply ignores it when it fires
/// (a due tick or generation that no longer matches). Scheduling and firing
/// are O(1) and allocation-free once the slots have grown; finding the next
/// busy slot, for the ring's wait timeout, is a scan of a 1,024-bit map.
/// One ring thread only.
class timer_wheel {
public:
    using tick = std::uint32_t;  ///< 10 ms since the wheel started; 0 means "no deadline"
    static constexpr std::uint32_t slot_count = 1024;
    static constexpr std::uint64_t tick_ns = 10'000'000;

    struct entry {
        std::uint32_t index;
        std::uint32_t gen;
        tick due;
    };

    explicit timer_wheel(std::uint64_t start_ns) : start_ns_(start_ns) {}

    /// at returns the tick holding time now_ns (never 0).
    tick at(std::uint64_t now_ns) const noexcept {
        return static_cast<tick>((now_ns - start_ns_) / tick_ns) + 1;
    }
    /// after returns the first tick at or after now + ns, rounding up so a
    /// deadline never fires early.
    tick after(std::uint64_t now_ns, std::uint64_t ns) const noexcept {
        return static_cast<tick>((now_ns - start_ns_ + ns + tick_ns - 1) / tick_ns) + 1;
    }

    /// tick_at_or_after returns the first tick starting at or after absolute
    /// time abs_ns (same clock), or the next tick when abs_ns has passed.
    tick tick_at_or_after(std::uint64_t abs_ns) const noexcept {
        if (abs_ns <= start_ns_) return last_ + 1;
        const tick t = static_cast<tick>((abs_ns - start_ns_ + tick_ns - 1) / tick_ns) + 1;
        return t <= last_ ? last_ + 1 : t;
    }
    /// start_of returns when tick t begins, in the clock's nanoseconds.
    std::uint64_t start_of(tick t) const noexcept { return start_ns_ + std::uint64_t{t - 1} * tick_ns; }

    void schedule(tick due, std::uint32_t index, std::uint32_t gen) {
        if (due <= last_) due = last_ + 1;  // the past fires on the next advance
        std::vector<entry>& s = slots_[due % slot_count];
        s.push_back({index, gen, due});
        if (hint_ == 0 || due < hint_) hint_ = due;
        busy_[(due % slot_count) / 64] |= std::uint64_t{1} << (due % 64);
        ++size_;
    }

    /// advance visits every slot up to tick now and calls fire(entry) for
    /// each entry due by then; entries due in a later turn stay.
    template <class Fire>
    void advance(tick now, Fire&& fire) {
        if (now <= last_) return;
        if (hint_ != 0 && hint_ <= now) hint_ = 0;  // recomputed by next_wake()
        if (size_ == 0) {
            last_ = now;
            return;
        }
        // More than a turn behind: visiting each slot once is enough.
        tick from = now - last_ > slot_count ? now - slot_count : last_;
        for (tick t = from + 1; t <= now; ++t) {
            last_ = t;  // what fire() schedules now lands after t
            const std::uint32_t i = t % slot_count;
            if (!(busy_[i / 64] & (std::uint64_t{1} << (i % 64)))) continue;
            scratch_.swap(slots_[i]);
            busy_[i / 64] &= ~(std::uint64_t{1} << (i % 64));
            for (const entry& e : scratch_) {
                if (e.due > now) {
                    slots_[i].push_back(e);
                    busy_[i / 64] |= std::uint64_t{1} << (i % 64);
                    continue;
                }
                --size_;
                fire(e);
            }
            scratch_.clear();
        }
        last_ = now;
    }

    /// next_busy returns the first tick after now whose slot holds an entry,
    /// or 0 when the wheel is empty. An entry due in a later turn makes its
    /// slot busy now: the ring wakes early, finds nothing due, and waits again.
    tick next_busy(tick now) const noexcept {
        if (size_ == 0) return 0;
        // Scan the bitmap a word at a time, starting just after now's slot.
        const std::uint32_t from = (now + 1) % slot_count;
        std::uint32_t word = from / 64;
        std::uint64_t bits = busy_[word] & (~std::uint64_t{0} << (from % 64));
        for (std::uint32_t seen = 0; seen <= slot_count / 64; ++seen) {
            if (bits != 0) {
                const std::uint32_t slot = word * 64 + static_cast<std::uint32_t>(__builtin_ctzll(bits));
                return now + 1 + (slot + slot_count - from) % slot_count;
            }
            word = (word + 1) % (slot_count / 64);
            bits = busy_[word];
        }
        return now + slot_count;
    }

    /// next_wake is next_busy(now), remembered until it passes or an earlier
    /// entry comes, so the ring does not scan the bitmap every iteration.
    tick next_wake(tick now) noexcept {
        if (hint_ == 0 || hint_ <= now) hint_ = next_busy(now);
        return hint_;
    }

    std::size_t size() const noexcept { return size_; }

private:
    std::uint64_t start_ns_;
    tick last_ = 0;
    tick hint_ = 0;  // no busy slot before it (0: unknown)
    std::size_t size_ = 0;
    std::vector<entry> slots_[slot_count];
    std::vector<entry> scratch_;
    std::uint64_t busy_[slot_count / 64] = {};
};

}  // namespace ringhttp::engine
