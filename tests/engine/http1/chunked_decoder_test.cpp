// The chunked decoder: payload the same at every split point, strict framing.
#include <catch2/catch_test_macros.hpp>
#include <catch2/generators/catch_generators.hpp>

#include <string>

#include "engine/http1/chunked_decoder.hpp"

using ringhttp::engine::chunked_decoder;

namespace {

struct outcome {
    chunked_decoder::status state;
    std::string payload;
    std::size_t consumed = 0;
};

// Decodes input delivered in pieces of at most `piece` bytes (0: whole).
outcome decode(const std::string& input, std::size_t piece = 0) {
    chunked_decoder d;
    outcome out{chunked_decoder::status::need_more, {}, 0};
    std::size_t pos = 0;
    std::size_t available = piece == 0 ? input.size() : std::min(piece, input.size());
    for (;;) {
        std::string_view view(input.data() + pos, available - pos);
        chunked_decoder::result r = d.decode(view);
        pos += r.consumed;
        out.consumed = pos;
        if (r.state == chunked_decoder::status::data) {
            out.payload.append(r.data);
            continue;
        }
        if (r.state == chunked_decoder::status::done || r.state == chunked_decoder::status::error) {
            out.state = r.state;
            return out;
        }
        if (available == input.size()) return out;
        available = std::min(input.size(), available + (piece == 0 ? input.size() : piece));
    }
}

}  // namespace

TEST_CASE("chunked: payload is the same whole, split anywhere, and byte by byte", "[codec][chunked]") {
    struct row {
        std::string body;
        std::string payload;
    };
    const row r = GENERATE(values<row>({
        {"5\r\nhello\r\n0\r\n\r\n", "hello"},
        {"0\r\n\r\n", ""},
        {"3\r\nabc\r\n4\r\ndefg\r\n0\r\n\r\n", "abcdefg"},
        {"A\r\n0123456789\r\n0\r\n\r\n", "0123456789"},
        {"005\r\nhello\r\n0000\r\n\r\n", "hello"},
        {"5;ext=1;q=\"x y\"\r\nhello\r\n0;last\r\n\r\n", "hello"},
        // RFC 9112 §7.1.1: BWS before ';' and around '='.
        {"5 ;ext\r\nhello\r\n0\r\n\r\n", "hello"},
        {"5 \t; a = b ;\tc\t=\t\"d\"\r\nhello\r\n0 ; e\r\n\r\n", "hello"},
        {"5;a=\"q\\\"uote;\\\\\" ;b\r\nhello\r\n0\r\n\r\n", "hello"},
        {"5;!#$%&'*+-.^_`|~=x\r\nhello\r\n0\r\n\r\n", "hello"},
        {"5\r\nhello\r\n0\r\nX-Trailer: v\r\nY: w\r\n\r\n", "hello"},
    }));
    const std::string input = r.body + "GET / HTTP/1.1\r\n";  // the next request must stay unread
    for (std::size_t piece : {std::size_t{0}, std::size_t{1}, std::size_t{2}, std::size_t{3}, std::size_t{7}}) {
        outcome o = decode(input, piece);
        INFO("piece " << piece);
        REQUIRE(o.state == chunked_decoder::status::done);
        CHECK(o.payload == r.payload);
        CHECK(o.consumed == r.body.size());
    }
    for (std::size_t split = 1; split < input.size(); ++split) {
        chunked_decoder d;
        std::string payload;
        std::size_t pos = 0;
        chunked_decoder::status st = chunked_decoder::status::need_more;
        for (std::size_t end : {split, input.size()}) {
            while (pos < end) {
                chunked_decoder::result res = d.decode(std::string_view(input.data() + pos, end - pos));
                pos += res.consumed;
                st = res.state;
                if (st == chunked_decoder::status::data) payload.append(res.data);
                else break;
            }
            if (st == chunked_decoder::status::done) break;
        }
        INFO("split " << split);
        REQUIRE(st == chunked_decoder::status::done);
        CHECK(payload == r.payload);
        CHECK(pos == r.body.size());
    }
}

