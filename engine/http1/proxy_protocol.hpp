// ringhttp: the PROXY protocol header (HAProxy's proxy-protocol.txt, v1 and v2)
// that a load balancer sends before the first byte of HTTP.
#pragma once

#include <cstddef>
#include <cstdint>

namespace ringhttp::engine {

/// proxy_header_parser reads one PROXY protocol header, version 1 (the text
/// line "PROXY TCP4|TCP6|UNKNOWN ...\r\n", at most 107 bytes) or version 2
/// (the 12-byte binary signature, a 4-byte command/family/length block, then
/// that many bytes of addresses and TLVs), incrementally: feed it the bytes
/// as they arrive, in pieces of any size, each piece once. It keeps only the
/// few bytes it still needs (one v1 field, or the v2 address block), never
/// allocates and never reads past the header, so what follows it (the first
/// HTTP request) stays where it is. Which version comes is told by the first
/// byte, as the specification requires; a header that breaks the
/// specification in any way is an error, to be answered by closing the
/// connection. One connection, one thread.
class proxy_header_parser {
public:
    /// status is where the header stands after a feed.
    enum class status : std::uint8_t { need_more, done, error };
    /// result is what feed() did: the state, and how many of the bytes fed
    /// belong to the header (all of them with need_more; with done, the
    /// bytes after that count are the connection's payload).
    struct [[nodiscard]] result {
        status state;
        std::size_t consumed;
    };
    /// max_v1_bytes is the longest a version 1 line may be, CRLF included.
    static constexpr std::size_t max_v1_bytes = 107;

    /// feed parses the next len bytes of the connection. After done or
    /// error, it consumes nothing and returns the same state again.
    result feed(const char* data, std::size_t len) noexcept;
    /// reset readies the parser for another connection.
    void reset() noexcept { *this = proxy_header_parser{}; }

    /// version is 1 or 2 once the first byte has been seen, else 0.
    int version() const noexcept { return version_; }
    /// has_source reports whether a complete header named the client's
    /// address (v1 TCP4/TCP6, v2 PROXY over IPv4/IPv6). A v1 UNKNOWN line,
    /// a v2 LOCAL command (a health check from the proxy itself) or an
    /// unspecified or Unix family name none: the socket's peer stands.
    bool has_source() const noexcept { return stage_ == stage::done && family_ != 0; }
    /// format_source writes the source as Go's RemoteAddr: "ip:port", or
    /// "[ip6]:port", an IPv4-mapped IPv6 address as plain IPv4. Returns the
    /// length written (at most cap; 53 bytes always suffice), 0 without a source.
    std::size_t format_source(char* out, std::size_t cap) const noexcept;
    /// error_reason says why the header was rejected (null unless error).
    const char* error_reason() const noexcept { return error_; }

private:
    enum class stage : std::uint8_t {
        detect,      // nothing seen yet
        v1_prefix,   // "PROXY " so far
        v1_field,    // collecting field_ into tok_
        v1_ignore,   // UNKNOWN: anything up to CR
        v1_lf,       // CR seen, LF must follow
        v2_fixed,    // the 16-byte signature and command block into tok_
        v2_address,  // the address block's first left_ bytes into tok_
        v2_skip,     // the rest of the block (Unix addresses, TLVs): skipped
        done,
        failed,
    };

    result fail(const char* reason) noexcept;
    bool end_v1_field(char terminator) noexcept;
    bool start_v2() noexcept;

    const char* error_ = nullptr;
    std::uint32_t left_ = 0;       // v2: bytes of the header still to come
    std::uint16_t seen_ = 0;       // v1: bytes of the line so far
    std::uint16_t port_ = 0;       // the source port
    std::uint16_t want_ = 0;       // v2: bytes of the address block kept in tok_
    stage stage_ = stage::detect;
    std::uint8_t version_ = 0;
    std::uint8_t field_ = 0;       // v1: 1 protocol, 2 source, 3 destination, 4 and 5 the ports
    std::uint8_t tok_len_ = 0;
    std::uint8_t family_ = 0;      // AF_INET or AF_INET6 once the source is known; v1: the line's family
    unsigned char addr_[16] = {};  // the source address, network order
    char tok_[46] = {};            // the longest IPv6 text is 45 bytes, plus a NUL for inet_pton
};

}  // namespace ringhttp::engine
