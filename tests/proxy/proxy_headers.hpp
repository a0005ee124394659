// Test support: PROXY protocol headers built byte by byte from the
// specification (HAProxy's doc/proxy-protocol.txt §2.2), for the tests.
#pragma once

#include <arpa/inet.h>

#include <cstdint>
#include <stdexcept>
#include <string>

namespace ringhttp::test::proxy {

/// v2_signature is the 12 bytes every v2 header starts with.
inline std::string v2_signature() { return std::string("\r\n\r\n\0\r\nQUIT\n", 12); }

/// be16 is n as two bytes, network order.
inline std::string be16(std::size_t n) {
    return {static_cast<char>((n >> 8) & 0xff), static_cast<char>(n & 0xff)};
}

/// v2 is a whole v2 header: signature, version/command byte, family byte,
/// the block's length, then the block (addresses and TLVs).
inline std::string v2(unsigned char ver_cmd, unsigned char family, const std::string& block) {
    return v2_signature() + static_cast<char>(ver_cmd) + static_cast<char>(family) + be16(block.size()) + block;
}

/// ip_bytes is an address in network order (inet_pton), throwing on bad text.
inline std::string ip_bytes(int af, const char* text) {
    unsigned char b[16];
    if (::inet_pton(af, text, b) != 1) throw std::invalid_argument(text);
    return {reinterpret_cast<const char*>(b), af == AF_INET ? 4u : 16u};
}

/// inet4 is the 12-byte IPv4 address block: source, destination, ports.
inline std::string inet4(const char* src, const char* dst, std::uint16_t sport, std::uint16_t dport) {
    return ip_bytes(AF_INET, src) + ip_bytes(AF_INET, dst) + be16(sport) + be16(dport);
}

/// inet6 is the 36-byte IPv6 address block.
inline std::string inet6(const char* src, const char* dst, std::uint16_t sport, std::uint16_t dport) {
    return ip_bytes(AF_INET6, src) + ip_bytes(AF_INET6, dst) + be16(sport) + be16(dport);
}

/// tlv is one type-length-value record.
inline std::string tlv(unsigned char type, const std::string& value) {
    return static_cast<char>(type) + be16(value.size()) + value;
}

}  // namespace ringhttp::test::proxy
