#include <ringhttp/errc.hpp>

#include <string>

namespace ringhttp {
namespace {

class http_error_category final : public std::error_category {
public:
    const char* name() const noexcept override { return "ringhttp"; }
    std::string message(int ev) const override {
        switch (static_cast<errc>(ev)) {
            case errc::server_closed: return "http: Server closed";
            case errc::eof: return "EOF";
            case errc::unexpected_eof: return "unexpected EOF";
            case errc::bad_chunked_encoding: return "invalid chunked encoding";
            case errc::body_not_allowed: return "http: request method or response status code does not allow body";
            case errc::content_length: return "http: wrote more than the declared Content-Length";
            case errc::connection_closed: return "connection closed";
            case errc::body_too_large: return "http: request body too large";
            case errc::handler_aborted: return "http: handler aborted";
            case errc::timeout: return "i/o timeout";
            case errc::not_supported: return "feature not supported";
            case errc::hijacked: return "http: connection has been hijacked";
            case errc::missing_port: return "missing port in address";
            case errc::unknown_port: return "unknown port";
            case errc::invalid_port: return "invalid port";
            case errc::no_such_host: return "no such host";
            case errc::canceled: return "context canceled";
        }
        return "unknown ringhttp error";
    }
};

}  // namespace

const std::error_category& http_category() noexcept {
    static const http_error_category category;
    return category;
}

}  // namespace ringhttp
