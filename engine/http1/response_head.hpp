// ringhttp: serializing a response head (status line and fields).
#pragma once

#include <cstddef>
#include <cstdint>
#include <ctime>
#include <string>
#include <string_view>

#include <ringhttp/header.hpp>

namespace ringhttp::engine {

/// head_fields is what the engine adds to a handler's header when it writes
/// a response head; an empty view means "do not add that field".
struct head_fields {
    std::string_view status_line;     ///< "HTTP/1.1 200 OK\r\n" (status_line())
    std::string_view date;            ///< empty when the handler set Date
    std::string_view content_length;  ///< decimal digits
    std::string_view content_type;
    std::string_view connection;
    bool chunked = false;             ///< add "Transfer-Encoding: chunked"
};

/// append_status_line appends "HTTP/1.x NNN Reason\r\n" (Go's text for codes
/// it does not know: "status code NNN").
void append_status_line(std::string& out, bool http11, int code);

/// status_line returns the status line for code (100..999), built once.
std::string_view status_line(bool http11, int code);

/// head_size is the exact number of bytes put_head writes for h and f.
std::size_t head_size(const ringhttp::header& h, const head_fields& f) noexcept;

/// put_head writes the head (status line, the handler's valid fields as Go's
/// Header.Write does, then f's fields and the empty line) at out, which must
/// have head_size(h, f) bytes of room; returns the end.
char* put_head(char* out, const ringhttp::header& h, const head_fields& f) noexcept;

/// plain_head_cache keeps the last head of the commonest response: HTTP/1.1
/// 200 with no handler fields, so only Date, Content-Length and a sniffed
/// Content-Type. A handler answering the same way each time (most do, and
/// every benchmark does) gets its head as one copy instead of a build.
class plain_head_cache {
public:
    /// get returns that head for date (formatted from second), length and
    /// content_type, which must be one of sniffing's static strings (matched
    /// by address; at most max_type bytes) or empty for none; building it
    /// again only when one of them changed.
    static constexpr std::size_t max_type = 64;  ///< longest content_type get takes (sniffing's: 29)

    std::string_view get(std::time_t second, std::string_view date, std::uint64_t length,
                         std::string_view content_type) noexcept {
        if (second != second_ || length != length_ || content_type.data() != type_) [[unlikely]]
            build(second, date, length, content_type);
        return {bytes_, size_};
    }

private:
    void build(std::time_t second, std::string_view date, std::uint64_t length,
               std::string_view content_type) noexcept;

    std::time_t second_ = -1;
    std::uint64_t length_ = 0;
    const char* type_ = nullptr;
    std::size_t size_ = 0;
    char bytes_[192];  // at most 17 + 37 + 38 + (16 + max_type) + 2 bytes
};

}  // namespace ringhttp::engine
