// Tests for engine/sniff: detect_content_type against Go's DetectContentType.
//
// go_cases holds every row of Go's net/http sniff_test.go table; the other
// tables add the edges Go's table leaves out. tests/go/sniffcheck/check.sh
// replays every input of every table here through Go and compares.
#include "engine/http/sniff.hpp"

#include <catch2/catch_test_macros.hpp>
#include <catch2/generators/catch_generators.hpp>
#include <catch2/generators/catch_generators_range.hpp>

#include <array>
#include <string>
#include <string_view>
#include <vector>

namespace {

using namespace std::literals;
using ringhttp::engine::detect_content_type;
using ringhttp::engine::sniff_len;

constexpr std::string_view html = "text/html; charset=utf-8";
constexpr std::string_view xml = "text/xml; charset=utf-8";
constexpr std::string_view text = "text/plain; charset=utf-8";
constexpr std::string_view octet = "application/octet-stream";

struct sniff_case {
    std::string_view name;
    std::string_view data;  // a "sv" literal wherever the bytes hold a NUL
    std::string_view want;
};

// C++ hex escapes are greedy ("\x00A" is one byte, 0x0A), so a literal is split
// wherever an escape is followed by a hex digit.
const std::vector<sniff_case> go_cases = {
    {"empty", ""sv, text},
    {"binary", "\x01\x02\x03"sv, octet},
    {"mixed-case html document", "<HtMl><bOdY>blah blah blah</body></html>"sv, html},
    {"upper-case html document", "<HTML></HTML>"sv, html},
    {"doctype after spaces", "   <!DOCTYPE HTML>..."sv, html},
    {"html after CRLF", "\r\n<html>..."sv, html},
    {"plain text with a snowman", "This is not HTML. It has \xE2\x98\x83 though."sv, text},
    {"xml declaration after LF", "\n<?xml!"sv, xml},
    {"windows icon", "\x00\x00\x01\x00"sv, "image/x-icon"},
    {"windows cursor", "\x00\x00\x02\x00"sv, "image/x-icon"},
    {"bmp", "BM..."sv, "image/bmp"},
    {"gif 87a", "GIF87a"sv, "image/gif"},
    {"gif 89a", "GIF89a..."sv, "image/gif"},
    {"webp", "RIFF\x00\x00\x00\x00WEBPVP"sv, "image/webp"},
    {"png", "\x89PNG\x0D\x0A\x1A\x0A"sv, "image/png"},
    {"jpeg", "\xFF\xD8\xFF"sv, "image/jpeg"},
    {"midi", "MThd\x00\x00\x00\x06\x00\x01"sv, "audio/midi"},
    {"mp3 with an ID3 tag", "ID3\x03\x00\x00\x00\x00\x0F"sv, "audio/mpeg"},
    {"wave #1", "RIFFb\xB8\x00\x00WAVEfmt \x12\x00\x00\x00\x06"sv, "audio/wave"},
    {"wave #2", "RIFF,\x00\x00\x00WAVEfmt \x12\x00\x00\x00\x06"sv, "audio/wave"},
    {"aiff", "FORM\x00\x00\x00\x00"
             "AIFFCOMM\x00\x00\x00\x12\x00\x01\x00\x00\x57\x55\x00\x10\x40\x0D\xF3\x34"sv,
     "audio/aiff"},
    {"ogg", "OggS\x00\x02\x00\x00\x00\x00\x00\x00\x00\x00\x7E\x46\x00\x00\x00\x00\x00\x00\x1F\xF6"
            "\xB4\xFC\x01\x1E\x01\x76\x6F\x72"sv,
     "application/ogg"},
    {"not ogg: owow", "owow\x00"sv, octet},
    {"not ogg: oooS", "oooS\x00"sv, octet},
    {"not ogg: lower-case oggS", "oggS\x00"sv, octet},
    {"mp4", "\x00\x00\x00\x18"
            "ftypmp42\x00\x00\x00\x00mp42isom<\x06t\xBFmdat"sv,
     "video/mp4"},
    {"avi #1", "RIFF,O\n\x00"
               "AVI LIST\xC3\x80"sv,
     "video/avi"},
    {"avi #2", "RIFF,\n\x00\x00"
               "AVI LIST\xC3\x80"sv,
     "video/avi"},
    {"ttf #1", "\x00\x01\x00\x00\x00\x17\x01\x00\x00\x04\x01\x60\x4F"sv, "font/ttf"},
    {"ttf #2", "\x00\x01\x00\x00\x00\x0E\x00\x80\x00\x03\x00\x60\x46"sv, "font/ttf"},
    {"otf", "\x4F\x54\x54\x4F\x00\x0E\x00\x80\x00\x03\x00\x60\x42\x41\x53\x45"sv, "font/otf"},
    {"woff", "\x77\x4F\x46\x46\x00\x01\x00\x00\x00\x00\x30\x54\x00\x0D\x00\x00"sv, "font/woff"},
    {"woff2", "\x77\x4F\x46\x32\x00\x01\x00\x00\x00"sv, "font/woff2"},
    {"wasm", "\x00\x61\x73\x6D\x01\x00"sv, "application/wasm"},
    {"rar 1.5 to 4.0", "Rar!\x1A\x07\x00"sv, "application/x-rar-compressed"},
    {"rar 5", "Rar!\x1A\x07\x01\x00"sv, "application/x-rar-compressed"},
    {"not rar 1.5 to 4.0: space for bang", "Rar \x1A\x07\x00"sv, octet},
    {"not rar 5: space for bang", "Rar \x1A\x07\x01\x00"sv, octet},
};

const std::string html_longer_than_window = "<html>" + std::string(2000, 'x') + "</html>";

const std::vector<sniff_case> html_cases = {
    {"every whitespace byte before the tag", " \t\n\f\r <html>"sv, html},
    {"upper-case BODY", "<BODY>"sv, html},
    {"mixed-case table", "<TaBlE border=1>"sv, html},
    {"script with attributes", "<SCRIPT src=x.js>"sv, html},
    {"iframe", "<iframe src=x>"sv, html},
    {"head", "<head>"sv, html},
    {"div", "<div>"sv, html},
    {"font", "<font >"sv, html},
    {"style", "<style>"sv, html},
    {"title", "<title>"sv, html},
    {"h1 with its digit", "<h1>Title</h1>"sv, html},
    {"anchor", "<a href=/>"sv, html},
    {"bold", "<b>"sv, html},
    {"line break", "<br>"sv, html},
    {"paragraph", "<p>"sv, html},
    {"lower-case doctype", "<!doctype html>"sv, html},
    {"comment with a space", "<!-- note -->"sv, html},
    {"comment closed at once", "<!-->"sv, html},
    {"html followed by a space", "<html lang=en>"sv, html},
    {"document longer than 512 bytes", html_longer_than_window, html},
};

const std::string spaces_511_then_p = std::string(511, ' ') + "<p>";
const std::string spaces_508_then_p = std::string(508, ' ') + "<p>";

const std::vector<sniff_case> not_html_cases = {
    {"comment without a terminating byte", "<!--comment-->"sv, text},
    {"html at end of data", "<html"sv, text},
    {"html followed by a newline", "<html\n>"sv, text},
    {"html followed by a slash", "<html/>"sv, text},
    {"longer tag name", "<htmlx>"sv, text},
    {"bold-like tag", "<bx>"sv, text},
    {"h2 is not in the table", "<h2>"sv, text},
    {"span is not in the table", "<span>"sv, text},
    {"doctype with two spaces", "<!DOCTYPE  HTML>"sv, text},
    {"vertical tab is not whitespace", "\v<html>"sv, octet},
    {"text before the tag", "x<html>"sv, text},
    {"tag cut at byte 512 by leading spaces", spaces_511_then_p, text},
    {"tag ending at byte 511 after spaces", spaces_508_then_p, html},
    {"letters folded by bit 5 only", "<\xC8TML>"sv, text},
};

const std::vector<sniff_case> xml_cases = {
    {"xml declaration", "<?xml version=\"1.0\"?>"sv, xml},
    {"xml declaration after spaces", "   <?xml"sv, xml},
    {"upper-case XML is not xml", "<?XML version=\"1.0\"?>"sv, text},
    {"xml declaration cut short", "<?xm"sv, text},
    {"html wins when both could match", "<html><?xml"sv, html},
};

const std::string text_then_binary_at_511 = std::string(511, 'a') + '\x01';
const std::string text_then_binary_at_512 = std::string(512, 'a') + '\x01';
const std::string html_then_binary_at_600 = "<html>" + std::string(594, 'a') + '\x00';

const std::vector<sniff_case> text_cases = {
    {"escape byte in ISO-2022-JP text", "\x1B$B$3$s$K$A$O\x1B(B"sv, text},
    {"tab, newline, form feed and carriage return", "a\tb\nc\fd\re"sv, text},
    {"delete byte", "a\x7F"sv, text},
    {"high bytes", "\x80\xFF\xFE"sv, text},
    {"json", "{\"ok\": true}\n"sv, text},
    {"only whitespace", " \r\n\t\f"sv, text},
    {"nul byte", "\x00"sv, octet},
    {"vertical tab", "a\vb"sv, octet},
    {"byte 0x1A", "a\x1A"sv, octet},
    {"byte 0x1C", "a\x1C"sv, octet},
    {"byte 0x1F", "a\x1F"sv, octet},
    {"binary byte at offset 511", text_then_binary_at_511, octet},
    {"binary byte at offset 512 is past the window", text_then_binary_at_512, text},
    {"html ignores binary bytes later on", html_then_binary_at_600, html},
    {"pdf after whitespace is only text", " %PDF-1.7"sv, text},
};

const std::vector<sniff_case> bom_cases = {
    {"utf-16be bom", "\xFE\xFF\x00h"sv, "text/plain; charset=utf-16be"},
    {"utf-16le bom", "\xFF\xFEh\x00"sv, "text/plain; charset=utf-16le"},
    {"utf-8 bom", "\xEF\xBB\xBFhi"sv, text},
    {"bare utf-16be bom is too short", "\xFE\xFF"sv, text},
    {"bare utf-16le bom is too short", "\xFF\xFE"sv, text},
    {"utf-16le bom with a binary tail", "\xFF\xFE\x01\x02"sv, "text/plain; charset=utf-16le"},
};

const std::string eot_header = std::string(34, '\x01') + "LP";
const std::string ttf_with_eot_magic = std::string("\x00\x01\x00\x00"sv) + std::string(30, 'x') + "LP";
const std::string id3_with_eot_magic = "ID3" + std::string(31, 'x') + "LP";
const std::string mp4_brand_at_offset_20 = std::string("\x00\x00\x00\x18"
                                                       "ftypisom\x00\x00\x00\x00"
                                                       "avc1mp41"sv);

const std::vector<sniff_case> binary_format_cases = {
    {"pdf", "%PDF-1.7\n"sv, "application/pdf"},
    {"postscript", "%!PS-Adobe-3.0\n"sv, "application/postscript"},
    {"webm", "\x1A\x45\xDF\xA3\x01"sv, "video/webm"},
    {"gzip", "\x1F\x8B\x08\x00"sv, "application/x-gzip"},
    {"zip", "PK\x03\x04\x14\x00"sv, "application/zip"},
    {"font collection", "ttcf\x00\x01\x00\x00"sv, "font/collection"},
    {"embedded opentype", eot_header, "application/vnd.ms-fontobject"},
    {"embedded opentype wins over ttf", ttf_with_eot_magic, "application/vnd.ms-fontobject"},
    {"id3 wins over embedded opentype", id3_with_eot_magic, "audio/mpeg"},
    {"webp needs the VP after WEBP", "RIFF\x00\x00\x00\x00WEBP"sv, octet},
    {"bare mpeg audio frame is not sniffed", "\xFF\xFB\x90\x00"sv, octet},
    {"gif needs its version", "GIF8"sv, text},
    {"mp4 with a compatible brand", mp4_brand_at_offset_20, "video/mp4"},
    {"mp4 box truncated by the data", "\x00\x00\x00\x18"
                                      "ftypmp42\x00\x00\x00\x00"sv,
     octet},
    {"mp4 box size not a multiple of 4", "\x00\x00\x00\x15"
                                         "ftypmp42\x00\x00\x00\x00mp41x"sv,
     octet},
    {"mp4 brand only in the minor version", "\x00\x00\x00\x10"
                                            "ftypisommp41"sv,
     octet},
    {"mp4 type must be ftyp", "\x00\x00\x00\x10"
                              "FTYPmp42\x00\x00\x00\x00"sv,
     octet},
};

const std::array<const std::vector<sniff_case>*, 7> all_tables = {
    &go_cases, &html_cases, &not_html_cases, &xml_cases,
    &text_cases, &bom_cases, &binary_format_cases,
};

void check_table(const std::vector<sniff_case>& table) {
    auto c = GENERATE_REF(from_range(table));
    INFO("case: " << c.name);
    CHECK(detect_content_type(c.data) == c.want);
}

}  // namespace

