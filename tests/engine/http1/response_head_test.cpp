// Response heads: the plain-head cache gives what the general writer would,
// whichever of its keys changed.
#include <catch2/catch_test_macros.hpp>

#include <string>
#include <string_view>

#include <ringhttp/header.hpp>

#include "engine/http1/response_head.hpp"
#include "engine/http/sniff.hpp"

using ringhttp::engine::plain_head_cache;

namespace {

// The head the general path builds for the same response.
std::string general(std::string_view date, std::uint64_t length, std::string_view type) {
    const std::string digits = std::to_string(length);
    const ringhttp::engine::head_fields f{.status_line = ringhttp::engine::status_line(true, 200),
                                          .date = date,
                                          .content_length = digits,
                                          .content_type = type};
    const ringhttp::header none;
    std::string out(ringhttp::engine::head_size(none, f), '\0');
    out.resize(static_cast<std::size_t>(ringhttp::engine::put_head(out.data(), none, f) - out.data()));
    return out;
}

}  // namespace

TEST_CASE("plain head: the bytes Go sends for a sniffed 200", "[head]") {
    plain_head_cache cache;
    const std::string_view text = ringhttp::engine::detect_content_type("Hello world!\n");
    CHECK(cache.get(1, "Thu, 26 Nov 2026 19:00:00 GMT", 13, text) ==
          "HTTP/1.1 200 OK\r\nDate: Thu, 26 Nov 2026 19:00:00 GMT\r\nContent-Length: 13\r\n"
          "Content-Type: text/plain; charset=utf-8\r\n\r\n");
    // An empty body: no type, as Go sends.
    CHECK(cache.get(1, "Thu, 26 Nov 2026 19:00:00 GMT", 0, {}) ==
          "HTTP/1.1 200 OK\r\nDate: Thu, 26 Nov 2026 19:00:00 GMT\r\nContent-Length: 0\r\n\r\n");
}

TEST_CASE("plain head: a change of second, length or type builds it again", "[head]") {
    plain_head_cache cache;
    const std::string_view text = ringhttp::engine::detect_content_type("plain");
    const std::string_view html = ringhttp::engine::detect_content_type("<html>");
    const std::string_view png = ringhttp::engine::detect_content_type("\x89PNG\r\n\x1A\n");
    struct step {
        std::time_t second;
        std::string_view date;
        std::uint64_t length;
        std::string_view type;
    };
    const step steps[] = {
        {5, "Thu, 26 Nov 2026 19:00:05 GMT", 5, text},   {5, "Thu, 26 Nov 2026 19:00:05 GMT", 5, text},
        {5, "Thu, 26 Nov 2026 19:00:05 GMT", 6, text},   {5, "Thu, 26 Nov 2026 19:00:05 GMT", 6, html},
        {6, "Thu, 26 Nov 2026 19:00:06 GMT", 6, html},   {6, "Thu, 26 Nov 2026 19:00:06 GMT", 0, {}},
        {6, "Thu, 26 Nov 2026 19:00:06 GMT", 0, png},    {7, "Thu, 26 Nov 2026 19:00:07 GMT", 18446744073709551615u, png},
        {7, "Thu, 26 Nov 2026 19:00:07 GMT", 5, text},
    };
    for (const step& s : steps) {
        INFO("second " << s.second << ", length " << s.length << ", type " << s.type);
        CHECK(cache.get(s.second, s.date, s.length, s.type) == general(s.date, s.length, s.type));
    }
}

TEST_CASE("plain head: the longest type and length fit", "[head]") {
    plain_head_cache cache;
    const std::string type(plain_head_cache::max_type, 't');
    const std::string date = "Thu, 26 Nov 2026 19:00:00 GMT";
    CHECK(cache.get(1, date, 18446744073709551615u, type) == general(date, 18446744073709551615u, type));
}
