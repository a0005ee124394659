// The PROXY protocol header (HAProxy's doc/proxy-protocol.txt): a parser
// fed bytes as they come, no I/O.
#include "engine/http1/proxy_protocol.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>
#include <charconv>
#include <cstring>
#include <string>

namespace ringhttp::engine {

namespace {

// proxy-protocol.txt §2.2: the v2 signature, chosen so that it can never
// begin a valid HTTP request (or v1 line).
constexpr unsigned char v2_signature[12] = {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A};
constexpr char v1_prefix[] = "PROXY ";
constexpr std::size_t v1_prefix_len = sizeof v1_prefix - 1;

// A v1 port: 1 to 5 decimal digits, at most 65535 (§2.1).
bool parse_port(const char* s, std::size_t n, std::uint16_t& port) noexcept {
    if (n == 0 || n > 5) return false;
    unsigned v = 0;
    for (std::size_t i = 0; i < n; ++i) {
        if (s[i] < '0' || s[i] > '9') return false;
        v = v * 10 + static_cast<unsigned>(s[i] - '0');
    }
    if (v > 65535) return false;
    port = static_cast<std::uint16_t>(v);
    return true;
}

}  // namespace

proxy_header_parser::result proxy_header_parser::fail(const char* reason) noexcept {
    stage_ = stage::failed;
    error_ = reason;
    return {status::error, 0};
}

bool proxy_header_parser::end_v1_field(char terminator) noexcept {
    tok_[tok_len_] = '\0';
    const std::string_view tok{tok_, tok_len_};
    tok_len_ = 0;
    switch (field_) {
        case 1:
            if (tok == "UNKNOWN") {
                // §2.1: with UNKNOWN the receiver ignores the rest of the line.
                stage_ = terminator == '\r' ? stage::v1_lf : stage::v1_ignore;
                return true;
            }
            if (terminator != ' ') return false;
            if (tok == "TCP4") family_ = AF_INET;
            else if (tok == "TCP6") family_ = AF_INET6;
            else return false;
            break;
        case 2:
        case 3: {
            // Both addresses must be of the family the line names; inet_pton
            // refuses leading zeros and anything else out of the canonical forms.
            unsigned char dst[16];
            if (terminator != ' ' || ::inet_pton(family_, tok_, field_ == 2 ? addr_ : dst) != 1) return false;
            break;
        }
        case 4:
            if (terminator != ' ' || !parse_port(tok_, tok.size(), port_)) return false;
            break;
        case 5: {
            std::uint16_t dport;
            if (terminator != '\r' || !parse_port(tok_, tok.size(), dport)) return false;
            stage_ = stage::v1_lf;
            return true;
        }
        default:
            return false;
    }
    ++field_;
    return true;
}

bool proxy_header_parser::start_v2() noexcept {
    const auto* h = reinterpret_cast<const unsigned char*>(tok_);
    // §2.2: the high nibble is the version (2), the low one the command:
    // 0 LOCAL (the proxy's own connection, a health check), 1 PROXY.
    // Receivers must drop a connection with any other value.
    if ((h[12] >> 4) != 2) {
        error_ = "unsupported version";
        return false;
    }
    const unsigned command = h[12] & 0x0F;
    if (command > 1) {
        error_ = "unknown command";
        return false;
    }
    const unsigned fam = h[13];
    left_ = static_cast<std::uint32_t>(h[14]) << 8 | h[15];
    want_ = 0;
    family_ = 0;
    if (command == 1) {
        // Address family (high nibble) and transport (low): only the
        // combinations the specification defines are valid.
        std::uint32_t need;
        switch (fam) {
            case 0x00: need = 0; break;                                  // UNSPEC
            case 0x11: case 0x12: need = 12; family_ = AF_INET; break;   // TCP/UDP over IPv4
            case 0x21: case 0x22: need = 36; family_ = AF_INET6; break;  // TCP/UDP over IPv6
            case 0x31: case 0x32: need = 216; break;                     // Unix sockets
            default:
                error_ = "unknown address family";
                return false;
        }
        if (left_ < need) {
            error_ = "address block shorter than its family's addresses";
            return false;
        }
        if (family_ != 0) want_ = static_cast<std::uint16_t>(need);
    }
    // §2.2: with LOCAL the family is ignored, and the block skipped whole.
    stage_ = want_ != 0 ? stage::v2_address : stage::v2_skip;
    tok_len_ = 0;
    return true;
}

proxy_header_parser::result proxy_header_parser::feed(const char* data, std::size_t len) noexcept {
    if (stage_ == stage::done) return {status::done, 0};
    if (stage_ == stage::failed) return {status::error, 0};
    std::size_t i = 0;
    if (stage_ == stage::detect) {
        if (len == 0) return {status::need_more, 0};
        // §2: the first byte tells the versions apart; a receiver expecting
        // the header must not guess when it is missing.
        if (data[0] == 'P') {
            version_ = 1;
            stage_ = stage::v1_prefix;
        } else if (static_cast<unsigned char>(data[0]) == v2_signature[0]) {
            version_ = 2;
            stage_ = stage::v2_fixed;
        } else {
            return fail("no PROXY protocol header");
        }
    }
    if (version_ == 1) {
        for (; i < len; ++i) {
            const char ch = data[i];
            if (++seen_ > max_v1_bytes) return fail("v1 line longer than 107 bytes");
            switch (stage_) {
                case stage::v1_prefix:
                    if (ch != v1_prefix[seen_ - 1]) return fail("bad v1 signature");
                    if (seen_ == v1_prefix_len) {
                        stage_ = stage::v1_field;
                        field_ = 1;
                    }
                    break;
                case stage::v1_field:
                    if (ch == ' ' || ch == '\r') {
                        // §2.1: exactly one space between fields.
                        if (tok_len_ == 0 || !end_v1_field(ch)) return fail("malformed v1 line");
                    } else if (std::size_t{tok_len_} + 1 >= sizeof tok_ || ch <= ' ' || ch > '~') {
                        // Fields are printable ASCII; a bare LF or any other control ends it here.
                        return fail("malformed v1 line");
                    } else {
                        tok_[tok_len_++] = ch;
                    }
                    break;
                case stage::v1_ignore:
                    if (ch == '\r') stage_ = stage::v1_lf;
                    break;
                case stage::v1_lf:
                    if (ch != '\n') return fail("v1 line not ended by CRLF");
                    stage_ = stage::done;
                    return {status::done, i + 1};
                default:
                    return fail("malformed v1 line");
            }
        }
        return {status::need_more, len};
    }
    while (i < len) {
        switch (stage_) {
            case stage::v2_fixed: {
                // Check the signature as it comes, so garbage is dropped at its first byte.
                const std::size_t n = std::min<std::size_t>(len - i, 16 - tok_len_);
                for (std::size_t k = 0; k < n; ++k) {
                    const std::size_t at = tok_len_ + k;
                    if (at < sizeof v2_signature && static_cast<unsigned char>(data[i + k]) != v2_signature[at])
                        return fail("bad v2 signature");
                }
                std::memcpy(tok_ + tok_len_, data + i, n);
                tok_len_ = static_cast<std::uint8_t>(tok_len_ + n);
                i += n;
                if (tok_len_ < 16) break;
                if (!start_v2()) return fail(error_);
                if (left_ == 0) {
                    stage_ = stage::done;
                    return {status::done, i};
                }
                break;
            }
            case stage::v2_address: {
                const std::size_t n = std::min<std::size_t>(len - i, want_ - tok_len_);
                std::memcpy(tok_ + tok_len_, data + i, n);
                tok_len_ = static_cast<std::uint8_t>(tok_len_ + n);
                i += n;
                left_ -= static_cast<std::uint32_t>(n);
                if (tok_len_ < want_) break;
                // The block starts with the source address, then the
                // destination, then the source port (all network order).
                const std::size_t alen = family_ == AF_INET ? 4 : 16;
                std::memcpy(addr_, tok_, alen);
                port_ = static_cast<std::uint16_t>(static_cast<unsigned char>(tok_[2 * alen]) << 8 |
                                                   static_cast<unsigned char>(tok_[2 * alen + 1]));
                stage_ = stage::v2_skip;
                if (left_ == 0) {
                    stage_ = stage::done;
                    return {status::done, i};
                }
                break;
            }
            case stage::v2_skip: {
                // TLVs (and Unix addresses) are not needed: skip by count.
                const std::size_t n = std::min<std::size_t>(len - i, left_);
                i += n;
                left_ -= static_cast<std::uint32_t>(n);
                if (left_ == 0) {
                    stage_ = stage::done;
                    return {status::done, i};
                }
                break;
            }
            default:
                return fail("malformed v2 header");
        }
    }
    return {status::need_more, len};
}

std::size_t proxy_header_parser::format_source(char* out, std::size_t cap) const noexcept {
    if (!has_source()) return 0;
    char ip[INET6_ADDRSTRLEN] = {};
    bool brackets = false;
    if (family_ == AF_INET) {
        ::inet_ntop(AF_INET, addr_, ip, sizeof ip);
    } else {
        in6_addr a;
        std::memcpy(&a, addr_, sizeof a);
        if (IN6_IS_ADDR_V4MAPPED(&a)) {
            // Go prints an IPv4-mapped address as IPv4 (net.IP.String).
            ::inet_ntop(AF_INET, addr_ + 12, ip, sizeof ip);
        } else {
            ::inet_ntop(AF_INET6, addr_, ip, sizeof ip);
            brackets = true;
        }
    }
    char buf[64];
    std::size_t n = 0;
    if (brackets) buf[n++] = '[';
    const std::size_t iplen = std::strlen(ip);
    std::memcpy(buf + n, ip, iplen);
    n += iplen;
    if (brackets) buf[n++] = ']';
    buf[n++] = ':';
    n = static_cast<std::size_t>(std::to_chars(buf + n, buf + sizeof buf, port_).ptr - buf);
    n = std::min(n, cap);
    std::memcpy(out, buf, n);
    return n;
}

}  // namespace ringhttp::engine
