// Request path segmentation, the cleanliness test and host port stripping
// (mux/request_path.cpp).
#include <catch2/catch_test_macros.hpp>
#include <catch2/generators/catch_generators.hpp>

#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include <ringhttp/url.hpp>

#include "mux/request_path.hpp"

using namespace ringhttp::mux_detail;

namespace {

std::vector<std::string> segments_of(const request_path& p, std::size_t limit) {
    std::vector<std::string> out;
    for (std::size_t i = 0; i < limit && !p.at_end(i); ++i) out.emplace_back(p[i].text);
    return out;
}

}  // namespace

TEST_CASE("request_path: splits like Go's firstSegment, unescaping each segment", "[mux][path]") {
    request_path p;
    p.assign("/a/b%2Fc/%zz/", 16);
    CHECK(segments_of(p, 16) == std::vector<std::string>{"a", "b/c", "%zz", "/"});
    CHECK(p.clean());
    CHECK(p[1].offset == 2);
    CHECK(p[3].offset == 12);

    p.assign("/", 16);
    CHECK(segments_of(p, 16) == std::vector<std::string>{"/"});
    p.assign("", 16);
    CHECK(p.at_end(0));
    CHECK_FALSE(p.clean());
}

TEST_CASE("request_path: keeps only the segments a pattern can reach", "[mux][path]") {
    request_path p;
    p.assign("/a/b/c/d/e", 2);
    CHECK(p[0].text == "a");
    CHECK(p[1].text == "b");
    CHECK_FALSE(p.at_end(2));
    CHECK_FALSE(p.push_slash());  // longer than any pattern: no exact match possible
    p.assign("/a/b", 2);
    CHECK(p.at_end(2));
    REQUIRE(p.push_slash());
    CHECK(p[2].text == "/");
    CHECK(p.at_end(3));
    p.pop_slash();
    CHECK(p.at_end(2));
}

TEST_CASE("request_path: segments of a long path with escapes need no fixed buffer", "[mux][path]") {
    std::string path;
    for (int i = 0; i < 100; ++i) path += "/seg%20" + std::to_string(i);
    request_path p;
    p.assign(path, 200);
    CHECK(p[99].text == "seg 99");
    CHECK(p.at_end(100));
}

TEST_CASE("request_path: clean() agrees with clean_path(p) == p", "[mux][path]") {
    std::mt19937 rng(12345);
    const char alphabet[] = {'/', '/', '/', '.', '.', 'a', '%'};
    request_path p;
    for (int n = 0; n < 20000; ++n) {
        std::string s;
        const int len = static_cast<int>(rng() % 9);
        for (int i = 0; i < len; ++i) s.push_back(alphabet[rng() % sizeof alphabet]);
        p.assign(s, 4);
        INFO('"' << s << '"');
        REQUIRE(p.clean() == (ringhttp::clean_path(s) == s));
    }
}

TEST_CASE("request_path: strip_host_port follows net.SplitHostPort", "[mux][path]") {
    struct row {
        const char* in;
        const char* out;
    };
    auto [in, out] = GENERATE(values<row>({
        {"example.com", "example.com"},
        {"example.com:8080", "example.com"},
        {"example.com:", "example.com"},
        {":80", ""},
        {"[::1]:80", "::1"},
        {"[::1]", "[::1]"},
        {"a:b:c", "a:b:c"},
        {"[::1]:80:9", "[::1]:80:9"},
        {"x]:80", "x]:80"},
        {"a[b:80", "a[b:80"},
        {"[a]b:80", "[a]b:80"},
    }));
    INFO(in);
    CHECK(strip_host_port(in) == out);
}

TEST_CASE("request_path: a decoded path splits as its escaped form does", "[mux][path]") {
    // The claim behind assign_decoded: splitting escape(p) and unescaping
    // each segment gives p's own segments, cleanliness and rests.
    std::mt19937 rng(99);
    const char alphabet[] = {'/', '/', '.', 'a', 'b', '-', '~', ' ', '%', '?', '\xc3', '\xa9'};
    request_path decoded, general;
    for (int n = 0; n < 20000; ++n) {
        std::string s = "/";
        const int len = static_cast<int>(rng() % 10);
        for (int i = 0; i < len; ++i) s.push_back(alphabet[rng() % sizeof alphabet]);
        std::string escaped;
        ringhttp::path_escape(s, escaped);
        const std::size_t limit = 1 + rng() % 4;
        INFO('"' << s << "\" escaped \"" << escaped << "\" limit " << limit);
        decoded.assign_decoded(s, limit);
        general.assign(escaped, limit);
        REQUIRE(decoded.clean() == general.clean());
        REQUIRE(decoded.slash_count() == general.slash_count());
        for (std::size_t i = 0; i <= limit; ++i) {
            REQUIRE(decoded.at_end(i) == general.at_end(i));
            if (decoded.at_end(i) || i == limit) break;
            REQUIRE(decoded[i].text == general[i].text);
            REQUIRE(decoded[i].hash == general[i].hash);
            std::string rest;
            REQUIRE(ringhttp::path_unescape(general.source().substr(general[i].offset + 1), rest));
            REQUIRE(decoded.source().substr(decoded[i].offset + 1) == rest);
        }
    }
}

