// ringhttp: form values and uploaded files (Go's url.Values, multipart.Form).
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include <ringhttp/header.hpp>

namespace ringhttp {

/// url_values is a multi-map of form or query keys to values, Go's url.Values:
/// pairs keep the order they were added in, so each key's values keep
/// theirs. Strings are copied in; views handed out stay valid while pairs
/// are added, until the pair is removed. A plain value type; not thread-safe.
class url_values {
public:
    /// get returns the first value of key, or an empty view (Go's Get).
    std::string_view get(std::string_view key) const noexcept;
    /// has reports whether key is present, even with an empty value.
    bool has(std::string_view key) const noexcept;
    /// all returns every value of key in order (Go's v[key]).
    std::vector<std::string_view> all(std::string_view key) const;
    /// set replaces the values of key with value.
    void set(std::string_view key, std::string_view value);
    /// add appends value to key's values.
    void add(std::string_view key, std::string_view value);
    /// del removes key.
    void del(std::string_view key);
    /// encode returns "k=v&k2=v2" sorted by key, query-escaped (Go's Encode).
    std::string encode() const;
    /// size is the number of (key, value) pairs.
    std::size_t size() const noexcept { return pairs_.size(); }
    bool empty() const noexcept { return pairs_.empty(); }
    void clear() noexcept { pairs_.clear(); }
    auto begin() const noexcept { return pairs_.cbegin(); }
    auto end() const noexcept { return pairs_.cend(); }

private:
    std::deque<std::pair<std::string, std::string>> pairs_;  // a deque: add() moves no string
};

/// form_errc lists the form and multipart errors, Go's sentinel errors and
/// messages. form_error_status maps them to the status a handler answers.
enum class form_errc {
    bad_query = 1,      ///< a malformed %-escape or a ';' separator (Go's url.ParseQuery errors)
    post_too_large,     ///< Go's "http: POST too large": an urlencoded body over 10 MB
    bad_media_type,     ///< an unparsable Content-Type (mime.ParseMediaType)
    not_multipart,      ///< Go's ErrNotMultipart
    missing_boundary,   ///< Go's ErrMissingBoundary
    message_too_large,  ///< Go's multipart.ErrMessageTooLarge: parts, headers or values over the limits
    bad_multipart,      ///< a malformed multipart body
    missing_file,       ///< Go's ErrMissingFile: form_file found no such file
};

/// form_category is the std::error_category of form_errc. Thread-safe.
const std::error_category& form_category() noexcept;

/// make_error_code lets `std::error_code ec = form_errc::bad_query;` work.
inline std::error_code make_error_code(form_errc e) noexcept { return {static_cast<int>(e), form_category()}; }

/// form_error_status returns the status for a form error: 413 for a body or
/// form over its limit (post_too_large, message_too_large,
/// errc::body_too_large), 408 for errc::timeout, else 400.
int form_error_status(std::error_code ec) noexcept;

/// parse_query parses an URL-encoded query into out (Go's url.ParseQuery):
/// pairs separated by '&', '+' is a space. A pair with a bad escape or a ';'
/// is skipped; the first such error is returned, the rest still parsed.
std::error_code parse_query(std::string_view query, url_values& out);

/// file_header describes one uploaded file of a multipart form, Go's
/// multipart.FileHeader. Its content is in memory, or in an unlinked temporary
/// file when the form's file parts passed max_memory.
struct file_header {
    std::string filename{};     ///< the base name the client gave
    ringhttp::header header{};  ///< the part's MIME header
    std::int64_t size = 0;
    std::string content{};  ///< the bytes, when in memory
    int fd = -1;          ///< else a temporary file (owned by the form), bytes at [offset, offset+size)
    std::int64_t offset = 0;

    /// read_all appends the file's bytes to out (from memory or the
    /// temporary file). Returns an error from the file read, if any.
    std::error_code read_all(std::string& out) const;
};

/// multipart_form is a parsed multipart/form-data body, Go's multipart.Form.
/// It owns its temporary file, closed by remove_all() or its destructor.
struct multipart_form {
    ringhttp::url_values value;  ///< the non-file parts
    std::map<std::string, std::vector<file_header>, std::less<>> file;  ///< file parts by form name

    multipart_form() = default;
    multipart_form(const multipart_form&) = delete;
    multipart_form& operator=(const multipart_form&) = delete;
    ~multipart_form() { remove_all(); }
    /// remove_all forgets the files and closes the temporary file (Go's RemoveAll).
    void remove_all() noexcept;

    int temp_fd = -1;  ///< the shared temporary file, or -1
};

}  // namespace ringhttp

template <>
struct std::is_error_code_enum<ringhttp::form_errc> : std::true_type {};
