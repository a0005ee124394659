// decide_framing as a table: each row is one of the rules of Go's
// chunkWriter.writeHeader (net/http/server.go), with what Go 1.23 sends.
#include <catch2/catch_test_macros.hpp>

#include <functional>
#include <string>
#include <vector>

#include <ringhttp/header.hpp>
#include <ringhttp/status.hpp>

#include "engine/http1/response_framing.hpp"

using namespace ringhttp;
using namespace ringhttp::engine;

namespace {

struct want {
    std::int64_t length = -1;
    bool set_length = false;
    bool chunked = false;
    bool close = false;
    std::string connection;
    bool sniff = false;
    std::vector<std::string> drops;  // fields the server removes from the handler's header
};

struct row {
    const char* rule;
    std::function<void(framing_input&, ringhttp::header&)> setup;
    drain_outcome drained;
    want expect;
};

// A finished handler that wrote 5 bytes to an HTTP/1.1 GET, no fields set.
framing_input base_input() {
    framing_input in;
    in.status = status_ok;
    in.handler_done = true;
    in.staged = 5;
    return in;
}

std::vector<std::string> drops_of(const framing_decision& d) {
    std::vector<std::string> out;
    if (d.drop_connection) out.emplace_back("Connection");
    if (d.drop_content_length) out.emplace_back("Content-Length");
    if (d.drop_content_type) out.emplace_back("Content-Type");
    if (d.drop_transfer_encoding) out.emplace_back("Transfer-Encoding");
    return out;
}

const std::vector<row>& rows() {
    static const std::vector<row> table = {
        {"a finished handler's body gets its length and a sniffed type", [](auto&, auto&) {},
         drain_outcome::not_needed, {.length = 5, .set_length = true, .sniff = true}},
        {"an empty finished body is Content-Length: 0, nothing to sniff",
         [](framing_input& in, auto&) { in.staged = 0; }, drain_outcome::not_needed,
         {.length = 0, .set_length = true}},
        {"a handler still writing (flush, or past the buffer) on HTTP/1.1 is chunked",
         [](framing_input& in, auto&) { in.handler_done = false; }, drain_outcome::not_needed,
         {.chunked = true, .sniff = true}},
        {"the handler's own Content-Length frames the body, not added again",
         [](framing_input& in, ringhttp::header& h) {
             in.handler_done = false;
             in.declared_length = 100;
             h.set("Content-Length", "100");
         },
         drain_outcome::not_needed, {.length = 100, .sniff = true}},
        {"HTTP/1.0 has no chunked coding: a streamed body ends with the connection",
         [](framing_input& in, auto&) {
             in.http11 = false;
             in.handler_done = false;
         },
         drain_outcome::not_needed, {.close = true, .sniff = true}},
        {"HTTP/1.0 without keep-alive closes after a known length too, adding no Connection field",
         [](framing_input& in, auto&) { in.http11 = false; }, drain_outcome::not_needed,
         {.length = 5, .set_length = true, .close = true, .sniff = true}},
        {"HTTP/1.0 keep-alive with a known length answers Connection: keep-alive",
         [](framing_input& in, auto&) {
             in.http11 = false;
             in.http10_keep_alive = true;
         },
         drain_outcome::not_needed, {.length = 5, .set_length = true, .connection = "keep-alive", .sniff = true}},
        {"HTTP/1.0 keep-alive with an unknown length closes instead",
         [](framing_input& in, auto&) {
             in.http11 = false;
             in.http10_keep_alive = true;
             in.handler_done = false;
         },
         drain_outcome::not_needed, {.close = true, .sniff = true}},
        {"HEAD with nothing written: the length is unknown, so none is sent",
         [](framing_input& in, auto&) {
             in.is_head = true;
             in.staged = 0;
         },
         drain_outcome::not_needed, {}},
        {"HEAD with a body written gets that body's length",
         [](framing_input& in, auto&) { in.is_head = true; }, drain_outcome::not_needed,
         {.length = 5, .set_length = true, .sniff = true}},
        {"204 drops the handler's Content-Length and Transfer-Encoding",
         [](framing_input& in, ringhttp::header& h) {
             in.status = status_no_content;
             in.staged = 0;
             h.set("Content-Length", "10");
             h.set("Transfer-Encoding", "chunked");
         },
         drain_outcome::not_needed, {.drops = {"Content-Length", "Transfer-Encoding"}}},
        {"304 drops Content-Type too", [](framing_input& in, ringhttp::header& h) {
             in.status = status_not_modified;
             in.staged = 0;
             h.set("Content-Type", "text/html");
         },
         drain_outcome::not_needed, {.drops = {"Content-Type"}}},
        {"a set Content-Type or Content-Encoding is not sniffed over",
         [](framing_input&, ringhttp::header& h) { h.set("Content-Encoding", "gzip"); },
         drain_outcome::not_needed, {.length = 5, .set_length = true}},
        {"Transfer-Encoding: identity on a streamed body: no chunking, close at its end",
         [](framing_input& in, ringhttp::header& h) {
             in.handler_done = false;
             h.set("Transfer-Encoding", "identity");
         },
         drain_outcome::not_needed, {.close = true, .connection = "close", .drops = {"Transfer-Encoding"}}},
        {"the handler's Transfer-Encoding: chunked is replaced by the server's",
         [](framing_input& in, ringhttp::header& h) {
             in.handler_done = false;
             h.set("Transfer-Encoding", "chunked");
         },
         drain_outcome::not_needed, {.chunked = true, .drops = {"Transfer-Encoding"}}},
        {"Content-Length with Transfer-Encoding: chunked: the length goes (Go logs it)",
         [](framing_input& in, ringhttp::header& h) {
             in.handler_done = false;
             in.declared_length = 10;
             h.set("Content-Length", "10");
             h.set("Transfer-Encoding", "chunked");
         },
         drain_outcome::not_needed, {.chunked = true, .drops = {"Content-Length", "Transfer-Encoding"}}},
        {"trailers need the chunked coding even for a finished body",
         [](framing_input&, ringhttp::header& h) { h.set("Trailer", "X-Sum"); }, drain_outcome::not_needed,
         {.chunked = true, .sniff = true}},
        {"the client's Connection: close closes, and says so",
         [](framing_input& in, auto&) { in.wants_close = true; }, drain_outcome::not_needed,
         {.length = 5, .set_length = true, .close = true, .connection = "close", .sniff = true}},
        {"the handler's Connection: close closes, with no second field",
         [](framing_input&, ringhttp::header& h) { h.set("Connection", "close"); }, drain_outcome::not_needed,
         {.length = 5, .set_length = true, .close = true, .sniff = true}},
        {"a server shutting down closes every connection after its response",
         [](framing_input& in, auto&) { in.keep_alives = false; }, drain_outcome::not_needed,
         {.length = 5, .set_length = true, .close = true, .connection = "close", .sniff = true}},
        {"an unread 100-continue body leaves the connection unusable",
         [](framing_input& in, auto&) { in.continue_unread = true; }, drain_outcome::not_needed,
         {.length = 5, .set_length = true, .close = true, .connection = "close", .sniff = true}},
        {"more than 256 KiB of unread body: Connection: close replaces the handler's",
         [](framing_input&, ringhttp::header& h) { h.set("Connection", "keep-alive"); }, drain_outcome::too_big,
         {.length = 5, .set_length = true, .close = true, .connection = "close", .sniff = true,
          .drops = {"Connection"}}},
        {"a body that failed to read closes the connection",
         [](framing_input&, auto&) {}, drain_outcome::failed,
         {.length = 5, .set_length = true, .close = true, .connection = "close", .sniff = true}},
        {"101 with Upgrade keeps the handler's Connection: upgrade even when closing",
         [](framing_input& in, ringhttp::header& h) {
             in.status = status_switching_protocols;
             in.staged = 0;
             in.close_requested = true;
             h.set("Upgrade", "websocket");
             h.set("Connection", "Upgrade");
         },
         drain_outcome::not_needed, {.close = true}},
    };
    return table;
}

}  // namespace

