// ringhttp: content-type sniffing. The rules are those of the WHATWG MIME
// Sniffing standard (https://mimesniff.spec.whatwg.org/) as Go's
// http.DetectContentType applies them: signatures are tried in a fixed order
// and the first that matches wins, so the order below is part of the contract.
//
// Every signature except three is anchored at byte 0, which lets one switch on
// the first byte replace a linear scan. The three exceptions:
//   - the HTML tags and "<?xml" are matched after leading whitespace, and come
//     first of all;
//   - the Embedded OpenType signature looks only at bytes 34 and 35, so it can
//     follow any first byte. It sits in the middle of the order, so the
//     byte-0 signatures are split into those tried before it and those after.
#include "engine/http/sniff.hpp"

#include <array>
#include <cstdint>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace ringhttp::engine {
namespace {

using namespace std::string_view_literals;

constexpr std::string_view ct_html = "text/html; charset=utf-8";
constexpr std::string_view ct_xml = "text/xml; charset=utf-8";
constexpr std::string_view ct_text = "text/plain; charset=utf-8";
constexpr std::string_view ct_utf16be = "text/plain; charset=utf-16be";
constexpr std::string_view ct_utf16le = "text/plain; charset=utf-16le";
constexpr std::string_view ct_octet = "application/octet-stream";
constexpr std::string_view ct_pdf = "application/pdf";
constexpr std::string_view ct_postscript = "application/postscript";
constexpr std::string_view ct_icon = "image/x-icon";
constexpr std::string_view ct_bmp = "image/bmp";
constexpr std::string_view ct_gif = "image/gif";
constexpr std::string_view ct_webp = "image/webp";
constexpr std::string_view ct_png = "image/png";
constexpr std::string_view ct_jpeg = "image/jpeg";
constexpr std::string_view ct_aiff = "audio/aiff";
constexpr std::string_view ct_mpeg = "audio/mpeg";
constexpr std::string_view ct_ogg = "application/ogg";
constexpr std::string_view ct_midi = "audio/midi";
constexpr std::string_view ct_avi = "video/avi";
constexpr std::string_view ct_wave = "audio/wave";
constexpr std::string_view ct_mp4 = "video/mp4";
constexpr std::string_view ct_webm = "video/webm";
constexpr std::string_view ct_eot = "application/vnd.ms-fontobject";
constexpr std::string_view ct_ttf = "font/ttf";
constexpr std::string_view ct_otf = "font/otf";
constexpr std::string_view ct_font_collection = "font/collection";
constexpr std::string_view ct_woff = "font/woff";
constexpr std::string_view ct_woff2 = "font/woff2";
constexpr std::string_view ct_gzip = "application/x-gzip";
constexpr std::string_view ct_zip = "application/zip";
constexpr std::string_view ct_rar = "application/x-rar-compressed";
constexpr std::string_view ct_wasm = "application/wasm";

// WHATWG "whitespace byte" (0xWS): HT, LF, FF, CR, SP. VT is not one.
constexpr bool is_ws(unsigned char b) noexcept {
    return b == ' ' || b == '\t' || b == '\n' || b == '\f' || b == '\r';
}

// WHATWG "tag-terminating byte" (0xTT): SP or '>'.
constexpr bool is_tt(unsigned char b) noexcept { return b == ' ' || b == '>'; }

// WHATWG §7.1 step "binary data byte": the C0 controls except HT, LF, FF, CR
// and ESC (0x1B, which ISO-2022-JP text uses). Bit b set means byte b is binary.
constexpr std::uint32_t binary_ctl_bits = ~((1u << 0x09) | (1u << 0x0A) | (1u << 0x0C) |
                                            (1u << 0x0D) | (1u << 0x1B));

constexpr bool is_binary(unsigned char b) noexcept {
    return b < 0x20 && ((binary_ctl_bits >> b) & 1u) != 0;
}

// True if data holds sig at offset off. A masked signature whose mask is 0xFF
// at these positions and 0x00 elsewhere is this test plus a minimum length.
constexpr bool bytes_at(std::string_view data, std::size_t off, std::string_view sig) noexcept {
    return data.size() >= off + sig.size() && data.substr(off, sig.size()) == sig;
}

constexpr bool starts(std::string_view data, std::string_view sig) noexcept {
    return data.starts_with(sig);
}

// "RIFF" <any 4-byte size> <form>: the container of WebP, AVI and WAVE.
constexpr bool riff_form(std::string_view data, std::string_view form) noexcept {
    return starts(data, "RIFF"sv) && bytes_at(data, 8, form);
}

// The HTML signatures, without the leading '<', upper case. Each matches
// case-insensitively in its letters only, and must be followed by a
// tag-terminating byte. All map to the same type, so their order is free.
constexpr std::array<std::string_view, 17> html_tags = {
    "!DOCTYPE HTML"sv, "HTML"sv, "HEAD"sv, "SCRIPT"sv, "IFRAME"sv, "H1"sv,
    "DIV"sv, "FONT"sv, "TABLE"sv, "A"sv, "STYLE"sv, "TITLE"sv,
    "B"sv, "BODY"sv, "BR"sv, "P"sv, "!--"sv,
};

// tag is the text after '<': true if it opens one of html_tags.
bool is_html_tag(std::string_view tag) noexcept {
    for (std::string_view name : html_tags) {
        if (tag.size() < name.size() + 1) continue;
        bool same = true;
        for (std::size_t i = 0; i < name.size() && same; ++i) {
            auto want = static_cast<unsigned char>(name[i]);
            auto got = static_cast<unsigned char>(tag[i]);
            // Only letters fold: clearing bit 5 maps 'a'..'z' onto 'A'..'Z'.
            if (want >= 'A' && want <= 'Z') got &= 0xDF;
            same = got == want;
        }
        if (same && is_tt(static_cast<unsigned char>(tag[name.size()]))) return true;
    }
    return false;
}

// WHATWG §6.2.1 "signature for MP4": a leading ftyp box whose major brand or
// one of whose compatible brands starts with "mp4". The box size must be a
// multiple of 4 and the whole box must lie within the sniffed bytes.
bool is_mp4(std::string_view data) noexcept {
    if (data.size() < 12) return false;
    auto u = [&](std::size_t i) { return static_cast<std::uint32_t>(static_cast<unsigned char>(data[i])); };
    std::uint32_t box = u(0) << 24 | u(1) << 16 | u(2) << 8 | u(3);
    if (box > data.size() || box % 4 != 0) return false;
    if (data.substr(4, 4) != "ftyp"sv) return false;
    for (std::size_t at = 8; at < box; at += 4) {
        if (at == 12) continue;  // the major brand's minor version, not a brand
        if (data.substr(at, 3) == "mp4"sv) return true;
    }
    return false;
}

// The byte-0 signatures that precede Embedded OpenType in the order.
std::string_view match_before_eot(std::string_view data) noexcept {
    switch (static_cast<unsigned char>(data[0])) {
        case '%':
            if (starts(data, "%PDF-"sv)) return ct_pdf;
            if (starts(data, "%!PS-Adobe-"sv)) return ct_postscript;
            break;
        // The byte-order marks are masked to four bytes, so a bare BOM shorter
        // than four bytes is not one (and then sniffs as plain UTF-8 text).
        case 0xFE:
            if (data.size() >= 4 && starts(data, "\xFE\xFF"sv)) return ct_utf16be;
            break;
        case 0xFF:
            if (data.size() >= 4 && starts(data, "\xFF\xFE"sv)) return ct_utf16le;
            if (starts(data, "\xFF\xD8\xFF"sv)) return ct_jpeg;
            break;
        case 0xEF:
            if (data.size() >= 4 && starts(data, "\xEF\xBB\xBF"sv)) return ct_text;
            break;
        case 0x00:
            if (starts(data, "\x00\x00\x01\x00"sv)) return ct_icon;
            if (starts(data, "\x00\x00\x02\x00"sv)) return ct_icon;  // cursor
            // An ftyp box no larger than sniff_len always starts with 0x00.
            if (is_mp4(data)) return ct_mp4;
            break;
        case 'B':
            if (starts(data, "BM"sv)) return ct_bmp;
            break;
        case 'G':
            if (starts(data, "GIF87a"sv) || starts(data, "GIF89a"sv)) return ct_gif;
            break;
        case 'R':
            if (riff_form(data, "WEBPVP"sv)) return ct_webp;
            if (riff_form(data, "AVI "sv)) return ct_avi;
            if (riff_form(data, "WAVE"sv)) return ct_wave;
            break;
        case 0x89:
            if (starts(data, "\x89PNG\r\n\x1A\n"sv)) return ct_png;
            break;
        case 'F':
            if (starts(data, "FORM"sv) && bytes_at(data, 8, "AIFF"sv)) return ct_aiff;
            break;
        case 'I':
            // Go recognises MP3 by its ID3v2 tag only, not by a bare MPEG frame.
            if (starts(data, "ID3"sv)) return ct_mpeg;
            break;
        case 'O':
            if (starts(data, "OggS\x00"sv)) return ct_ogg;
            break;
        case 'M':
            if (starts(data, "MThd\x00\x00\x00\x06"sv)) return ct_midi;
            break;
        case 0x1A:
            if (starts(data, "\x1A\x45\xDF\xA3"sv)) return ct_webm;
            break;
        default:
            break;
    }
    return {};
}

// The byte-0 signatures that follow Embedded OpenType in the order.
std::string_view match_after_eot(std::string_view data) noexcept {
    switch (static_cast<unsigned char>(data[0])) {
        case 0x00:
            if (starts(data, "\x00\x01\x00\x00"sv)) return ct_ttf;
            if (starts(data, "\x00\x61\x73\x6D"sv)) return ct_wasm;
            break;
        case 'O':
            if (starts(data, "OTTO"sv)) return ct_otf;
            break;
        case 't':
            if (starts(data, "ttcf"sv)) return ct_font_collection;
            break;
        case 'w':
            if (starts(data, "wOFF"sv)) return ct_woff;
            if (starts(data, "wOF2"sv)) return ct_woff2;
            break;
        case 0x1F:
            if (starts(data, "\x1F\x8B\x08"sv)) return ct_gzip;
            break;
        case 'P':
            if (starts(data, "PK\x03\x04"sv)) return ct_zip;
            break;
        case 'R':
            // RAR Labs' signatures (v1.5-4.0, then v5+); the WHATWG table's are
            // wrong (whatwg/mimesniff#63) and Go uses these instead.
            if (starts(data, "Rar!\x1A\x07\x00"sv) || starts(data, "Rar!\x1A\x07\x01\x00"sv)) return ct_rar;
            break;
        default:
            break;
    }
    return {};
}

#if defined(__SSE2__)
// Mask of the binary data bytes among the 16 at v.
inline unsigned binary_lanes(__m128i v) noexcept {
    // Unsigned v < 0x20: min(v, 0x1F) == v.
    const __m128i control = _mm_cmpeq_epi8(_mm_min_epu8(v, _mm_set1_epi8(0x1F)), v);
    const __m128i text = _mm_or_si128(
        _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8(0x09)), _mm_cmpeq_epi8(v, _mm_set1_epi8(0x0A))),
        _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8(0x0C)), _mm_cmpeq_epi8(v, _mm_set1_epi8(0x0D))),
                     _mm_cmpeq_epi8(v, _mm_set1_epi8(0x1B))));
    return static_cast<unsigned>(_mm_movemask_epi8(_mm_andnot_si128(text, control)));
}