TEST_CASE("request_path: finds slashes past the eight-byte steps", "[mux][path]") {
    request_path p;
    const std::string path = "/abcdefghijklmnop/q/rstuvwxyz0123456789/";
    p.assign_decoded(path, 8);
    CHECK(p[0].text == "abcdefghijklmnop");
    CHECK(p[1].text == "q");
    CHECK(p[2].text == "rstuvwxyz0123456789");
    CHECK(p[3].text == "/");
    CHECK(p.at_end(4));
}

TEST_CASE("request_path: hash_bytes spreads similar keys over a table's low bits", "[mux][path]") {
    // Keys that differ only in their last bytes, as routes often do.
    for (const char* stem : {"resource", "host", "", "api/v1/items-", "x"}) {
        for (int bits : {4, 8, 12}) {
            const int keys = 4 << bits;  // the table's load: about 4 keys per page
            std::vector<int> pages(std::size_t{1} << bits, 0);
            for (int i = 0; i < keys; ++i) {
                const std::string key = stem + std::to_string(i) + (stem[0] == 'h' ? ".example" : "");
                ++pages[hash_bytes(key) & ((std::uint64_t{1} << bits) - 1)];
            }
            INFO("stem " << stem << ", " << keys << " keys in " << pages.size() << " pages");
            CHECK(*std::max_element(pages.begin(), pages.end()) <= 20);
        }
    }
}

TEST_CASE("request_path: surely_clean never calls an unclean path clean", "[mux][path]") {
    std::mt19937 rng(5);
    const char alphabet[] = {'/', '/', '.', 'a', 'b'};
    for (int n = 0; n < 50000; ++n) {
        std::string s = "/";
        const int len = static_cast<int>(rng() % 24);
        for (int i = 0; i < len; ++i) s.push_back(alphabet[rng() % sizeof alphabet]);
        const bool has_pair = s.find("//") != std::string::npos || s.find("/.") != std::string::npos;
        INFO('"' << s << '"');
        REQUIRE(surely_clean(s) == !has_pair);
        if (surely_clean(s)) REQUIRE(ringhttp::clean_path(s) == s);
    }
}

TEST_CASE("request_path: scan_short_path finds every slash and agrees with surely_clean", "[mux][path]") {
    std::mt19937 rng(64);
    static const char alphabet[] = "//..ab%";
    // Each length from 0 to 64, also at every alignment inside a buffer
    // that ends where the path ends (the scan must not read past it).
    long paths = 0;
    for (int round = 0; round < 3000; ++round) {
        const std::size_t n = static_cast<std::size_t>(round % 65);
        std::string buf(n + 16, 'z');
        const std::size_t at = static_cast<std::size_t>(rng() % 16);
        buf.resize(at + n);
        for (std::size_t i = at; i < at + n; ++i) buf[i] = alphabet[rng() % 7];
        if (n > 0 && rng() % 2 == 0) buf[at] = '/';
        const std::string_view path(buf.data() + at, n);
        std::uint64_t want = 0;
        for (std::size_t i = 0; i < n; ++i)
            if (path[i] == '/') want |= std::uint64_t{1} << i;
        std::uint64_t slashes = ~std::uint64_t{0};
        const bool clean = scan_short_path(path, slashes);
        INFO("path \"" << path << "\"");
        REQUIRE(slashes == want);
        REQUIRE(clean == surely_clean(path));
        ++paths;
    }
    CHECK(paths == 3000);
}

TEST_CASE("request_path: hash_bytes gives the same hash at compile time", "[mux][path]") {
    constexpr std::uint64_t get = hash_bytes("GET");
    constexpr std::uint64_t longer = hash_bytes("/api/v1/resource/");
    constexpr std::uint64_t empty = hash_bytes({});
    const std::string get_s = "GET", longer_s = "/api/v1/resource/", empty_s;
    CHECK(hash_bytes(get_s) == get);
    CHECK(hash_bytes(longer_s) == longer);
    CHECK(hash_bytes(empty_s) == empty);
}
