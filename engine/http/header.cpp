#include <ringhttp/header.hpp>

#include <algorithm>
#include <cstring>

#include "engine/base/chars.hpp"

namespace ringhttp {

bool canonicalize_header_key(char* name, std::size_t len) noexcept {
    for (std::size_t i = 0; i < len; ++i)
        if (!chars::is_tchar(static_cast<unsigned char>(name[i]))) return false;
    bool upper = true;
    for (std::size_t i = 0; i < len; ++i) {
        name[i] = upper ? chars::to_upper(name[i]) : chars::to_lower(name[i]);
        upper = name[i] == '-';
    }
    return true;
}

std::string canonical_header_key(std::string_view name) {
    std::string s(name);
    canonicalize_header_key(s.data(), s.size());
    return s;
}

bool ascii_iequals(std::string_view a, std::string_view b) noexcept {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (chars::to_lower(a[i]) != chars::to_lower(b[i])) return false;
    return true;
}

bool has_token(std::string_view v, std::string_view t) noexcept {
    if (t.empty()) return false;  // an empty list element is no token (RFC 9110 §5.6.1), as in Go
    while (!v.empty()) {
        std::size_t comma = v.find(',');
        std::string_view element = chars::trim_ows(v.substr(0, comma));
        if (ascii_iequals(element, t)) return true;
        if (comma == std::string_view::npos) break;
        v.remove_prefix(comma + 1);
    }
    return false;
}

header::header(const header& other) { *this = other; }

header& header::operator=(const header& other) {
    if (this == &other) return *this;
    clear();
    fields_.reserve(other.fields_.size());
    for (const header_field& f : other.fields_) fields_.push_back({arena_.copy(f.name), arena_.copy(f.value)});
    return *this;
}

std::string_view header::get(std::string_view key) const noexcept {
    for (const header_field& f : fields_)
        if (ascii_iequals(f.name, key)) return f.value;
    return {};
}

bool header::has(std::string_view key) const noexcept {
    return std::any_of(fields_.begin(), fields_.end(),
                       [&](const header_field& f) { return ascii_iequals(f.name, key); });
}

std::vector<std::string_view> header::values(std::string_view key) const {
    std::vector<std::string_view> out;
    for (const header_field& f : fields_)
        if (ascii_iequals(f.name, key)) out.push_back(f.value);
    return out;
}

std::size_t header::count(std::string_view key) const noexcept {
    return static_cast<std::size_t>(std::count_if(
        fields_.begin(), fields_.end(), [&](const header_field& f) { return ascii_iequals(f.name, key); }));
}

std::string_view header::store_name(std::string_view key) {
    // Reuse the name of an existing field with this key: no copy needed.
    for (const header_field& f : fields_)
        if (ascii_iequals(f.name, key)) return f.name;
    char* p = arena_.allocate(key.size());
    if (!key.empty()) std::memcpy(p, key.data(), key.size());
    canonicalize_header_key(p, key.size());
    return {p, key.size()};
}

void header::set(std::string_view key, std::string_view value) {
    std::string_view name = store_name(key);
    std::string_view stored = arena_.copy(value);
    auto it = std::find_if(fields_.begin(), fields_.end(),
                           [&](const header_field& f) { return ascii_iequals(f.name, key); });
    if (it == fields_.end()) {
        fields_.push_back({name, stored});
        return;
    }
    it->value = stored;
    // Drop any further values of the key, keeping the first one's position.
    fields_.erase(std::remove_if(it + 1, fields_.end(),
                                 [&](const header_field& f) { return ascii_iequals(f.name, key); }),
                  fields_.end());
}

void header::add(std::string_view key, std::string_view value) {
    std::string_view name = store_name(key);
    fields_.push_back({name, arena_.copy(value)});
}

void header::del(std::string_view key) noexcept {
    fields_.erase(std::remove_if(fields_.begin(), fields_.end(),
                                 [&](const header_field& f) { return ascii_iequals(f.name, key); }),
                  fields_.end());
}

void header::clear() noexcept {
    fields_.clear();
    arena_.reset();
}

}  // namespace ringhttp
