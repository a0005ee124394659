// The Date header (engine/http1/date_cache.*): IMF-fixdate, RFC 9110 §5.6.7,
//   IMF-fixdate = day-name "," SP date1 SP time-of-day SP GMT
// checked against the C library's strftime of the same second, and a cache
// that changes its value once a second.
#include "engine/http1/date_cache.hpp"

#include <catch2/catch_test_macros.hpp>
#include <catch2/generators/catch_generators.hpp>
#include <catch2/generators/catch_generators_range.hpp>

#include <chrono>
#include <ctime>
#include <random>
#include <string>
#include <string_view>
#include <thread>

using ringhttp::engine::date_cache;
using ringhttp::engine::format_http_date;

namespace {

std::string format(std::time_t t) {
    char out[29];
    format_http_date(t, out);
    return {out, sizeof out};
}

// The same second through strftime in the "C" locale (the program never
// calls setlocale), whose %a and %b are the English abbreviations the RFC
// lists.
std::string reference(std::time_t t) {
    std::tm tm{};
    ::gmtime_r(&t, &tm);
    char buf[64];
    const std::size_t n = std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S GMT", &tm);
    return {buf, n};
}

}  // namespace

TEST_CASE("date: the RFC's own example formats exactly", "[http1][date]") {
    // RFC 9110 §5.6.7: "Sun, 06 Nov 1994 08:49:37 GMT" is 784111777.
    CHECK(format(784111777) == "Sun, 06 Nov 1994 08:49:37 GMT");
}

TEST_CASE("date: fixed seconds format as strftime does", "[http1][date]") {
    const std::time_t t = GENERATE(
        std::time_t{0},            // the epoch, a Thursday
        std::time_t{-1},           // the second before it
        std::time_t{951782400},    // 2000-02-29, a leap day in a century year
        std::time_t{1709164800},   // 2024-02-29
        std::time_t{2147483647},   // the last 32-bit second
        std::time_t{2147483648},   // and the first past it
        std::time_t{253402300799}  // 9999-12-31 23:59:59, the last four-digit year
    );
    CAPTURE(t);
    CHECK(format(t) == reference(t));
}

TEST_CASE("date: every day of a leap year and every hour of a day format as strftime does", "[http1][date]") {
    // 2024-01-01T00:00:00Z, then every day (all weekdays and months) at a
    // time of day that moves through every hour, minute and second digit.
    const std::time_t start = 1704067200;
    for (int day = 0; day < 366; ++day) {
        const std::time_t t = start + day * 86400 + (day * 3671) % 86400;
        CAPTURE(t);
        CHECK(format(t) == reference(t));
    }
}

TEST_CASE("date: random seconds from 1970 to 9999 format as strftime does", "[http1][date]") {
    std::mt19937_64 rng(20261126);
    std::uniform_int_distribution<std::time_t> dist(0, 253402300799);
    for (int i = 0; i < 2000; ++i) {
        const std::time_t t = dist(rng);
        CAPTURE(t);
        CHECK(format(t) == reference(t));
    }
}

TEST_CASE("date: the value has the fixed shape of an IMF-fixdate", "[http1][date]") {
    date_cache d;
    const std::string_view v = d.value();
    REQUIRE(v.size() == 29);
    CHECK(v.substr(3, 2) == ", ");
    CHECK(v[7] == ' ');
    CHECK(v[11] == ' ');
    CHECK(v[16] == ' ');
    CHECK(v[19] == ':');
    CHECK(v[22] == ':');
    CHECK(v.substr(25) == " GMT");
    CHECK(v == reference(d.second()));
}

TEST_CASE("date: the cache shows the current second", "[http1][date]") {
    date_cache d;
    const std::time_t now = std::time(nullptr);
    // The coarse clock lags the precise one by at most a tick.
    CHECK(d.second() >= now - 1);
    CHECK(d.second() <= now + 1);
    CHECK(d.value() == format(d.second()));
}

TEST_CASE("date: refresh changes the value once a second and not in between", "[http1][date]") {
    date_cache d;
    // A refresh right after construction finds the same second (unless the
    // second just turned, which refresh then reports).
    const std::time_t first = d.second();
    std::time_t second = first;
    std::string value(d.value());
    int changes = 0;
    const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(2300);
    while (std::chrono::steady_clock::now() < until) {
        const bool changed = d.refresh();
        if (changed) {
            ++changes;
            CHECK(d.second() > second);
            CHECK(d.value() != value);
            second = d.second();
            value = d.value();
            CHECK(value == format(second));
        } else {
            CHECK(d.second() == second);
            CHECK(d.value() == value);
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    // 2.3 s of refreshes cross at least two second boundaries, and each
    // change moved to a later second.
    CHECK(changes >= 2);
    CHECK(d.second() - first >= changes);
}
