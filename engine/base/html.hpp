// ringhttp: escaping text for HTML, as Go's html.EscapeString.
#pragma once

#include <string>
#include <string_view>

namespace ringhttp::engine {

/// html_escape_append appends s to out with &, <, >, " and ' escaped (Go's
/// htmlReplacer: the quotes as numeric references).
inline void html_escape_append(std::string_view s, std::string& out) {
    for (char c : s) {
        switch (c) {
            case '&': out += "&amp;"; break;
            case '<': out += "&lt;"; break;
            case '>': out += "&gt;"; break;
            case '"': out += "&#34;"; break;
            case '\'': out += "&#39;"; break;
            default: out.push_back(c);
        }
    }
}

}  // namespace ringhttp::engine