TEST_CASE("chunked: malformed framing is an error", "[codec][chunked]") {
    const std::string body = GENERATE(as<std::string>{},
        "\r\nhello\r\n0\r\n\r\n",                 // no size
        "x\r\n",                                  // not hex
        "-5\r\nhello\r\n0\r\n\r\n",               // sign
        "5\nhello\r\n0\r\n\r\n",                  // bare LF after size
        "5\rhello\r\n0\r\n\r\n",                  // bare CR after size
        "5\r\nhelloXX0\r\n\r\n",                  // data not followed by CRLF
        "5\r\nhello\n0\r\n\r\n",                  // bare LF after data
        "fffffffffffffffff\r\n",                  // 17 hex digits: overflow
        "5;ext\x01\r\nhello\r\n0\r\n\r\n",        // control byte in an extension
        "0\r\nBad Trailer\r\n\r\n",               // trailer without colon
        "0\r\nX: v\n\r\n",                        // bare LF in trailer
        "0\r\n\n",                                // bare LF ends the trailers
        // RFC 9112 §7.1.1: outside chunk-ext's grammar (Go accepts the first two).
        "5 \r\nhello\r\n0\r\n\r\n",               // whitespace after the size, then CRLF
        "5\t\r\nhello\r\n0\r\n\r\n",              // a tab there
        "5\r\nhello\r\n0 \r\n\r\n",               // ... after the last chunk's size
        "5;\r\nhello\r\n0\r\n\r\n",               // a bare ';'
        "5;;a\r\nhello\r\n0\r\n\r\n",             // an empty extension
        "5; \r\nhello\r\n0\r\n\r\n",              // ';' and BWS, no name
        "5;a \r\nhello\r\n0\r\n\r\n",             // whitespace after a name, then CRLF
        "5;a=\r\nhello\r\n0\r\n\r\n",             // '=' without a value
        "5;a=b \r\nhello\r\n0\r\n\r\n",           // whitespace after a value, then CRLF
        "5;a b\r\nhello\r\n0\r\n\r\n",            // two words
        "5;a=b c\r\nhello\r\n0\r\n\r\n",          // a value of two words
        "5;a=b=c\r\nhello\r\n0\r\n\r\n",          // '=' in a token value
        "5;a@b\r\nhello\r\n0\r\n\r\n",            // '@' is no token character
        "5;=b\r\nhello\r\n0\r\n\r\n",             // a value without a name
        "5;a=\"b\r\nhello\r\n0\r\n\r\n",          // an unclosed quoted-string
        "5;a=\"b\"c\r\nhello\r\n0\r\n\r\n",       // a byte after the closing quote
        "5;a=\"b\x01\"\r\nhello\r\n0\r\n\r\n",    // a control byte in a quoted-string
        "5;a=\"\\\x7f\"\r\nhello\r\n0\r\n\r\n",   // a quoted-pair of DEL
        "5;a\x80\r\nhello\r\n0\r\n\r\n",          // obs-text in a name
        "5,a\r\nhello\r\n0\r\n\r\n");             // not ';'
    INFO(body);
    CHECK(decode(body).state == chunked_decoder::status::error);
    CHECK(decode(body, 1).state == chunked_decoder::status::error);
}

TEST_CASE("chunked: a chunk line outside the grammar fails at its byte, before any data is read",
          "[codec][chunked]") {
    struct row {
        std::string line;
        std::size_t at;  // the byte that decides
    };
    const row r = GENERATE(values<row>({
        {"5 \r\n", 2},
        {"5;\r\n", 2},
        {"5;a \r\n", 4},
        {"5;a=\r\n", 4},
        {"5;a=\"b\"x\r\n", 7},
    }));
    INFO(r.line);
    chunked_decoder d;
    const chunked_decoder::result res = d.decode(r.line + "hello\r\n0\r\n\r\n");
    CHECK(res.state == chunked_decoder::status::error);
    CHECK(res.consumed == r.at);
    CHECK(d.failed());
}

TEST_CASE("chunked: a 16-digit chunk size is accepted, the size line is bounded", "[codec][chunked]") {
    chunked_decoder d;
    chunked_decoder::result r = d.decode("7fffffffffffffff\r\nab");
    CHECK(r.state == chunked_decoder::status::data);
    CHECK(r.data == "ab");
    chunked_decoder e(64);
    CHECK(e.decode("5;" + std::string(100, 'x') + "\r\n").state == chunked_decoder::status::error);
}

TEST_CASE("chunked: payload never exceeds max_data", "[codec][chunked]") {
    chunked_decoder d;
    chunked_decoder::result r = d.decode("a\r\n0123456789\r\n0\r\n\r\n", 4);
    REQUIRE(r.state == chunked_decoder::status::data);
    CHECK(r.data == "0123");
    CHECK(d.remaining() == 6);
}