// True if data holds a binary data byte, 16 bytes at a time. The bytes past
// the last full block are loaded again overlapping it, or for a short text
// gathered from overlapping words into a register: never through a copy on
// the stack, whose narrow stores a wide load would wait for.
bool has_binary_byte(std::string_view data) noexcept {
    const char* p = data.data();
    const std::size_t n = data.size();
    auto load = [](const char* at) { return _mm_loadu_si128(reinterpret_cast<const __m128i*>(at)); };
    if (n >= 16) {
        for (std::size_t i = 0; i + 16 <= n; i += 16)
            if (binary_lanes(load(p + i)) != 0) return true;
        return n % 16 != 0 && binary_lanes(load(p + n - 16)) != 0;
    }
    auto word = [](const char* at, auto w) {
        std::memcpy(&w, at, sizeof w);
        return w;
    };
    __m128i v;
    if (n >= 8) {
        v = _mm_set_epi64x(static_cast<long long>(word(p + n - 8, std::uint64_t{})),
                           static_cast<long long>(word(p, std::uint64_t{})));
    } else if (n >= 4) {
        v = _mm_set_epi32(0, 0, static_cast<int>(word(p + n - 4, std::uint32_t{})),
                          static_cast<int>(word(p, std::uint32_t{})));
        v = _mm_unpacklo_epi64(v, v);
    } else {
        for (std::size_t i = 0; i < n; ++i)
            if (is_binary(static_cast<unsigned char>(p[i]))) return true;
        return false;
    }
    return binary_lanes(v) != 0;
}
#else
// True if data holds a binary data byte. Scans a word at a time: a word with
// no byte below 0x20 cannot hold one, and text is mostly such words.
bool has_binary_byte(std::string_view data) noexcept {
    const auto* p = reinterpret_cast<const unsigned char*>(data.data());
    std::size_t n = data.size();
    std::size_t i = 0;
    constexpr std::uint64_t ones = 0x0101010101010101ull;
    constexpr std::uint64_t highs = 0x8080808080808080ull;
    for (; i + 8 <= n; i += 8) {
        std::uint64_t w;
        std::memcpy(&w, p + i, 8);
        // Nonzero exactly when some byte of w is below 0x20 (valid for any
        // threshold up to 0x80); it may misreport which byte, so recheck each.
        if (((w - ones * 0x20) & ~w & highs) == 0) continue;
        for (std::size_t j = i; j < i + 8; ++j)
            if (is_binary(p[j])) return true;
    }
    for (; i < n; ++i)
        if (is_binary(p[i])) return true;
    return false;
}
#endif

}  // namespace

std::string_view detect_content_type(std::string_view data) noexcept {
    if (data.size() > sniff_len) data = std::string_view(data.data(), sniff_len);
    if (data.empty()) return ct_text;

    std::size_t first = 0;
    while (first < data.size() && is_ws(static_cast<unsigned char>(data[first]))) ++first;
    if (first < data.size() && data[first] == '<') {
        std::string_view markup = data.substr(first);
        if (is_html_tag(markup.substr(1))) return ct_html;
        if (starts(markup, "<?xml"sv)) return ct_xml;
    }

    if (auto ct = match_before_eot(data); !ct.empty()) return ct;
    // Embedded OpenType: 34 bytes of header, then the magic "LP".
    if (bytes_at(data, 34, "LP"sv)) return ct_eot;
    if (auto ct = match_after_eot(data); !ct.empty()) return ct;

    return has_binary_byte(data) ? ct_octet : ct_text;
}

}  // namespace ringhttp::engine
