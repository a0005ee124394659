// ringhttp: serving files (Go's FileServer, ServeFile, ServeContent).
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include <ringhttp/handler.hpp>

namespace ringhttp {

/// file_server returns a handler that serves the files under root with Go's
/// http.FileServer(http.Dir(root)) rules: the request path, cleaned, names a
/// file below root; a directory is served by its index.html or, without one,
/// by an HTML listing; "/index.html" redirects to "./" and a directory asked
/// for without its trailing slash redirects (301) to the path with it.
/// Files get Last-Modified, Accept-Ranges, Content-Type by extension then by
/// sniffing, single and multiple byte ranges (RFC 9110 §14), and the
/// conditional requests of RFC 9110 §13 (see serve_content).
///
/// Unlike Go, no path ever leaves root: "..", encoded or not, is cleaned
/// away, and a symlink is followed only while its target stays below root
/// (an absolute symlink, or one that climbs out, answers 404). File bytes
/// are read through the ring, so a slow disk suspends only the handler that
/// waits for it. root is opened when the handler is made; the handler is
/// thread-safe and may be shared by every ring.
handler_ptr file_server(std::string root);

/// serve_file replies with the contents of the file or directory at path
/// (Go's ServeFile): a path in the request URL with a ".." segment gets 400,
/// a URL ending in "/index.html" redirects to "./", a directory gets its
/// index.html or a listing, and a file is served as by serve_content with
/// its name and modification time. path is not confined to any root: never
/// build it from the request without checking it.
void serve_file(response_writer& w, request& r, std::string_view path);

/// serve_content replies with content as the body of a resource called name
/// last modified at modtime (Go's ServeContent): Content-Type comes from an
/// existing header, else name's extension, else sniffing the first 512
/// bytes; Last-Modified is set unless modtime is zero or the Unix epoch;
/// If-Match, If-Unmodified-Since (412), If-None-Match, If-Modified-Since
/// (304) and If-Range are honoured against modtime and any ETag the handler
/// set in w.header() beforehand; Range gets 206 (multipart/byteranges for
/// several ranges) or 416 with "Content-Range: bytes */size". content must
/// stay valid until serve_content returns.
void serve_content(response_writer& w, request& r, std::string_view name,
                   std::chrono::system_clock::time_point modtime, std::string_view content);

/// serve_content_fd is serve_content for the first size bytes of an open,
/// seekable file descriptor, read with positioned reads (through the ring
/// inside a server, pread otherwise) in 64 KiB chunks, so memory stays
/// bounded however large the file. The caller keeps fd open and closes it.
void serve_content_fd(response_writer& w, request& r, std::string_view name,
                      std::chrono::system_clock::time_point modtime, int fd, std::int64_t size);

}  // namespace ringhttp
