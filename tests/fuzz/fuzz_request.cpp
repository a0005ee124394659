// ringhttp fuzzing: the request codec (engine/http1_parser, head_scanner,
// chunked_decoder), driven as engine/connection.cpp drives it.
//
// Properties checked, besides "no crash, no sanitizer report":
//  1. A byte stream parses to the same requests (method, target, version,
//     fields, framing, body) and the same end (clean, waiting, or the same
//     error status) whether it arrives whole or in fragments split at points
//     the fuzzer chooses (the input's first bytes, see split_input), with body
//     reads of a fuzzer-chosen size. The one allowed difference: a stream
//     that ends inside a head may be rejected whole (the one-pass parser saw
//     a grammar error early) while split it still waits for the head's end
//     (head_scanner only checks line endings until the blank line comes);
//     and a head with two faults may be rejected with a different status
//     (see check_codec).
//  2. Every parse_request variant (portable, SSE2, AVX2) gives the same
//     result and fields for the stream's first head.
//  3. The stream read as a chunked body decodes to the same payload and end
//     whether whole or split, and the decoder never claims bytes it was not
//     given.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "engine/http1/chunked_decoder.hpp"
#include "engine/http1/http1_parser_detail.hpp"
#include "tests/fuzz/codec_model.hpp"

namespace {

using namespace ringhttp;
using namespace ringhttp::fuzz;

[[noreturn]] void fail(const char* what, const std::string& a, const std::string& b) {
    std::fprintf(stderr, "fuzz_request: %s\n--- whole:\n%s\n--- split:\n%s\n", what, a.c_str(), b.c_str());
    std::abort();
}

void check_codec(const split_input& in, std::size_t head_limit) {
    codec_model whole(head_limit);
    whole.feed(in.stream);
    const stream_outcome a = whole.finish();

    codec_model split(head_limit, in.max_data);
    for (std::string_view f : in.fragments) split.feed(f);
    const stream_outcome b = split.finish();

    if (a.requests.size() != b.requests.size()) fail("request count differs", describe(a), describe(b));
    for (std::size_t i = 0; i < a.requests.size(); ++i) {
        if (!(a.requests[i] == b.requests[i])) fail("request differs", describe(a), describe(b));
    }
    if (a.end == stream_end::head_error && b.end == stream_end::partial_head) return;
    if (a.end != b.end) fail("end of stream differs", describe(a), describe(b));
    if (a.end == stream_end::head_error && a.status != b.status) {
        // Known and harmless: a head with two faults. Whole, the one-pass
        // parser meets the first bad line and rejects it (as Go, which checks
        // each line as it reads it: 400, 501, 505...). Split, head_scanner
        // checks only line ends and size until the blank line comes, so its
        // verdict (400 bare CR/LF, 431, 414) on a later fault can come first.
        // Both reject and close. Any other difference is a bug.
        if (!(b.from_scanner && !a.from_scanner)) fail("error status differs", describe(a), describe(b));
    }
}

// check_variants parses the stream's first head with every parse_request
// variant this CPU runs (portable, SSE2, AVX2): all must agree on the
// outcome and on every field (http1_parser_detail.hpp promises it).
void check_variants(std::string_view stream, std::size_t head_limit) {
    using engine::parser_detail::variant;
    const engine::parse_limits limits{.max_head_bytes = head_limit};
    struct outcome {
        engine::parse_result res;
        request_record rec;
    };
    auto run = [&](variant v) {
        std::string buf(stream);  // parse_request writes in place; NUL sentinel after it
        request r;
        engine::head_info info;
        outcome o{engine::parser_detail::parse_with(v, buf.data(), buf.size(), r, info, limits), {}};
        if (o.res.state == engine::parse_result::status::complete) o.rec = record_of(r, info);
        return o;
    };
    auto str = [](const outcome& o) {
        return "state " + std::to_string(static_cast<int>(o.res.state)) + " head_len " + std::to_string(o.res.head_len) +
               " status " + std::to_string(o.res.error.status) + " " + (o.res.error.reason ? o.res.error.reason : "") +
               " " + o.rec.method + " " + o.rec.request_uri + " fields " + std::to_string(o.rec.fields.size());
    };
    const outcome base = run(variant::portable);
    for (variant v : {variant::sse2, variant::avx2}) {
        if (!engine::parser_detail::supported(v)) continue;
        const outcome o = run(v);
        if (o.res.state != base.res.state || o.res.head_len != base.res.head_len ||
            o.res.error.status != base.res.error.status || !(o.rec == base.rec))
            fail(v == variant::sse2 ? "sse2 parser differs from portable" : "avx2 parser differs from portable",
                 str(base), str(o));
    }
}

struct chunked_outcome {
    std::string payload;
    engine::chunked_decoder::status end = engine::chunked_decoder::status::need_more;
    std::size_t used = 0;  // stream bytes consumed at the end
    std::string str() const {
        return "payload " + std::to_string(payload.size()) + " end " + std::to_string(static_cast<int>(end)) +
               " used " + std::to_string(used);
    }
};

// decode_chunked feeds the fragments to one decoder as exchange::read does:
// decode what is there, consume what it used, wait for more on need_more.
chunked_outcome decode_chunked(const std::vector<std::string_view>& fragments, std::size_t max_data) {
    engine::chunked_decoder d(64, 256);  // small bounds, so the fuzzer reaches them
    chunked_outcome o;
    for (std::string_view v : fragments) {
        while (!v.empty()) {
            const engine::chunked_decoder::result r = d.decode(v, max_data);
            if (r.consumed > v.size()) std::abort();
            if (r.state == engine::chunked_decoder::status::data) {
                if (r.data.empty() || r.data.size() > max_data || r.data.data() < v.data() ||
                    r.data.data() + r.data.size() > v.data() + r.consumed)
                    std::abort();
                o.payload.append(r.data);
            }
            if (r.state == engine::chunked_decoder::status::need_more && r.consumed != v.size()) std::abort();
            v.remove_prefix(r.consumed);
            o.used += r.consumed;
            if (r.state == engine::chunked_decoder::status::done || r.state == engine::chunked_decoder::status::error) {
                o.end = r.state;
                return o;
            }
        }
    }
    return o;
}

void check_chunked(const split_input& in) {
    const chunked_outcome a = decode_chunked({in.stream}, SIZE_MAX);
    const chunked_outcome b = decode_chunked(in.fragments, in.max_data);
    if (a.payload != b.payload || a.end != b.end) fail("chunked body differs", a.str(), b.str());
    // Where the body ends is part of framing: a disagreement is smuggling.
    if (a.end == engine::chunked_decoder::status::done && a.used != b.used)
        fail("chunked body ends at a different byte", a.str(), b.str());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const split_input in = decode_split_input(data, size);
    // Head limits small enough for the fuzzer to cross (431, 414), and the
    // server default (default_max_header_bytes, which bounds a head exactly).
    static constexpr std::size_t limits[4] = {64, 300, 1024, std::size_t{64} << 10};
    const std::size_t head_limit = limits[size > 0 ? (data[0] >> 4) & 3 : 3];
    check_codec(in, head_limit);
    check_variants(in.stream, head_limit);
    check_chunked(in);
    return 0;
}