TEST_CASE("response_framing: Go's chunkWriter.writeHeader rules, as a table", "[http1][framing]") {
    for (const row& r : rows()) {
        CAPTURE(r.rule);
        framing_input in = base_input();
        ringhttp::header h;
        r.setup(in, h);
        in.fields = find_framing_fields(h, "Trailer:");
        const framing_decision d = decide_framing(in, r.drained);
        CHECK(d.length == r.expect.length);
        CHECK(d.set_length == r.expect.set_length);
        CHECK(d.chunked == r.expect.chunked);
        CHECK(d.close == r.expect.close);
        CHECK(std::string(d.connection) == r.expect.connection);
        CHECK(d.sniff_type == r.expect.sniff);
        CHECK(drops_of(d) == r.expect.drops);
    }
}

TEST_CASE("response_framing: the body is drained only when the connection could stay open", "[http1][framing]") {
    framing_input in = base_input();
    CHECK_FALSE(closes_before_drain(in));
    in.wants_close = true;
    CHECK(closes_before_drain(in));
    in = base_input();
    in.http11 = false;
    CHECK(closes_before_drain(in));
    in.http10_keep_alive = true;
    CHECK_FALSE(closes_before_drain(in));
    in = base_input();
    in.keep_alives = false;
    CHECK(closes_before_drain(in));
}

TEST_CASE("response_framing: the fields are found in one pass, first values kept", "[http1][framing]") {
    ringhttp::header h;
    h.add("Connection", "");
    h.add("Connection", "close");
    h.add("Transfer-Encoding", "gzip");
    h.add("Transfer-Encoding", "chunked");
    h.add("Trailer:X-Late", "1");
    h.add("Date", "x");
    const framing_fields f = find_framing_fields(h, "Trailer:");
    CHECK(f.connection_field);
    CHECK(f.connection == "close");
    CHECK(f.transfer_encoding == "gzip");
    CHECK(f.trailer);
    CHECK(f.date);
    CHECK_FALSE(f.content_length);
    CHECK_FALSE(f.upgrade);
}
