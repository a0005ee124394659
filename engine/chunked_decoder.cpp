#include "engine/chunked_decoder.hpp"

#include <algorithm>

#include "engine/chars.hpp"

namespace ringhttp::engine {

chunked_decoder::result chunked_decoder::decode(std::string_view in, std::size_t max_data) noexcept {
    std::size_t i = 0;
    auto fail = [&]() noexcept {
        state_ = state::failed;
        return result{status::error, i, {}};
    };
    while (i < in.size()) {
        const auto c = static_cast<unsigned char>(in[i]);
        switch (state_) {
            case state::size:
                if (chars::is_hex(c)) {
                    // 16 hex digits hold any size a 64-bit length can; more is an overflow.
                    if (++digits_ > 16 || (remaining_ >> 60) != 0) return fail();
                    remaining_ = remaining_ << 4 | static_cast<std::uint64_t>(chars::hex_value(c));
                    break;
                }
                if (digits_ == 0) return fail();
                if (c == ' ' || c == '\t') state_ = state::size_ws;
                else if (c == ';') state_ = state::ext;
                else if (c == '\r') state_ = state::size_lf;
                else return fail();
                break;
            case state::size_ws:
                // Whitespace may trail the size, but, as in Go, not come before
                // an extension's ';' (RFC 9112 §7.1.1 would allow that BWS).
                if (c == ' ' || c == '\t') break;
                if (c == '\r') state_ = state::size_lf;
                else return fail();
                break;
            case state::ext:
                // chunk-ext names and values are tokens, quoted strings and BWS:
                // any visible byte is let through, control bytes are not.
                if (c == '\r') state_ = state::size_lf;
                else if (!chars::is_field_char(c)) return fail();
                break;
            case state::size_lf:
                if (c != '\n') return fail();
                digits_ = 0;
                line_len_ = 0;
                if (remaining_ == 0) {
                    last_chunk_ = true;
                    state_ = state::trailer_start;
                } else {
                    state_ = state::data;
                }
                ++i;
                continue;
            case state::data: {
                std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(remaining_, in.size() - i));
                n = std::min(n, max_data);
                if (n == 0) return {status::need_more, i, {}};
                remaining_ -= n;
                if (remaining_ == 0) state_ = state::data_cr;
                return {status::data, i + n, in.substr(i, n)};
            }
            case state::data_cr:
                if (c != '\r') return fail();
                state_ = state::data_lf;
                break;
            case state::data_lf:
                if (c != '\n') return fail();
                state_ = state::size;
                ++i;
                continue;
            case state::trailer_start:
                if (c == '\r') state_ = state::final_lf;
                else if (chars::is_tchar(c)) state_ = state::trailer_name;
                else return fail();
                break;
            case state::trailer_name:
                if (c == ':') state_ = state::trailer_value;
                else if (!chars::is_tchar(c)) return fail();
                break;
            case state::trailer_value:
                if (c == '\r') state_ = state::trailer_lf;
                else if (!chars::is_field_char(c)) return fail();
                break;
            case state::trailer_lf:
                if (c != '\n') return fail();
                state_ = state::trailer_start;
                break;
            case state::final_lf:
                if (c != '\n') return fail();
                state_ = state::done;
                return {status::done, i + 1, {}};
            case state::done:
                return {status::done, i, {}};
            case state::failed:
                return {status::error, i, {}};
        }
        ++i;
        // Bound what framing may cost: one chunk line, or the whole trailer.
        if (last_chunk_) {
            if (++trailer_len_ > max_trailer_) return fail();
        } else if (++line_len_ > max_line_) {
            return fail();
        }
    }
    if (state_ == state::done) return {status::done, i, {}};
    if (state_ == state::failed) return {status::error, i, {}};
    return {status::need_more, i, {}};
}

}  // namespace ringhttp::engine
