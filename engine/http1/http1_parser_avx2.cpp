// ringhttp: the request head parser for CPUs with AVX2, 32 bytes at a time,
// chosen at run time by parser_detail::best().
//
// Only the code after the target pragma is compiled for AVX2, and all of it
// is internal to this file: parse_avx2, and the templates of
// http1_parser_simd.hpp instantiated on avx2_ops. Every header is included
// first, outside the pragma, so the inline functions and templates they
// define keep the baseline target here as everywhere (were one emitted with
// AVX2 code, the linker could pick that copy for the whole program).
#include "engine/http1/http1_parser_detail.hpp"

#if RINGHTTP_PARSER_AVX2
#include <immintrin.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <functional>
#include <string_view>

#include <ringhttp/request.hpp>

#include "engine/base/chars.hpp"
#include "engine/http1/http1_parser.hpp"
#include "engine/http/request_access.hpp"
#include "engine/http/target.hpp"

#if defined(__clang__)
#pragma clang attribute push(__attribute__((target("avx2,bmi,bmi2,popcnt"))), apply_to = function)
#else
#pragma GCC push_options
#pragma GCC target("avx2,bmi,bmi2,popcnt")
#endif

#include "engine/http1/http1_parser_simd.hpp"

namespace ringhttp::engine::parser_detail {
namespace {

// A byte class as two 16-byte tables for a nibble lookup: byte c is in the
// class when lo[c & 15] & hi[c >> 4] is not zero. Each distinct set of low
// nibbles that some high nibble allows gets a bit of its own, so any class
// with at most 8 such sets is exact.
struct nibble_tables {
    std::array<std::uint8_t, 16> lo{};
    std::array<std::uint8_t, 16> hi{};
};

template <class Pred>
constexpr nibble_tables make_tables(Pred in) {
    nibble_tables t;
    std::array<unsigned, 8> sets{};
    unsigned used = 0;
    for (unsigned h = 0; h < 16; ++h) {
        unsigned set = 0;
        for (unsigned l = 0; l < 16; ++l)
            if (in(h << 4 | l)) set |= 1u << l;
        if (set == 0) continue;
        unsigned bit = 0;
        while (bit < used && sets[bit] != set) ++bit;
        if (bit == used) {
            if (used == 8) throw "more than 8 distinct nibble sets";  // not a constant expression: fails the build
            sets[used++] = set;
        }
        t.hi[h] |= static_cast<std::uint8_t>(1u << bit);
        for (unsigned l = 0; l < 16; ++l)
            if (set >> l & 1) t.lo[l] |= static_cast<std::uint8_t>(1u << bit);
    }
    return t;
}

constexpr bool path_keep_char(unsigned c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           std::string_view("-_.~$&+,/:;=@").find(static_cast<char>(c)) != std::string_view::npos;
}
constexpr bool host_char(unsigned c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           std::string_view("!$%&'()*+,-.:;=[]_~").find(static_cast<char>(c)) != std::string_view::npos;
}

// Tokens, with the letters in bits of their own: the letters are the
// rectangles {4,6} x {1..15} and {5,7} x {0..10}, bits 0 and 1 when they
// come first, and the other token bytes need five more.
constexpr bool letter_char(unsigned c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
template <class Pred>
constexpr nibble_tables make_token_tables(Pred in) {
    nibble_tables t = make_tables([](unsigned c) { return letter_char(c); });
    const nibble_tables rest =
        make_tables([&](unsigned c) { return c < 256 && in(c) && !letter_char(c); });
    // Shift rest's bits above the letters'.
    for (unsigned i = 0; i < 16; ++i) {
        if ((rest.lo[i] >> 6) != 0 || (rest.hi[i] >> 6) != 0) throw "too many nibble sets";
        t.lo[i] = static_cast<std::uint8_t>(t.lo[i] | rest.lo[i] << 2);
        t.hi[i] = static_cast<std::uint8_t>(t.hi[i] | rest.hi[i] << 2);
    }
    return t;
}
constexpr nibble_tables token_tables =
    make_token_tables([](unsigned c) { return chars::is_tchar(static_cast<unsigned char>(c)); });
constexpr nibble_tables path_tables = make_tables([](unsigned c) { return c < 128 && path_keep_char(c); });
constexpr nibble_tables host_tables = make_tables([](unsigned c) { return c < 128 && host_char(c); });
constexpr nibble_tables target_tables = make_tables([](unsigned c) { return c < 128 && target_char(c); });

// The vector constants, in memory for avx2_ops to load.
struct alignas(32) bytes32 {
    std::uint8_t b[32];
};
constexpr bytes32 fill(std::uint8_t c) {
    bytes32 v{};
    for (std::uint8_t& x : v.b) x = c;
    return v;
}
constexpr bytes32 twice(const std::array<std::uint8_t, 16>& t) {
    bytes32 v{};
    for (unsigned i = 0; i < 32; ++i) v.b[i] = t[i % 16];
    return v;
}
constexpr bytes32 k_0f = fill(0x0f), k_20 = fill(0x20), k_21 = fill(0x21), k_01 = fill(0x01),
                  k_03 = fill(0x03), k_dash = fill('-');
constexpr bytes32 k_token_lo = twice(token_tables.lo), k_token_hi = twice(token_tables.hi);
constexpr bytes32 k_path_lo = twice(path_tables.lo), k_path_hi = twice(path_tables.hi);
constexpr bytes32 k_host_lo = twice(host_tables.lo), k_host_hi = twice(host_tables.hi);
constexpr bytes32 k_target_lo = twice(target_tables.lo), k_target_hi = twice(target_tables.hi);

// The constants every line uses are members, loaded once and made opaque
// (see opaque()), so that the compiler keeps them in registers or on the
// stack instead of building them again from immediates, three instructions
// each, after every call it cannot see through.
struct avx2_ops {
    using vec = __m256i;
    static constexpr std::size_t width = 32;
    static constexpr unsigned all = 0xffffffffu;

    static vec load(const char* p) noexcept { return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p)); }
    static void store(char* p, vec v) noexcept { _mm256_storeu_si256(reinterpret_cast<__m256i*>(p), v); }
    static vec zero() noexcept { return _mm256_setzero_si256(); }
    static vec opaque(const bytes32& c) noexcept {
        // Through a pointer the compiler cannot see through, so that it loads
        // the constant (one instruction) instead of building it.
        const bytes32* p = &c;
        asm("" : "+r"(p));
        vec v = _mm256_load_si256(reinterpret_cast<const __m256i*>(p->b));
        asm("" : "+x"(v));
        return v;
    }
    static unsigned bits(vec m) noexcept { return static_cast<unsigned>(_mm256_movemask_epi8(m)); }

