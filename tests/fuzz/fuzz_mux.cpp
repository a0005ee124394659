// ringhttp fuzzing: the mux pattern parser and matcher (mux/pattern.hpp,
// serve_mux registration and lookup).
//
// Input: lines. A line starting with '>' is a request, "> METHOD TARGET
// [HOST]", routed through mux.handler() and mux.serve_http(); any other line
// is a pattern to register. Properties checked, besides "no crash":
//  - parse_pattern and serve_mux::handle throw only std::invalid_argument;
//    handle throws exactly when the pattern does not parse or conflicts
//    (mux_detail::conflicts) with one registered before; it must find the
//    conflict however the routing indexes hold the older pattern.
//  - compare_paths and compare_methods are antisymmetric: a more general than
//    b exactly when b is more specific than a; the other relations symmetric.
//  - a registered pattern whose path is literal (every segment a plain
//    token, optionally ending in {$}) routes its own path, method and host to
//    itself (Go 1.22 ServeMux: nothing registered alongside can be more
//    specific for that request, since an equal one would have conflicted).
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <ringhttp/httptest.hpp>
#include <ringhttp/serve_mux.hpp>

#include "engine/base/rcu.hpp"
#include "mux/pattern.hpp"

namespace {

using namespace ringhttp;
namespace md = ringhttp::mux_detail;

[[noreturn]] void fail(const std::string& what) {
    std::fprintf(stderr, "fuzz_mux: %s\n", what.c_str());
    std::abort();
}

md::relation inverse(md::relation r) {
    switch (r) {
        case md::relation::more_general: return md::relation::more_specific;
        case md::relation::more_specific: return md::relation::more_general;
        default: return r;
    }
}

bool plain_segment(std::string_view s) {
    if (s.empty() || s == "." || s == "..") return false;
    for (unsigned char c : s) {
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
                        c == '_' || c == '.' || c == '~';
        if (!ok) return false;
    }
    return true;
}

bool plain_host(std::string_view s) {
    for (unsigned char c : s) {
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.')) return false;
    }
    return true;
}

// literal_target is the request path a literal pattern matches, or empty.
std::string literal_target(const md::pattern& p) {
    std::string t;
    for (std::size_t i = 0; i < p.segments.size(); ++i) {
        const md::segment& s = p.segments[i];
        if (!s.is_literal()) return {};
        if (s.text == "/") {
            if (i + 1 != p.segments.size()) return {};
            t += '/';
            continue;
        }
        if (!plain_segment(s.text)) return {};
        t += '/';
        t += s.text;
    }
    return t;
}

std::vector<std::string_view> split_lines(std::string_view in) {
    std::vector<std::string_view> lines;
    while (!in.empty() && lines.size() < 64) {
        const std::size_t nl = in.find('\n');
        lines.push_back(in.substr(0, nl));
        if (nl == std::string_view::npos) break;
        in.remove_prefix(nl + 1);
    }
    return lines;
}

void route_request(const serve_mux& mux, std::string_view line) {
    // "> METHOD TARGET [HOST]"
    line.remove_prefix(1);
    while (!line.empty() && line[0] == ' ') line.remove_prefix(1);
    const std::size_t sp1 = line.find(' ');
    if (sp1 == std::string_view::npos) return;
    const std::string_view method = line.substr(0, sp1);
    std::string_view rest = line.substr(sp1 + 1);
    const std::size_t sp2 = rest.find(' ');
    const std::string_view target = rest.substr(0, sp2);
    const std::string_view host = sp2 == std::string_view::npos ? std::string_view() : rest.substr(sp2 + 1);
    if (method.empty() || target.empty()) return;
    std::unique_ptr<request> r;
    try {
        r = httptest::new_request(method, target);
    } catch (const std::invalid_argument&) {
        return;  // not a target a server would have parsed
    }
    if (!host.empty()) r->set_host(host);
    const route rt = mux.handler(*r);
    if (!rt.handler) fail("handler() returned a null handler");
    httptest::response_recorder w;
    mux.serve_http(w, *r);
    if (w.code < 100 || w.code > 999) fail("serve_http wrote status " + std::to_string(w.code));
}

}  // namespace

