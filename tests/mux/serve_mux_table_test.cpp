// The routing table test: every case in routing_cases.txt (which
// tests/mux/gocheck runs against Go 1.23's ServeMux) run against serve_mux.
#include <catch2/catch_test_macros.hpp>

#include <fstream>
#include <memory>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include <ringhttp/httptest.hpp>
#include <ringhttp/serve_mux.hpp>

#ifndef RINGHTTP_MUX_CASES
#error "RINGHTTP_MUX_CASES must name tests/mux/routing_cases.txt"
#endif

namespace {

using namespace ringhttp;

struct request_case {
    int line = 0;
    std::string method, target, host = "localhost";
    std::string kind, arg;  // want KIND ARG
    std::optional<std::string> route;
    std::vector<std::pair<std::string, std::string>> values;
};

struct fail_case {
    int line = 0;
    std::string pattern, message;
};

struct mux_block {
    std::string name;
    std::vector<std::string> patterns;
    // Steps in file order: registrations that must fail change nothing, so
    // their position among the requests does not matter, but keep it anyway.
    std::vector<request_case> requests;
    std::vector<fail_case> failures;
};

std::pair<std::string, std::string> cut(const std::string& s) {
    std::size_t sp = s.find(' ');
    if (sp == std::string::npos) return {s, {}};
    return {s.substr(0, sp), s.substr(sp + 1)};
}

std::string unescape_newlines(std::string s) {
    for (std::size_t i = 0; (i = s.find("\\n", i)) != std::string::npos;) s.replace(i, 2, "\n");
    return s;
}

std::vector<mux_block> load_cases() {
    std::ifstream in(RINGHTTP_MUX_CASES);
    if (!in) throw std::runtime_error("cannot open " RINGHTTP_MUX_CASES);
    std::vector<mux_block> blocks;
    std::string line;
    int n = 0;
    enum { none, req, fail } last = none;
    while (std::getline(in, line)) {
        ++n;
        if (line.empty() || line.front() == '#') continue;
        auto [key, rest] = cut(line);
        if (key == "mux") {
            blocks.push_back({rest, {}, {}, {}});
            last = none;
        } else if (key == "pattern") {
            blocks.back().patterns.push_back(rest);
        } else if (key == "req") {
            request_case c;
            c.line = n;
            std::istringstream words(rest);
            words >> c.method >> c.target;
            if (std::string h; words >> h) c.host = h;
            blocks.back().requests.push_back(std::move(c));
            last = req;
        } else if (key == "want") {
            auto [k, a] = cut(rest);
            blocks.back().requests.back().kind = k;
            blocks.back().requests.back().arg = a;
        } else if (key == "route") {
            blocks.back().requests.back().route = rest;
        } else if (key == "value") {
            auto [name, v] = cut(rest);
            blocks.back().requests.back().values.emplace_back(name, v);
        } else if (key == "fail") {
            blocks.back().failures.push_back({n, rest, {}});
            last = fail;
        } else if (key == "error") {
            blocks.back().failures.back().message = unescape_newlines(rest);
        } else if (key == "goerror" || key == "gowant" || key == "goroute") {
            // Go's answer where ours differs on purpose: only gocheck uses it.
        } else {
            throw std::runtime_error("routing_cases.txt:" + std::to_string(n) + ": unknown keyword " + key);
        }
    }
    static_cast<void>(last);
    return blocks;
}

std::unique_ptr<request> make_request(const request_case& c) {
    auto r = httptest::new_request(c.method, c.target);
    // An absolute-form or CONNECT authority target names the host itself.
    if (r->url().host.empty()) r->set_host(c.host);
    return r;
}

handler_ptr noop() {
    return make_handler([](response_writer&, request&) {});
}

}  // namespace

TEST_CASE("serve_mux: every routing case agrees with Go 1.23's ServeMux", "[mux]") {
    const std::vector<mux_block> blocks = load_cases();
    std::size_t requests = 0;
    std::size_t failures = 0;
    for (const mux_block& b : blocks) {
        serve_mux mux;
        for (const std::string& p : b.patterns) {
            INFO("mux " << b.name << ": registering " << p);
            REQUIRE_NOTHROW(mux.handle(p, noop()));
        }
        for (const fail_case& f : b.failures) {
            ++failures;
            INFO("routing_cases.txt:" << f.line << ": registering \"" << f.pattern << "\"");
            std::string what;
            try {
                mux.handle(f.pattern, noop());
            } catch (const std::invalid_argument& e) {
                what = e.what();
            }
            CHECK(what == f.message);
        }
        for (const request_case& c : b.requests) {
            ++requests;
            INFO("routing_cases.txt:" << c.line << ": " << c.method << " " << c.target << " (host " << c.host
                                      << "), want " << c.kind << " " << c.arg);
            auto r = make_request(c);
            const route rt = mux.handler(*r);
            REQUIRE(rt.handler != nullptr);
            httptest::response_recorder w;
            mux.serve_http(w, *r);
            const header& h = w.result_header();
            if (c.kind == "match") {
                CHECK(w.code == 200);
                CHECK(r->pattern() == c.arg);
                CHECK(rt.pattern == c.arg);
                for (const auto& [name, value] : c.values) {
                    INFO("path value " << name);
                    CHECK(r->path_value(name) == value);
                }
            } else if (c.kind == "301") {
                CHECK(w.code == 301);
                CHECK(h.get("Location") == c.arg);
                REQUIRE(c.route.has_value());
                CHECK(rt.pattern == *c.route);
                CHECK(r->pattern() == *c.route);
            } else if (c.kind == "404") {
                CHECK(w.code == 404);
                CHECK(w.body == "404 page not found\n");
                CHECK(rt.pattern.empty());
                CHECK(r->pattern().empty());
            } else if (c.kind == "405") {
                CHECK(w.code == 405);
                CHECK(h.get("Allow") == c.arg);
                CHECK(w.body == "Method Not Allowed\n");
                CHECK(rt.pattern.empty());
            } else if (c.kind == "400") {
                CHECK(w.code == 400);
                CHECK(h.get("Connection") == "close");
            } else {
                FAIL("unknown expectation " << c.kind);
            }
            // The handler handler(r) returns must answer the same way.
            if (c.kind != "400") {
                auto r2 = make_request(c);
                httptest::response_recorder w2;
                rt.handler->serve_http(w2, *r2);
                CHECK(w2.code == w.code);
                CHECK(w2.result_header().get("Location") == h.get("Location"));
                CHECK(w2.result_header().get("Allow") == h.get("Allow"));
            }
        }
    }
    INFO(requests << " request cases, " << failures << " registration-error cases");
    CHECK(requests >= 80);
    CHECK(requests + failures >= 150);
}
