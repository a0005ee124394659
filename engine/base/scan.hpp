// ringhttp: vectorized byte searches for the codec (SSE2, with a scalar fallback).
#pragma once

#include <cstddef>
#include <cstdint>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace ringhttp::engine::scan {

/// find_control returns the offset of the first byte in [p, p + n) that is
/// below `below` (unsigned) or is DEL (0x7f), or n if there is none. With
/// below = 0x20 it finds control characters (HTAB and CR included, so it also
/// finds the end of a field line); with 0x21 it also stops at SP.
inline std::size_t find_control(const char* p, std::size_t n, unsigned char below) noexcept {
    std::size_t i = 0;
#if defined(__SSE2__)
    const __m128i limit = _mm_set1_epi8(static_cast<char>(below));
    const __m128i del = _mm_set1_epi8(0x7f);
    for (; i + 16 <= n; i += 16) {
        const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + i));
        // max(v, limit) == v exactly when v >= limit (unsigned).
        const unsigned at_least = static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(_mm_max_epu8(v, limit), v)));
        const unsigned is_del = static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(v, del)));
        const unsigned hit = (~at_least & 0xffffu) | is_del;
        if (hit != 0) return i + static_cast<std::size_t>(__builtin_ctz(hit));
    }
#endif
    for (; i < n; ++i) {
        const auto c = static_cast<unsigned char>(p[i]);
        if (c < below || c == 0x7f) return i;
    }
    return n;
}

/// line_masks gives, for 16 bytes at p, bit masks of where LF and CR are.
struct line_masks {
    unsigned lf;
    unsigned cr;
};

#if defined(__SSE2__)
inline line_masks masks16(const char* p) noexcept {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    return {static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8('\n')))),
            static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8('\r'))))};
}
#endif

}  // namespace ringhttp::engine::scan
