// ringhttp: character classes of RFC 9110 and RFC 3986, as lookup tables.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

namespace ringhttp::chars {

namespace detail {
enum : std::uint8_t {
    tchar = 1,      // RFC 9110 §5.6.2 token character
    field_vchar = 2,  // RFC 9110 §5.5: VCHAR / obs-text, plus SP and HTAB inside values
    target = 4,     // bytes allowed in a request-target: VCHAR and obs-text
    hex = 8,
    lower = 16,
    upper = 32,
};

constexpr std::array<std::uint8_t, 256> make_table() {
    std::array<std::uint8_t, 256> t{};
    for (int c = 0; c < 256; ++c) {
        std::uint8_t f = 0;
        bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
        bool digit = c >= '0' && c <= '9';
        if (alpha || digit || std::string_view("!#$%&'*+-.^_`|~").find(static_cast<char>(c)) != std::string_view::npos)
            f |= tchar;
        if ((c >= 0x21 && c <= 0x7e) || c >= 0x80 || c == ' ' || c == '\t') f |= field_vchar;
        if ((c >= 0x21 && c <= 0x7e) || c >= 0x80) f |= target;
        if (digit || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')) f |= hex;
        if (c >= 'a' && c <= 'z') f |= lower;
        if (c >= 'A' && c <= 'Z') f |= upper;
        t[static_cast<std::size_t>(c)] = f;
    }
    return t;
}
inline constexpr auto table = make_table();
}  // namespace detail

namespace detail {
constexpr std::array<char, 256> make_canonical_lower() {
    std::array<char, 256> t{};
    for (int c = 0; c < 256; ++c) {
        if (!(table[static_cast<std::size_t>(c)] & tchar)) continue;
        t[static_cast<std::size_t>(c)] = (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : static_cast<char>(c);
    }
    return t;
}
inline constexpr auto canonical_lower_table = make_canonical_lower();
constexpr std::array<char, 256> make_canonical_upper() {
    std::array<char, 256> t = make_canonical_lower();
    for (char& c : t)
        if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 32);
    return t;
}
inline constexpr auto canonical_upper_table = make_canonical_upper();
}  // namespace detail

constexpr bool is_tchar(unsigned char c) noexcept { return detail::table[c] & detail::tchar; }
/// canonical_lower returns c lower-cased if it is a token character, else 0.
constexpr char canonical_lower(unsigned char c) noexcept { return detail::canonical_lower_table[c]; }
/// canonical_upper returns c upper-cased if it is a token character, else 0.
constexpr char canonical_upper(unsigned char c) noexcept { return detail::canonical_upper_table[c]; }
constexpr bool is_field_char(unsigned char c) noexcept { return detail::table[c] & detail::field_vchar; }
constexpr bool is_target_char(unsigned char c) noexcept { return detail::table[c] & detail::target; }
constexpr bool is_hex(unsigned char c) noexcept { return detail::table[c] & detail::hex; }
constexpr bool is_digit(unsigned char c) noexcept { return c >= '0' && c <= '9'; }
constexpr char to_lower(char c) noexcept {
    return (detail::table[static_cast<unsigned char>(c)] & detail::upper) ? static_cast<char>(c + 32) : c;
}
constexpr char to_upper(char c) noexcept {
    return (detail::table[static_cast<unsigned char>(c)] & detail::lower) ? static_cast<char>(c - 32) : c;
}
constexpr int hex_value(unsigned char c) noexcept {
    return c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
}

/// is_token reports whether s is a non-empty RFC 9110 token.
constexpr bool is_token(std::string_view s) noexcept {
    if (s.empty()) return false;
    for (char c : s)
        if (!is_tchar(static_cast<unsigned char>(c))) return false;
    return true;
}

/// trim_ows removes leading and trailing SP and HTAB (RFC 9110 §5.6.3 OWS).
constexpr std::string_view trim_ows(std::string_view s) noexcept {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

}  // namespace ringhttp::chars
