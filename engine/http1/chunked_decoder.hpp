// ringhttp: the chunked transfer coding decoder (RFC 9112 §7.1).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace ringhttp::engine {

/// chunked_decoder removes chunked framing from a request body, resumable at
/// any byte boundary and allocation-free: payload comes back as views into the
/// input. Strict per RFC 9112 §7.1: chunk-size is 1-16 hex digits, chunk
/// extensions follow §7.1.1's grammar exactly (BWS around ';' and '=', names
/// tokens, values tokens or quoted-strings) and are skipped, every line ends
/// in CRLF (a bare LF or CR is an error, and so is whitespace before it),
/// chunk data is followed by CRLF, and the trailer section's fields are
/// checked and dropped. A line is judged as its bytes come, whatever reads
/// the body. Chunk lines and trailers are bounded.
class chunked_decoder {
public:
    enum class status : std::uint8_t {
        data,       ///< `data` holds payload; call again with the rest of the input
        need_more,  ///< all input consumed without payload; feed more bytes
        done,       ///< the body and its trailers ended; `consumed` stops right after
        error,      ///< malformed; the connection must close
    };
    struct [[nodiscard]] result {
        status state;
        std::size_t consumed;   ///< input bytes used, payload included
        std::string_view data;  ///< with status::data
    };

    /// max_line bounds a chunk-size line with its extensions; max_trailer the
    /// trailer section.
    explicit chunked_decoder(std::size_t max_line = 4096, std::size_t max_trailer = 64 * 1024) noexcept
        : max_line_(max_line), max_trailer_(max_trailer) {}

    /// decode consumes framing from in until it has payload to return (at
    /// most max_data bytes of it), the input is exhausted, the body ends, or an
    /// error is found.
    result decode(std::string_view in, std::size_t max_data = SIZE_MAX) noexcept;

    bool finished() const noexcept { return state_ == state::done; }
    bool failed() const noexcept { return state_ == state::failed; }
    /// remaining is the payload left in the current chunk.
    std::uint64_t remaining() const noexcept { return remaining_; }
    void reset() noexcept { *this = chunked_decoder(max_line_, max_trailer_); }

private:
    enum class state : std::uint8_t {
        size,             // chunk-size hex digits
        ext_bws,          // BWS after the size or an extension's value: ';' follows
        ext_name_bws,     // BWS after an extension's name: ';' or '=' follows
        ext_name_start,   // after ';': BWS, then the extension's name
        ext_name,         // inside an extension's name (a token)
        ext_value_start,  // after '=': BWS, then a token or a quoted-string
        ext_value,        // inside a token value
        ext_quoted,       // inside a quoted-string value
        ext_quoted_pair,  // after a backslash in a quoted-string
        ext_quoted_end,   // after a quoted-string's closing quote
        size_lf,          // CR seen, LF expected
        data,             // chunk data
        data_cr,          // CR after data expected
        data_lf,          // LF after data expected
        trailer_start,    // start of a trailer line or the final CRLF
        trailer_name,     // inside a trailer field name
        trailer_value,    // inside a trailer field value
        trailer_lf,       // CR seen in a trailer line, LF expected
        final_lf,         // CR of the final blank line seen
        done,
        failed,
    };
    state state_ = state::size;
    std::uint8_t digits_ = 0;
    bool last_chunk_ = false;
    std::uint64_t remaining_ = 0;
    std::size_t line_len_ = 0;
    std::size_t trailer_len_ = 0;
    std::size_t max_line_;
    std::size_t max_trailer_;
};

}  // namespace ringhttp::engine
