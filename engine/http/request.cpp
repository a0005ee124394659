#include <ringhttp/io.hpp>
#include <ringhttp/request.hpp>

#include <array>

namespace ringhttp {

request::~request() { clear_values(); }

void request::clear_values() noexcept {
    for (auto it = values_.rbegin(); it != values_.rend(); ++it)
        if (it->destroy != nullptr) it->destroy(it->object);
    values_.clear();
}

std::string_view request::path_value(std::string_view name) const noexcept {
    for (const auto& [n, v] : path_values_)
        if (n == name) return v;
    return {};
}

void request::set_path_value(std::string_view name, std::string_view value) {
    for (auto& [n, v] : path_values_) {
        if (n == name) {
            v = arena_.copy(value);
            return;
        }
    }
    path_values_.emplace_back(arena_.copy(name), arena_.copy(value));
}

std::error_code body_reader::read_all(std::string& out) {
    std::array<char, 16384> chunk;
    for (;;) {
        io_result r = read(chunk);
        out.append(chunk.data(), r.n);
        if (r.ec == errc::eof) return {};
        if (r.ec) return r.ec;
    }
}

}  // namespace ringhttp
