// The public server: listeners, ring threads, start and stop.
#include <ringhttp/server.hpp>

#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sched.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <ringhttp/errc.hpp>

#include "engine/server/cpu_count.hpp"
#include "engine/server/stall_detector.hpp"
#include "engine/server/worker.hpp"

namespace ringhttp {

namespace {

std::error_code last_error() { return {errno, std::system_category()}; }

// Splits "host:port" as Go's net.SplitHostPort does for listening: an empty
// host means every address; "[v6]:port" for IPv6 literals; an empty port is
// port 0, as in Go.
std::error_code split_host_port(std::string_view addr, std::string& host, std::string& port) {
    if (addr.empty()) addr = ":http";
    std::size_t colon = addr.rfind(':');
    if (colon == std::string_view::npos) return errc::missing_port;
    std::string_view h = addr.substr(0, colon);
    if (h.size() >= 2 && h.front() == '[' && h.back() == ']') h = h.substr(1, h.size() - 2);
    host.assign(h);
    port.assign(addr.substr(colon + 1));
    if (port.empty()) port = "0";
    return {};
}

// Resolves a port as Go's net.LookupPort: digits are a number up to 65535,
// anything else a service name. "http" and "https" need no /etc/services
// (a minimal system has none, and ":http" is the default address).
std::error_code resolve_port(const std::string& name, std::uint16_t& port) {
    if (name.find_first_not_of("0123456789") == std::string::npos) {
        const std::size_t digits = name.find_first_not_of('0');  // Go's parsePort skips leading zeros
        unsigned long v = digits == std::string::npos ? 0 : name.size() - digits > 5 ? 65536 : std::stoul(name.substr(digits));
        if (v > 65535) return errc::invalid_port;
        port = static_cast<std::uint16_t>(v);
        return {};
    }
    if (name == "http") port = 80;
    else if (name == "https") port = 443;
    else {
        servent entry{};
        servent* found = nullptr;
        char buf[1024];
        if (::getservbyname_r(name.c_str(), "tcp", &entry, buf, sizeof buf, &found) != 0 || found == nullptr)
            return errc::unknown_port;
        port = ntohs(static_cast<std::uint16_t>(found->s_port));
    }
    return {};
}

// A TCP socket bound to ai (not yet listening). share adds SO_REUSEPORT:
// every ring's listener shares the address, and the kernel spreads
// connections among them.
int open_bound_socket(const addrinfo& ai, bool any_host, bool share) {
    int fd = ::socket(ai.ai_family, ai.ai_socktype | SOCK_CLOEXEC, ai.ai_protocol);
    if (fd < 0) return -1;
    int one = 1;
    int zero = 0;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    // Accepted sockets inherit TCP_NODELAY: no setsockopt per connection.
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (share) ::setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one);
    // ":port" serves IPv4 too, through IPv4-mapped addresses (as Go does).
    if (ai.ai_family == AF_INET6 && any_host) ::setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof zero);
    if (::bind(fd, ai.ai_addr, ai.ai_addrlen) != 0) {
        int saved = errno;
        ::close(fd);
        errno = saved;
        return -1;
    }
    return fd;
}

std::uint16_t bound_port(int fd) {
    sockaddr_storage ss{};
    socklen_t len = sizeof ss;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &len);
    return ntohs(ss.ss_family == AF_INET6 ? reinterpret_cast<sockaddr_in6*>(&ss)->sin6_port
                                         : reinterpret_cast<sockaddr_in*>(&ss)->sin_port);
}

void set_port(addrinfo& ai, std::uint16_t port) {
    if (ai.ai_family == AF_INET6) reinterpret_cast<sockaddr_in6*>(ai.ai_addr)->sin6_port = htons(port);
    else reinterpret_cast<sockaddr_in*>(ai.ai_addr)->sin_port = htons(port);
}

// Pins the calling thread to the n-th CPU (mod their count) of allowed.
void pin_to_nth_cpu(const cpu_set_t& allowed, std::size_t n) {
    const int count = CPU_COUNT(&allowed);
    if (count <= 0) return;
    std::size_t want = n % static_cast<std::size_t>(count);
    for (int cpu = 0; cpu < CPU_SETSIZE; ++cpu) {
        if (!CPU_ISSET(cpu, &allowed)) continue;
        if (want-- == 0) {
            cpu_set_t one;
            CPU_ZERO(&one);
            CPU_SET(cpu, &one);
            ::sched_setaffinity(0, sizeof one, &one);
            return;
        }
    }
}

}  // namespace

