// Go's chunkWriter.writeHeader framing rules as a pure function.
#include "engine/http1/response_framing.hpp"

#include <ringhttp/status.hpp>

namespace ringhttp::engine {

framing_fields find_framing_fields(const ringhttp::header& h, std::string_view trailer_prefix) noexcept {
    framing_fields f;
    for (const header_field& field : h) {
        const std::string_view n = field.name;
        switch (n.size()) {
            case 4:
                f.date |= n == "Date";
                break;
            case 7:
                f.trailer |= n == "Trailer";
                f.upgrade |= n == "Upgrade";
                break;
            case 10:
                if (n == "Connection") {
                    f.connection_field = true;
                    if (f.connection.empty()) f.connection = field.value;
                }
                break;
            case 12:
                f.content_type |= n == "Content-Type";
                break;
            case 14:
                f.content_length |= n == "Content-Length";
                break;
            case 16:
                if (n == "Content-Encoding" && f.content_encoding.empty()) f.content_encoding = field.value;
                break;
            case 17:
                if (n == "Transfer-Encoding" && f.transfer_encoding.empty()) f.transfer_encoding = field.value;
                break;
            default:
                break;
        }
        f.trailer |= n.starts_with(trailer_prefix);
    }
    return f;
}

namespace {

// The length the handler's body is known to have: what it declared, or all of
// it when it returned within the staging buffer (even 0). For HEAD an empty
// body is ambiguous (the handler may have skipped writing); trailers need the
// chunked coding, so they get no length.
bool length_from_staged(const framing_input& in) noexcept {
    return in.handler_done && !in.fields.trailer && in.fields.transfer_encoding.empty() &&
           body_allowed_for_status(in.status) && !in.fields.content_length && (!in.is_head || in.staged > 0);
}

// Go's keep-alive rules before the body is drained: what the request asked
// for, the handler's Connection field and the server's state.
struct persistence {
    bool close = false;
    std::string_view connection;  // "keep-alive" for an HTTP/1.0 client that asked for it
};

persistence decide_persistence(const framing_input& in, bool has_length) noexcept {
    persistence p;
    p.close = in.close_requested;
    if (in.http10_keep_alive && (in.is_head || has_length || !body_allowed_for_status(in.status))) {
        if (!in.fields.connection_field) p.connection = "keep-alive";
    } else if (!in.http11 || in.wants_close) {
        p.close = true;
    }
    if (in.fields.connection == "close" || !in.keep_alives) p.close = true;
    // The client asked for 100-continue and the body was not read: its bytes
    // may or may not follow, so the connection cannot be reused (Go's rule).
    if (in.continue_unread) p.close = true;
    return p;
}

}  // namespace

bool closes_before_drain(const framing_input& in) noexcept {
    const bool has_length = in.declared_length != -1 || length_from_staged(in);
    return decide_persistence(in, has_length).close;
}

framing_decision decide_framing(const framing_input& in, drain_outcome drained) noexcept {
    framing_decision d;
    const framing_fields& f = in.fields;
    const std::string_view te = f.transfer_encoding;
    const bool has_te = !te.empty();
    const bool allowed = body_allowed_for_status(in.status);
    d.length = in.declared_length;
    if (length_from_staged(in)) {
        d.length = static_cast<std::int64_t>(in.staged);
        d.set_length = true;
    }
    bool has_length = d.length != -1;

    const persistence p = decide_persistence(in, has_length);
    d.close = p.close;
    d.connection = p.connection;
    std::string_view handler_connection = f.connection;
    if (drained == drain_outcome::too_big || drained == drain_outcome::failed) d.close = true;
    if (drained == drain_outcome::too_big) {
        // Go's requestTooLarge: the handler's Connection gives way to "close".
        d.drop_connection = f.connection_field;
        handler_connection = {};
        d.connection = "close";
    }

    if (allowed) {
        d.sniff_type = !f.content_type && f.content_encoding.empty() && !has_te && in.staged > 0;
    } else {
        // RFC 9110 §15.4.5: a 304 carries no Content-Type of a body it lacks.
        d.drop_content_type = in.status == status_not_modified && f.content_type;
        d.drop_content_length = f.content_length;
        d.drop_transfer_encoding = has_te;
    }
    if (has_length && has_te && !ascii_iequals(te, "identity")) {
        d.length_and_te_conflict = true;
        d.drop_content_length = true;
        d.length = -1;
        has_length = d.set_length = false;
    }
    if (in.is_head || !allowed || has_length) {
        d.drop_transfer_encoding |= has_te;
    } else if (in.http11) {
        if (te == "identity") {
            // RFC 9112 §6.3: a response without a length ends with the connection.
            d.close = true;
            d.drop_transfer_encoding = true;
        } else {
            d.chunked = true;
            d.drop_transfer_encoding |= te == "chunked";
        }
    } else {
        // HTTP/1.0 has no chunked coding: the body ends with the connection.
        d.close = true;
        d.drop_transfer_encoding |= has_te;
    }
    if (d.chunked) {
        d.drop_content_length |= f.content_length;
        d.set_length = false;
    }
    const bool protocol_switch =
        in.status == status_switching_protocols && f.upgrade && has_token(handler_connection, "upgrade");
    if (d.close && (!in.keep_alives || !has_token(handler_connection, "close")) && !protocol_switch) {
        d.drop_connection |= !handler_connection.empty();
        d.connection = in.http11 ? "close" : "";
    }
    return d;
}

}  // namespace ringhttp::engine