    // The ones every line uses; the others are read from memory where used.
    const vec k0f, k01, k03, k21, dash, token_lo, token_hi;

    // Written out: an implicit constructor would not be compiled for AVX2.
    avx2_ops() noexcept
        : k0f(opaque(k_0f)), k01(opaque(k_01)), k03(opaque(k_03)), k21(opaque(k_21)), dash(opaque(k_dash)),
          token_lo(opaque(k_token_lo)), token_hi(opaque(k_token_hi)) {}
    static vec k(const bytes32& c) noexcept { return _mm256_load_si256(reinterpret_cast<const __m256i*>(c.b)); }
    static unsigned low_bits(unsigned m, unsigned n) noexcept { return _bzhi_u32(m, n); }
    avx2_ops(const avx2_ops&) = delete;
    avx2_ops& operator=(const avx2_ops&) = delete;

    // The nibble lookup: non-zero bytes where the class's tables meet. The
    // low nibble indexes v as it is: a shuffle reads an index's low 4 bits
    // and gives 0 where its bit 7 is set, and no class holds bytes from 0x80.
    vec lookup(vec v, vec lo, vec hi) const noexcept {
        const vec high = _mm256_and_si256(_mm256_srli_epi16(v, 4), k0f);
        return _mm256_and_si256(_mm256_shuffle_epi8(lo, v), _mm256_shuffle_epi8(hi, high));
    }
    static unsigned nonzero(vec v) noexcept { return ~bits(_mm256_cmpeq_epi8(v, _mm256_setzero_si256())); }