struct server::impl {
    server_options options;
    std::vector<int> listeners;  // until serve() hands them to the rings
    std::uint16_t port = 0;
    std::mutex mu;  // guards what follows against close() and shutdown() from other threads
    std::condition_variable serve_done;
    std::vector<std::unique_ptr<engine::worker>> workers;
    engine::stop_barrier barrier;
    std::vector<std::function<void()>> on_shutdown;
    bool closed = false;    // no new serve(); a running one is stopping
    bool serving = false;   // serve() is running its rings

    ~impl() {
        for (int fd : listeners) ::close(fd);
    }
};

std::string_view conn_state_name(conn_state s) noexcept {
    switch (s) {
        case conn_state::new_: return "new";
        case conn_state::active: return "active";
        case conn_state::idle: return "idle";
        case conn_state::hijacked: return "hijacked";
        case conn_state::closed: return "closed";
    }
    return "unknown";
}

server::server(server_options options) : impl_(std::make_unique<impl>()) {
    impl_->options = std::move(options);
    if (impl_->options.threads == 0) impl_->options.threads = engine::default_ring_count();
    // Go: a zero MaxHeaderBytes means DefaultMaxHeaderBytes.
    if (impl_->options.max_header_bytes == 0) impl_->options.max_header_bytes = default_max_header_bytes;
}

server::~server() {
    close();
}

const server_options& server::options() const noexcept { return impl_->options; }
std::uint16_t server::port() const noexcept { return impl_->port; }

std::error_code server::listen() {
    if (!impl_->listeners.empty()) return {};
    std::string host, port_name;
    if (auto ec = split_host_port(impl_->options.addr, host, port_name)) return ec;
    std::uint16_t port = 0;
    if (auto ec = resolve_port(port_name, port)) return ec;
    const bool any_host = host.empty();
    addrinfo hints{};
    hints.ai_family = any_host ? AF_INET6 : AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
    addrinfo* res = nullptr;
    int rc = ::getaddrinfo(any_host ? nullptr : host.c_str(), "0", &hints, &res);
    if (rc != 0 && any_host) {
        hints.ai_family = AF_INET;  // no IPv6 on this host
        rc = ::getaddrinfo(nullptr, "0", &hints, &res);
    }
    if (rc == EAI_SYSTEM) return last_error();
    if (rc != 0) return errc::no_such_host;
    set_port(*res, port);
    std::error_code ec;
    // Several rings share the address through SO_REUSEPORT, which would also
    // let another process join them and take part of the traffic. Go fails
    // with "address already in use" there, and so do we unless reuse_port
    // asks for sharing: one ring listens without SO_REUSEPORT at all (the
    // address is then ours alone); several first bind a probe without it,
    // which fails if anyone listens on the address, and whose port is the
    // one a port 0 asked for. Their own SO_REUSEPORT group can still be
    // joined later by a process that sets SO_REUSEPORT itself.
    const bool share = impl_->options.reuse_port || impl_->options.threads > 1;
    if (!impl_->options.reuse_port && share) {
        int probe = open_bound_socket(*res, any_host, false);
        if (probe < 0) ec = last_error();
        else {
            set_port(*res, bound_port(probe));
            ::close(probe);
        }
    }
    for (unsigned i = 0; !ec && i < impl_->options.threads; ++i) {
        int fd = open_bound_socket(*res, any_host, share);
        if (fd < 0 || ::listen(fd, SOMAXCONN) != 0) {
            ec = last_error();
            if (fd >= 0) ::close(fd);
            break;
        }
        impl_->listeners.push_back(fd);
        if (i == 0) {
            // With port 0 the kernel picked one: the other rings bind to it too.
            impl_->port = bound_port(fd);
            set_port(*res, impl_->port);
        }
    }
    ::freeaddrinfo(res);
    if (ec) {
        for (int fd : impl_->listeners) ::close(fd);
        impl_->listeners.clear();
    }
    return ec;
}

