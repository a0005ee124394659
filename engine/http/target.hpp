// ringhttp: request-target parsing (RFC 9112 §3.2) into a url.
#pragma once

#include <string_view>

#include <ringhttp/detail/arena.hpp>
#include <ringhttp/url.hpp>

namespace ringhttp::engine {

/// parse_target splits a request-target into u, in the four forms of RFC
/// 9112 §3.2: origin ("/p?q"), absolute ("http://h/p?q": an authority
/// required, u.host set), authority (CONNECT only, u.host set; "host:port"
/// with another method is a 400) and asterisk (OPTIONS only). The path is
/// decoded, into storage when it holds escapes; raw_path follows Go's rule.
/// The target's bytes are the caller's to check (the parser takes only
/// target_char bytes). Returns nullptr on success, else the reason for a 400.
const char* parse_target(std::string_view method, std::string_view target, url& u, detail::arena& storage);

/// valid_host reports whether every byte of a Host value may appear in a
/// host[:port] (Go's httpguts.ValidHostHeader; deliberately lenient).
bool valid_host(std::string_view host) noexcept;

/// valid_host_port reports whether host has the shape uri-host [ ":" port ]
/// with a numeric (possibly empty) port, RFC 9110 §7.2 (stricter than Go).
bool valid_host_port(std::string_view host) noexcept;

}  // namespace ringhttp::engine
