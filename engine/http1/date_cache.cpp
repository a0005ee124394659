#include "engine/http1/date_cache.hpp"

#include <cstring>
#include <time.h>

namespace ringhttp::engine {

void format_http_date(std::time_t t, char* out) noexcept {
    static constexpr char days[7][4] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static constexpr char months[12][4] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                           "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    std::tm tm{};
    ::gmtime_r(&t, &tm);
    auto two = [](char* p, int v) {
        p[0] = static_cast<char>('0' + v / 10);
        p[1] = static_cast<char>('0' + v % 10);
    };
    std::memcpy(out, days[tm.tm_wday], 3);
    out[3] = ',';
    out[4] = ' ';
    two(out + 5, tm.tm_mday);
    out[7] = ' ';
    std::memcpy(out + 8, months[tm.tm_mon], 3);
    out[11] = ' ';
    int year = tm.tm_year + 1900;
    two(out + 12, year / 100);
    two(out + 14, year % 100);
    out[16] = ' ';
    two(out + 17, tm.tm_hour);
    out[19] = ':';
    two(out + 20, tm.tm_min);
    out[22] = ':';
    two(out + 23, tm.tm_sec);
    std::memcpy(out + 25, " GMT", 4);
}

bool date_cache::refresh() noexcept {
    timespec ts{};
    ::clock_gettime(CLOCK_REALTIME_COARSE, &ts);
    if (ts.tv_sec == second_) return false;
    second_ = ts.tv_sec;
    format_http_date(second_, buf_);
    return true;
}

}  // namespace ringhttp::engine