    struct name_masks {
        unsigned token;
        unsigned letter;
        unsigned lower;
        unsigned dash;
    };
    name_masks name(vec v) const noexcept {
        const vec cls = lookup(v, token_lo, token_hi);
        return {nonzero(cls), nonzero(_mm256_and_si256(cls, k03)), bits(_mm256_slli_epi16(v, 2)),
                bits(_mm256_cmpeq_epi8(v, dash))};
    }
    vec canonical(vec v, bool first) const noexcept {
        // Letters: v | 0x20 in 'a'..'z' (signed compare after a shift of the range).
        const vec shifted = _mm256_add_epi8(_mm256_or_si256(v, k(k_20)), _mm256_set1_epi8(0x80 - 'a'));
        const vec letter = _mm256_cmpgt_epi8(_mm256_set1_epi8('z' - 'a' + 1 - 0x80), shifted);
        const vec dashes = _mm256_cmpeq_epi8(v, dash);
        // dashes moved up one lane, across the two halves.
        const vec after = _mm256_alignr_epi8(dashes, _mm256_permute2x128_si256(dashes, dashes, 0x08), 15);
        const vec upper = _mm256_or_si256(after, _mm256_setr_epi32(first ? 0xff : 0, 0, 0, 0, 0, 0, 0, 0));
        const vec bit = _mm256_and_si256(letter, k(k_20));
        return _mm256_xor_si256(_mm256_or_si256(v, bit), _mm256_and_si256(bit, upper));
    }
    // Below 0x20, or DEL: v + 1, signed, below 0x21 takes in 0x00-0x1f, DEL
    // (now -128) and the bytes from 0x80, which v's bit 7 then drops.
    unsigned controls(vec v) const noexcept {
        return bits(_mm256_andnot_si256(v, _mm256_cmpgt_epi8(k21, _mm256_add_epi8(v, k01))));
    }
    // Bytes outside target_char (SP, controls, DEL, bytes from 0x80 too: the
    // lookup gives 0 for them), exact.
    unsigned target_stop(vec v) const noexcept {
        return bits(_mm256_cmpeq_epi8(lookup(v, k(k_target_lo), k(k_target_hi)), _mm256_setzero_si256()));
    }
    unsigned path_keeps(vec v) const noexcept { return nonzero(lookup(v, k(k_path_lo), k(k_path_hi))); }
    unsigned host_chars(vec v) const noexcept { return nonzero(lookup(v, k(k_host_lo), k(k_host_hi))); }
    static unsigned colons(vec v) noexcept { return bits(_mm256_cmpeq_epi8(v, _mm256_set1_epi8(':'))); }
    static unsigned digits(vec v) noexcept {
        // v - '0' below 10, unsigned: min(x, 9) == x.
        const vec x = _mm256_sub_epi8(v, _mm256_set1_epi8('0'));
        return bits(_mm256_cmpeq_epi8(_mm256_min_epu8(x, _mm256_set1_epi8(9)), x));
    }
};

}  // namespace

parse_result parse_avx2(char* data, std::size_t len, request& r, head_info& info,
                        const parse_limits& limits) noexcept {
    return parse_simd<avx2_ops>(data, len, r, info, limits);
}

}  // namespace ringhttp::engine::parser_detail

#if defined(__clang__)
#pragma clang attribute pop
#else
#pragma GCC pop_options
#endif

#endif  // RINGHTTP_PARSER_AVX2
