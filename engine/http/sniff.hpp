// ringhttp: content-type sniffing, Go's http.DetectContentType (WHATWG MIME Sniffing).
#pragma once

#include <cstddef>
#include <string_view>

namespace ringhttp::engine {

/// sniff_len is the number of leading bytes detect_content_type looks at; bytes
/// beyond it never change the answer, so a writer need buffer no more than this
/// before sniffing.
inline constexpr std::size_t sniff_len = 512;

/// detect_content_type returns the MIME type of data by Go's DetectContentType
/// rules: the WHATWG MIME Sniffing signatures, in Go's order, over at most the
/// first sniff_len bytes. It always returns a valid MIME type: text with no
/// binary control bytes (including empty data) is "text/plain; charset=utf-8",
/// anything else unrecognised is "application/octet-stream".
/// The result is a static string, valid for the life of the program, and never
/// points into data. Thread-safe, allocation-free.
[[nodiscard]] std::string_view detect_content_type(std::string_view data) noexcept;

}  // namespace ringhttp::engine
