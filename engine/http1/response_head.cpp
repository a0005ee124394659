// Response heads: one sizing pass, then one writing pass straight into the
// connection's output block (no intermediate string on the common path).
#include "engine/http1/response_head.hpp"

#include <array>
#include <cassert>
#include <charconv>
#include <cstring>

#include <ringhttp/status.hpp>

#include "engine/base/chars.hpp"
#include "engine/base/scan.hpp"

namespace ringhttp::engine {

namespace {

// Appends one field line whose value is known to be clean (ours).
char* put_field(char* out, std::string_view name, std::string_view value) noexcept {
    std::memcpy(out, name.data(), name.size());
    out += name.size();
    *out++ = ':';
    *out++ = ' ';
    if (!value.empty()) std::memcpy(out, value.data(), value.size());  // an empty view may be null
    out += value.size();
    *out++ = '\r';
    *out++ = '\n';
    return out;
}

// Appends a handler's field line as Go's Header.Write does: CR, LF and NUL in
// the value turn into spaces, so a handler cannot inject fields or a body.
char* put_handler_field(char* out, std::string_view name, std::string_view value) noexcept {
    char* v = out + name.size() + 2;
    out = put_field(out, name, value);
    for (std::size_t i = scan::find_control(v, value.size(), 0x20); i < value.size(); ++i)
        if (v[i] == '\r' || v[i] == '\n' || v[i] == '\0') v[i] = ' ';
    return out;
}

char* put(char* out, std::string_view s) noexcept {
    if (!s.empty()) std::memcpy(out, s.data(), s.size());
    return out + s.size();
}

constexpr std::string_view chunked_field = "Transfer-Encoding: chunked\r\n";

}  // namespace

void append_status_line(std::string& out, bool http11, int code) {
    out.append(http11 ? "HTTP/1.1 " : "HTTP/1.0 ");
    char digits[12];
    auto [end, ec] = std::to_chars(digits, digits + sizeof digits, code);
    std::string_view num(digits, static_cast<std::size_t>(end - digits));
    std::string_view text = status_text(code);
    out.append(num);
    if (!text.empty()) {
        out.push_back(' ');
        out.append(text);
    } else {
        out.append(" status code ");
        out.append(num);
    }
    out.append("\r\n");
}

std::string_view status_line(bool http11, int code) {
    static const auto lines = [] {
        std::array<std::array<std::string, 900>, 2> t;
        for (int v = 0; v < 2; ++v)
            for (int c = 100; c < 1000; ++c) append_status_line(t[v][c - 100], v == 1, c);
        return t;
    }();
    return lines[http11 ? 1 : 0][static_cast<std::size_t>(code - 100)];
}

std::size_t head_size(const ringhttp::header& h, const head_fields& f) noexcept {
    // Each field line is name + ": " + value + "\r\n".
    std::size_t size = f.status_line.size() + 2;
    for (const header_field& field : h)
        if (chars::is_token(field.name)) size += field.name.size() + chars::trim_ows(field.value).size() + 4;
    if (!f.date.empty()) size += 4 + f.date.size() + 4;
    if (!f.content_length.empty()) size += 14 + f.content_length.size() + 4;
    if (!f.content_type.empty()) size += 12 + f.content_type.size() + 4;
    if (!f.connection.empty()) size += 10 + f.connection.size() + 4;
    if (f.chunked) size += chunked_field.size();
    return size;
}

char* put_head(char* out, const ringhttp::header& h, const head_fields& f) noexcept {
    out = put(out, f.status_line);
    for (const header_field& field : h)
        if (chars::is_token(field.name)) out = put_handler_field(out, field.name, chars::trim_ows(field.value));
    if (!f.date.empty()) out = put_field(out, "Date", f.date);
    if (!f.content_length.empty()) out = put_field(out, "Content-Length", f.content_length);
    if (!f.content_type.empty()) out = put_field(out, "Content-Type", f.content_type);
    if (!f.connection.empty()) out = put_field(out, "Connection", f.connection);
    if (f.chunked) out = put(out, chunked_field);
    return put(out, "\r\n");
}

void plain_head_cache::build(std::time_t second, std::string_view date, std::uint64_t length,
                             std::string_view content_type) noexcept {
    assert(content_type.size() <= max_type);  // bytes_ is sized for it
    char digits[24];
    auto [end, ec] = std::to_chars(digits, digits + sizeof digits, length);
    const head_fields f{.status_line = status_line(true, status_ok),
                       .date = date,
                       .content_length = {digits, static_cast<std::size_t>(end - digits)},
                       .content_type = content_type};
    static const ringhttp::header none;
    second_ = second;
    length_ = length;
    type_ = content_type.data();
    size_ = static_cast<std::size_t>(put_head(bytes_, none, f) - bytes_);
}

}  // namespace ringhttp::engine
