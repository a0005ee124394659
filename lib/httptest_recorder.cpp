#include <ringhttp/httptest.hpp>

#include <algorithm>
#include <cstring>
#include <stdexcept>
#include <string>

#include <ringhttp/status.hpp>

#include "engine/base/chars.hpp"
#include "engine/http/request_access.hpp"
#include "engine/http/sniff.hpp"
#include "engine/http/target.hpp"

namespace ringhttp::httptest {

void response_recorder::write_header(int status) {
    if (wrote_header) return;
    if (status < 100 || status > 999) throw std::invalid_argument("invalid write_header code " + std::to_string(status));
    wrote_header = true;
    code = status;
    snapshot_ = header_map_;
}

io_result response_recorder::write(std::string_view data) {
    if (!wrote_header) {
        // As Go's recorder: sniff a Content-Type from the first write.
        if (!header_map_.has("Content-Type") && !header_map_.has("Transfer-Encoding"))
            header_map_.set("Content-Type", engine::detect_content_type(data));
        write_header(status_ok);
    }
    body.append(data);
    return {data.size(), {}};
}

std::error_code response_recorder::flush() {
    if (!wrote_header) write_header(status_ok);
    flushed = true;
    return {};
}

namespace {

class string_body final : public body_reader {
public:
    explicit string_body(std::string data) : data_(std::move(data)) {}
    io_result read(std::span<char> buf) override {
        if (pos_ == data_.size()) return {0, errc::eof};
        std::size_t n = std::min(buf.size(), data_.size() - pos_);
        if (n > 0) std::memcpy(buf.data(), data_.data() + pos_, n);
        pos_ += n;
        return {n, {}};
    }

private:
    std::string data_;
    std::size_t pos_ = 0;
};

// A request that owns every string it views and its body.
class owned_request final : public request {
public:
    owned_request(std::string_view method, std::string_view target, std::string_view body)
        : method_(method.empty() ? "GET" : method), target_(target), body_(std::string(body)) {}
    std::string method_;
    std::string target_;
    string_body body_;
};

// Fills r as Go's NewRequest does: it reads "METHOD TARGET HTTP/1.0" with
// http.ReadRequest, so a method that is not a token (RFC 9110 §9.1) or a
// target ReadRequest rejects panics there; here they throw.
void fill(owned_request& r, std::string_view target, std::int64_t content_length, body_reader* body) {
    using detail::request_access;
    if (!chars::is_token(r.method_))
        throw std::invalid_argument("httptest::new_request: invalid method \"" + r.method_ + "\"");
    request_access::set_method(r, r.method_);
    // A space or a control byte ends or breaks Go's request line (a space
    // makes the rest a malformed version; url.ParseRequestURI rejects control
    // characters); the wire parser never lets one through either.
    for (unsigned char c : r.target_)
        if (c <= 0x20 || c == 0x7f)
            throw std::invalid_argument("httptest::new_request: invalid character in target: " + std::string(target));
    if (const char* err = engine::parse_target(r.method_, r.target_, r.url(), r.storage()))
        throw std::invalid_argument("httptest::new_request: " + std::string(err) + ": " + std::string(target));
    request_access::set_proto(r, "HTTP/1.1", 1, 1);
    // Go: the authority of an absolute target, else "example.com".
    request_access::set_host(r, r.url().host.empty() ? std::string_view("example.com") : r.url().host);
    request_access::set_request_uri(r, r.target_);
    request_access::set_remote_addr(r, "192.0.2.1:1234");
    request_access::set_content_length(r, content_length);
    request_access::set_body(r, body);
}

}  // namespace

std::unique_ptr<request> new_request(std::string_view method, std::string_view target, std::string_view body) {
    auto r = std::make_unique<owned_request>(method, target, body);
    fill(*r, target, static_cast<std::int64_t>(body.size()), &r->body_);
    return r;
}

std::unique_ptr<request> new_request(std::string_view method, std::string_view target, body_reader& body) {
    auto r = std::make_unique<owned_request>(method, target, std::string_view());
    fill(*r, target, -1, &body);
    return r;
}

}  // namespace ringhttp::httptest