TEST_CASE("sniff: every row of Go's DetectContentType table gives Go's answer", "[sniff]") {
    check_table(go_cases);
}

TEST_CASE("sniff: html tag after leading whitespace is text/html, in any letter case", "[sniff]") {
    check_table(html_cases);
}

TEST_CASE("sniff: an html tag without a tag-terminating byte is not html", "[sniff]") {
    check_table(not_html_cases);
}

TEST_CASE("sniff: <?xml after whitespace is text/xml, case-sensitively", "[sniff]") {
    check_table(xml_cases);
}

TEST_CASE("sniff: text is utf-8 unless a binary byte occurs in the first 512", "[sniff]") {
    check_table(text_cases);
}

TEST_CASE("sniff: a byte-order mark names its charset only with four bytes of data", "[sniff]") {
    check_table(bom_cases);
}

TEST_CASE("sniff: binary formats are recognised by their signatures in Go's order", "[sniff]") {
    check_table(binary_format_cases);
}

TEST_CASE("sniff: bytes after the first 512 never change the answer", "[sniff]") {
    const auto* table = GENERATE(from_range(all_tables));
    auto c = GENERATE_REF(from_range(*table));
    INFO("case: " << c.name);
    // Fill the window with spaces, then follow it with bytes that would change
    // every verdict if they were read: a NUL, a tag, an mp4 brand.
    std::string window(c.data.substr(0, sniff_len));
    window.resize(sniff_len, ' ');
    std::string longer = window + "\x00<html>mp41"s;
    CHECK(detect_content_type(longer) == detect_content_type(window));
}

