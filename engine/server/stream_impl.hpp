// ringhttp: the stream's calls that reach the worker, inline for the
// exchange's sources (a call each would show per request).
#pragma once

#include <ringhttp/server.hpp>

#include "engine/server/stream.hpp"
#include "engine/server/worker.hpp"

namespace ringhttp::engine {

inline std::string_view stream::input() noexcept { return w_->peek(*c_); }
inline void stream::consume(std::size_t n) noexcept { w_->consume(*c_, n); }
inline void stream::want_input() { w_->want_input(*c_); }
inline void stream::append(std::string_view bytes) { c_->io.out.append(w_->outs(), bytes); }
inline char* stream::reserve(std::size_t n) { return c_->io.out.reserve(w_->outs(), n); }
inline void stream::push() noexcept { w_->mark_dirty(*c_); }
inline void stream::set_deadline(bool write, std::chrono::steady_clock::time_point t) {
    w_->set_deadline(*c_, write, t);
}
inline void stream::stop_receiving() { w_->stop_receiving(*c_); }
inline int stream::take_socket() {
    c_->hijacked = true;
    w_->notify(*c_, conn_state::hijacked);
    return c_->io.fd;
}
inline bool stream::keep_alives() const noexcept { return w_->keep_alives(); }
inline const ringhttp::handler& stream::handler() const noexcept { return *w_->config().handler; }
inline std::string_view stream::date() const noexcept { return w_->date(); }
inline std::string_view stream::plain_head(std::uint64_t length, std::string_view content_type) noexcept {
    return w_->plain_head(length, content_type);
}
inline void stream::log(std::string_view line) const { w_->log(line); }
inline void stream::read_file(int fd, char* buf, std::uint32_t n, std::uint64_t offset) {
    w_->submit_file_read(*c_, fd, buf, n, offset);
}

}  // namespace ringhttp::engine
