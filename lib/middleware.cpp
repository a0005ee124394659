// Handler composition and Go's MaxBytesHandler.
#include <ringhttp/middleware.hpp>

#include <ringhttp/helpers.hpp>

namespace ringhttp {
namespace {

class max_bytes final : public handler {
public:
    max_bytes(handler_ptr next, std::int64_t n) : next_(std::move(next)), n_(n) {}
    void serve_http(response_writer& w, request& r) const override {
        max_bytes_reader(w, r, n_);
        next_->serve_http(w, r);
    }

private:
    handler_ptr next_;
    std::int64_t n_;
};

}  // namespace

handler_ptr chain(handler_ptr h, std::initializer_list<middleware> m) {
    // Wrap from the innermost out, so the first listed sees requests first.
    for (auto it = m.end(); it != m.begin();) {
        --it;
        if (*it) h = (*it)(std::move(h));
    }
    return h;
}

handler_ptr max_bytes_handler(handler_ptr h, std::int64_t n) { return std::make_shared<const max_bytes>(std::move(h), n); }

}  // namespace ringhttp
