// Access logs in Apache's Common and Combined Log Formats.
#include <ringhttp/access_log.hpp>

#include <chrono>
#include <ctime>
#include <memory>
#include <mutex>
#include <string>

#include <ringhttp/middleware.hpp>

namespace ringhttp {
namespace {

// The "[day/Mon/year:hh:mm:ss +0000]" field, reformatted once a second per thread.
std::string_view clf_time(std::chrono::system_clock::time_point now) {
    thread_local std::time_t cached_second = -1;
    thread_local char buf[32];
    thread_local std::size_t len = 0;
    const std::time_t t = std::chrono::system_clock::to_time_t(now);
    if (t != cached_second) {
        std::tm tm{};
        ::gmtime_r(&t, &tm);
        len = std::strftime(buf, sizeof buf, "[%d/%b/%Y:%H:%M:%S +0000]", &tm);
        cached_second = t;
    }
    return {buf, len};
}

void append_escaped(std::string& out, std::string_view s) {
    static constexpr char hex[] = "0123456789abcdef";
    for (char ch : s) {
        auto c = static_cast<unsigned char>(ch);
        if (c == '"' || c == '\\') {
            out.push_back('\\');
            out.push_back(ch);
        } else if (c < 0x20 || c >= 0x7f) {
            out += "\\x";
            out.push_back(hex[c >> 4]);
            out.push_back(hex[c & 15]);
        } else {
            out.push_back(ch);
        }
    }
}

void append_or_dash(std::string& out, std::string_view s) {
    if (s.empty())
        out.push_back('-');
    else
        append_escaped(out, s);
}

// The host part of "ip:port" or "[ip6]:port".
std::string_view remote_host(std::string_view addr) {
    if (!addr.empty() && addr.front() == '[') {
        std::size_t close = addr.find(']');
        if (close != std::string_view::npos) return addr.substr(1, close - 1);
    }
    std::size_t colon = addr.rfind(':');
    return colon == std::string_view::npos ? addr : addr.substr(0, colon);
}

int base64_value(char c) {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
}

// The user of "Authorization: Basic base64(user:password)" (RFC 7617), or empty.
void append_basic_user(std::string& out, std::string_view auth) {
    constexpr std::string_view scheme = "basic ";
    if (auth.size() <= scheme.size()) {
        out.push_back('-');
        return;
    }
    for (std::size_t i = 0; i < scheme.size(); ++i) {
        char c = auth[i];
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
        if (c != scheme[i]) {
            out.push_back('-');
            return;
        }
    }
    std::string user;
    std::uint32_t acc = 0;
    int bits = 0;
    for (char c : auth.substr(scheme.size())) {
        if (c == '=') break;
        int v = base64_value(c);
        if (v < 0) {
            out.push_back('-');
            return;
        }
        acc = (acc << 6) | static_cast<std::uint32_t>(v);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            char b = static_cast<char>((acc >> bits) & 0xff);
            if (b == ':') break;
            user.push_back(b);
        }
    }
    append_or_dash(out, user);
}

class logger final : public handler {
public:
    logger(handler_ptr next, log_sink sink, log_format f) : next_(std::move(next)), sink_(std::move(sink)), format_(f) {}

    void serve_http(response_writer& w, request& r) const override {
        const auto start = std::chrono::system_clock::now();
        counting_writer cw(w);
        next_->serve_http(cw, r);
        // One buffer per thread: a warm logger allocates nothing per line.
        thread_local std::string line;
        line.clear();
        append_or_dash(line, remote_host(r.remote_addr()));
        line += " - ";
        append_basic_user(line, r.header().get("Authorization"));
        line.push_back(' ');
        line += clf_time(start);
        line += " \"";
        append_escaped(line, r.method());
        line.push_back(' ');
        append_escaped(line, r.request_uri());
        line.push_back(' ');
        append_escaped(line, r.proto());
        line += "\" ";
        char num[24];
        int n = std::snprintf(num, sizeof num, "%d ", cw.status());
        line.append(num, static_cast<std::size_t>(n));
        if (cw.bytes_written() > 0) {
            n = std::snprintf(num, sizeof num, "%lld", static_cast<long long>(cw.bytes_written()));
            line.append(num, static_cast<std::size_t>(n));
        } else {
            line.push_back('-');
        }
        if (format_ == log_format::combined) {
            line += " \"";
            append_or_dash(line, r.header().get("Referer"));
            line += "\" \"";
            append_or_dash(line, r.header().get("User-Agent"));
            line.push_back('"');
        }
        sink_(line);
    }

private:
    handler_ptr next_;
    log_sink sink_;
    log_format format_;
};

}  // namespace

log_sink file_sink(std::FILE* f) {
    return [f](std::string_view line) {
        thread_local std::string buf;
        buf.assign(line);
        buf.push_back('\n');
        ::flockfile(f);
        std::fwrite(buf.data(), 1, buf.size(), f);
        std::fflush(f);
        ::funlockfile(f);
    };
}

handler_ptr access_log(handler_ptr next, log_sink sink, log_format f) {
    return std::make_shared<const logger>(std::move(next), std::move(sink), f);
}

}  // namespace ringhttp