std::error_code server::serve() {
    const server_options& o = impl_->options;
    const bool pow2 = o.recv_buffers_max != 0 && (o.recv_buffers_max & (o.recv_buffers_max - 1)) == 0;
    if (!pow2 || o.recv_buffers_max > 32768 || o.recv_buffers == 0 || o.recv_buffer_size < 512 ||
        o.handler_stack_size < 16 * 1024)
        return std::make_error_code(std::errc::invalid_argument);
    if (auto ec = listen()) return ec;
    const handler* h = impl_->options.handler ? impl_->options.handler.get() : &detail::default_handler();
    {
        std::lock_guard lock(impl_->mu);
        if (impl_->closed) return errc::server_closed;
        impl_->serving = true;
        impl_->barrier.closed = 0;
        impl_->barrier.total = static_cast<unsigned>(impl_->listeners.size());
        impl_->barrier.wake_all = [this] {
            for (auto& w : impl_->workers) w->wake();  // workers outlive every ring thread
        };
        std::uint32_t index = 0;
        for (int fd : impl_->listeners) {
            engine::worker_config cfg;
            cfg.worker_index = index++;
            cfg.conn_state = &impl_->options.conn_state;
            cfg.barrier = &impl_->barrier;
            cfg.handler = h;
            cfg.max_header_bytes = impl_->options.max_header_bytes;
            cfg.max_header_fields = impl_->options.max_header_fields;
            cfg.stack_size = impl_->options.handler_stack_size;
            cfg.error_log = &impl_->options.error_log;
            cfg.listen_fd = fd;
            // Go's fallbacks: header and idle timeouts default to read_timeout.
            auto ns = [](std::chrono::nanoseconds d) { return d.count() > 0 ? static_cast<std::uint64_t>(d.count()) : 0; };
            cfg.read_timeout_ns = ns(o.read_timeout);
            cfg.read_header_timeout_ns = ns(o.read_header_timeout.count() > 0 ? o.read_header_timeout : o.read_timeout);
            cfg.write_timeout_ns = ns(o.write_timeout);
            cfg.idle_timeout_ns = ns(o.idle_timeout.count() > 0 ? o.idle_timeout : o.read_timeout);
            cfg.buffer_size = impl_->options.recv_buffer_size;
            cfg.initial_buffers = impl_->options.recv_buffers;
            cfg.max_buffers = impl_->options.recv_buffers_max;
            cfg.proxy_protocol = impl_->options.proxy_protocol;
            impl_->workers.push_back(std::make_unique<engine::worker>(cfg));
        }
        impl_->listeners.clear();  // the rings own and close them now
    }
    std::vector<std::error_code> results(impl_->workers.size());
    cpu_set_t allowed;
    CPU_ZERO(&allowed);
    ::sched_getaffinity(0, sizeof allowed, &allowed);
    auto run = [&](std::size_t i) {
        engine::worker& w = *impl_->workers[i];
        if (impl_->options.pin_threads) pin_to_nth_cpu(allowed, i);
        results[i] = w.init();
        if (results[i]) {
            close();  // one ring failed: stop the others too
            return;
        }
        w.run();
    };
    std::unique_ptr<engine::stall_detector> stalls;
    if (impl_->options.stall_threshold.count() > 0) {
        std::vector<engine::worker*> rings;
        for (auto& w : impl_->workers) rings.push_back(w.get());
        stalls = std::make_unique<engine::stall_detector>(std::move(rings), impl_->options.stall_threshold,
                                                          &impl_->options.error_log);
    }
    std::vector<std::thread> threads;
    for (std::size_t i = 1; i < impl_->workers.size(); ++i) threads.emplace_back(run, i);
    run(0);
    for (std::thread& t : threads) t.join();
    stalls.reset();  // before the workers it watches go
    {
        std::lock_guard lock(impl_->mu);
        impl_->workers.clear();
        impl_->closed = true;
        impl_->serving = false;
    }
    impl_->serve_done.notify_all();
    for (const std::error_code& ec : results)
        if (ec) return ec;
    return errc::server_closed;
}

std::error_code server::listen_and_serve() {
    if (auto ec = listen()) return ec;
    return serve();
}

void server::close() {
    std::lock_guard lock(impl_->mu);
    impl_->closed = true;
    for (auto& w : impl_->workers) w->stop();
}

std::error_code server::shutdown(std::chrono::steady_clock::time_point deadline) {
    std::unique_lock lock(impl_->mu);
    const bool first = !impl_->closed;
    impl_->closed = true;
    if (first) {
        for (auto& f : impl_->on_shutdown) std::thread(f).detach();  // Go: go f()
    }
    for (auto& w : impl_->workers) w->shutdown();
    if (!impl_->serve_done.wait_until(lock, deadline, [this] { return !impl_->serving; })) return errc::timeout;
    return {};
}

void server::register_on_shutdown(std::function<void()> f) {
    std::lock_guard lock(impl_->mu);
    impl_->on_shutdown.push_back(std::move(f));
}

std::error_code listen_and_serve(std::string_view addr, handler_ptr handler) {
    server srv(server_options{.addr = std::string(addr), .handler = std::move(handler)});
    return srv.listen_and_serve();
}

}  // namespace ringhttp
