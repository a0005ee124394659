// ringhttp: the Date header value, formatted once a second per ring.
#pragma once

#include <ctime>
#include <string_view>

namespace ringhttp::engine {

/// date_cache holds the current time as an IMF-fixdate (RFC 9110 §5.6.7),
/// "Sun, 06 Nov 1994 08:49:37 GMT". refresh() reads the coarse clock (no
/// system call) and reformats only when the second changed; call it once per
/// ring loop iteration; it returns true when the second changed. One thread only.
class date_cache {
public:
    date_cache() { refresh(); }
    bool refresh() noexcept;
    std::string_view value() const noexcept { return {buf_, 29}; }
    /// second is the Unix second value() shows: it changes when value() does.
    std::time_t second() const noexcept { return second_; }

private:
    std::time_t second_ = -1;
    char buf_[32] = {};
};

/// format_http_date writes t as an IMF-fixdate into out (29 bytes, no NUL).
void format_http_date(std::time_t t, char* out) noexcept;

}  // namespace ringhttp::engine
