#include "engine/http1/chunked_decoder.hpp"

#include <algorithm>

#include "engine/base/chars.hpp"

namespace ringhttp::engine {

namespace {

// RFC 9110 §5.6.3: BWS = OWS = *( SP / HTAB ).
constexpr bool is_bws(unsigned char c) noexcept { return c == ' ' || c == '\t'; }

}  // namespace

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
                if (is_bws(c)) state_ = state::ext_bws;
                else if (c == ';') state_ = state::ext_name_start;
                else if (c == '\r') state_ = state::size_lf;
                else return fail();
                break;
            // RFC 9112 §7.1.1: chunk-ext = *( BWS ";" BWS chunk-ext-name [ BWS
            // "=" BWS chunk-ext-val ] ), chunk-ext-val = token / quoted-string.
            // BWS comes only before ';' or '=', so whitespace before the CRLF
            // ("5 \r\n", "5;a \r\n") is an error (Go accepts "5 \r\n" but
            // rejects "5 ;a", which the grammar allows).
            case state::ext_bws:
                if (c == ';') state_ = state::ext_name_start;
                else if (!is_bws(c)) return fail();
                break;
            case state::ext_name_bws:
                if (c == ';') state_ = state::ext_name_start;
                else if (c == '=') state_ = state::ext_value_start;
                else if (!is_bws(c)) return fail();
                break;
            case state::ext_name_start:
                if (chars::is_tchar(c)) state_ = state::ext_name;
                else if (!is_bws(c)) return fail();
                break;
            case state::ext_name:
                if (chars::is_tchar(c)) break;
                if (is_bws(c)) state_ = state::ext_name_bws;
                else if (c == ';') state_ = state::ext_name_start;
                else if (c == '=') state_ = state::ext_value_start;
                else if (c == '\r') state_ = state::size_lf;
                else return fail();
                break;
            case state::ext_value_start:
                if (chars::is_tchar(c)) state_ = state::ext_value;
                else if (c == '"') state_ = state::ext_quoted;
                else if (!is_bws(c)) return fail();
                break;
            case state::ext_value:
                if (chars::is_tchar(c)) break;
                [[fallthrough]];
            case state::ext_quoted_end:
                if (is_bws(c)) state_ = state::ext_bws;
                else if (c == ';') state_ = state::ext_name_start;
                else if (c == '\r') state_ = state::size_lf;
                else return fail();
                break;
            case state::ext_quoted:
                // RFC 9110 §5.6.4: qdtext = HTAB / SP / %x21 / %x23-5B / %x5D-7E / obs-text.
                if (c == '"') state_ = state::ext_quoted_end;
                else if (c == '\\') state_ = state::ext_quoted_pair;
                else if (!chars::is_field_char(c)) return fail();
                break;
            case state::ext_quoted_pair:
                // quoted-pair = "\" ( HTAB / SP / VCHAR / obs-text )
                if (!chars::is_field_char(c)) return fail();
                state_ = state::ext_quoted;
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