TEST_CASE("sniff: the result is a static string that outlives the data", "[sniff]") {
    std::string_view got;
    {
        std::string data = "<html><body>temporary</body></html>";
        got = detect_content_type(data);
    }
    CHECK(got == html);
}

TEST_CASE("sniff: every byte value at every place of short and block-sized texts", "[sniff]") {
    // The binary-byte scan works in 16-byte blocks, loads the tail as a block
    // overlapping the last one, and gathers texts under 16 bytes from
    // overlapping words: each byte value is tried at each offset of texts from
    // 2 to 40 bytes long. 'x' starts
    // no signature, so only the byte's class decides.
    for (std::size_t len = 2; len <= 40; ++len) {
        for (std::size_t at = 1; at < len; ++at) {
            for (int b = 0; b < 256; ++b) {
                std::string text(len, 'x');
                text[at] = static_cast<char>(b);
                const bool binary = b < 0x20 && b != 0x09 && b != 0x0A && b != 0x0C && b != 0x0D && b != 0x1B;
                const std::string_view got = ringhttp::engine::detect_content_type(text);
                if (got != (binary ? "application/octet-stream" : "text/plain; charset=utf-8")) {
                    FAIL("byte " << b << " at " << at << " of " << len << ": " << got);
                }
            }
        }
    }
    SUCCEED();
}