namespace {

void run(std::string_view in) {
    serve_mux mux;
    const handler_ptr noop = make_handler([](response_writer&, request&) {});
    std::vector<std::unique_ptr<md::pattern>> registered;
    std::vector<std::string_view> requests;

    for (std::string_view line : split_lines(in)) {
        if (!line.empty() && line[0] == '>') {
            requests.push_back(line);
            continue;
        }
        std::unique_ptr<md::pattern> p;
        try {
            p = md::parse_pattern(line);
        } catch (const std::invalid_argument&) {
        }
        const md::pattern* conflict = nullptr;
        if (p) {
            for (const auto& q : registered) {
                // The relations must be antisymmetric whatever the patterns.
                if (md::compare_paths(*p, *q) != inverse(md::compare_paths(*q, *p)))
                    fail("compare_paths not antisymmetric: " + p->text + " vs " + q->text);
                if (md::compare_methods(*p, *q) != inverse(md::compare_methods(*q, *p)))
                    fail("compare_methods not antisymmetric: " + p->text + " vs " + q->text);
                if (md::conflicts(*p, *q) != md::conflicts(*q, *p))
                    fail("conflicts not symmetric: " + p->text + " vs " + q->text);
                if (conflict == nullptr && md::conflicts(*p, *q)) conflict = q.get();
            }
        }
        bool threw = false;
        try {
            mux.handle(line, noop);
        } catch (const std::invalid_argument& e) {
            threw = true;
            // Go's tree stores an empty literal segment as the wildcard child,
            // so "//{x}" and "/{x}/{y}" share a node and Go panics ("non-nil
            // leaf fields") though they do not conflict; ringhttp throws too.
            if (p && conflict == nullptr && std::string_view(e.what()).find("need the same routing node") !=
                                                std::string_view::npos)
                continue;
        }
        if (!p && !threw) fail("handle accepted a pattern parse_pattern rejects: " + std::string(line));
        if (p && threw != (conflict != nullptr)) {
            fail("handle " + std::string(threw ? "rejected" : "accepted") + " \"" + std::string(line) + "\"" +
                 (conflict ? " which conflicts with \"" + conflict->text + "\"" : " which conflicts with nothing"));
        }
        if (p && !threw) registered.push_back(std::move(p));
    }

    // A literal pattern's own path routes to it.
    for (const auto& p : registered) {
        const std::string target = literal_target(*p);
        if (target.empty() || !plain_host(p->host)) continue;
        std::string method = p->method;
        if (method.empty()) {
            // A method no registered pattern names, so only method-less ones match.
            method = "FUZZ";
            for (bool taken = true; taken;) {
                taken = false;
                for (const auto& q : registered) taken = taken || q->method == method;
                if (taken) method += 'Z';
            }
        }
        std::string host = p->host;
        if (host.empty()) {
            host = "fuzz.invalid";
            for (bool taken = true; taken;) {
                taken = false;
                for (const auto& q : registered) taken = taken || q->host == host;
                if (taken) host = "x" + host;
            }
        }
        std::unique_ptr<request> r;
        try {
            r = httptest::new_request(method, target);
        } catch (const std::invalid_argument&) {
            fail("new_request rejected literal target " + target);
        }
        r->set_host(host);
        const route rt = mux.handler(*r);
        if (rt.pattern != p->text) {
            fail("\"" + method + " " + host + target + "\" routed to \"" + rt.pattern + "\", not to its own pattern \"" +
                 p->text + "\"");
        }
    }

    for (std::string_view line : requests) route_request(mux, line);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    run(std::string_view(reinterpret_cast<const char*>(data), size));
    // Free the mux versions retired to the RCU domain now, not in a later
    // run: libFuzzer's leak check runs whenever an input's mallocs and frees
    // do not balance, and it is slow.
    rcu::synchronize();
    return 0;
}
