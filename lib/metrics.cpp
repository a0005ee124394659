// Request and connection metrics, Prometheus text exposition format 0.0.4.
#include <ringhttp/metrics.hpp>

#include <chrono>
#include <cstdio>
#include <unordered_map>

#include <ringhttp/blocking.hpp>
#include <ringhttp/middleware.hpp>

namespace ringhttp {

namespace {
constexpr int min_code = 100;
constexpr int code_slots = 900;  // 100..999, every code write_header accepts
constexpr int state_count = 5;   // new, active, idle, hijacked, closed
constexpr std::array<std::string_view, metrics::method_count> method_names = {
    "GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH", "QUERY", "OTHER"};

int method_index(std::string_view m) noexcept {
    for (int i = 0; i < metrics::method_count - 1; ++i)
        if (method_names[static_cast<std::size_t>(i)] == m) return i;
    return metrics::method_count - 1;
}

std::atomic<std::uint64_t> next_metrics_id{1};
std::atomic<unsigned> next_thread_slot{0};

unsigned thread_slot() noexcept {
    thread_local const unsigned slot = next_thread_slot.fetch_add(1, std::memory_order_relaxed);
    return slot;
}

// Per thread: the state of each of this thread's connections, per metrics
// object (a connection's conn_state calls all come from its ring thread).
std::unordered_map<std::uint64_t, conn_state>& thread_conns(std::uint64_t metrics_id) {
    thread_local std::unordered_map<std::uint64_t, std::unordered_map<std::uint64_t, conn_state>> maps;
    return maps[metrics_id];
}

}  // namespace

/// One shard of counters, on its own cache lines.
struct alignas(64) metrics::shard {
    std::atomic<std::uint64_t> requests[method_count][code_slots]{};
    std::atomic<std::uint64_t> buckets[bucket_bounds.size()]{};  // non-cumulative
    std::atomic<std::uint64_t> latency_count{0};
    std::atomic<std::uint64_t> latency_sum_ns{0};
    std::atomic<std::int64_t> conns[state_count]{};
    std::atomic<std::uint64_t> accepted{0};
};

metrics::metrics() : shards_(new shard[shards]), id_(next_metrics_id.fetch_add(1, std::memory_order_relaxed)) {}

metrics::~metrics() = default;

metrics::shard& metrics::local() noexcept { return shards_[thread_slot() % shards]; }

void metrics::count(std::string_view method, int code, std::chrono::nanoseconds took) noexcept {
    shard& s = local();
    if (code < min_code || code >= min_code + code_slots) code = 500;
    s.requests[method_index(method)][code - min_code].fetch_add(1, std::memory_order_relaxed);
    const double secs = std::chrono::duration<double>(took).count();
    for (std::size_t i = 0; i < bucket_bounds.size(); ++i) {
        if (secs <= bucket_bounds[i]) {
            s.buckets[i].fetch_add(1, std::memory_order_relaxed);
            break;
        }
    }
    s.latency_sum_ns.fetch_add(static_cast<std::uint64_t>(took.count()), std::memory_order_relaxed);
    s.latency_count.fetch_add(1, std::memory_order_relaxed);
}

class metered final : public handler {
public:
    metered(std::shared_ptr<metrics> m, handler_ptr next) : m_(std::move(m)), next_(std::move(next)) {}
    void serve_http(response_writer& w, request& r) const override {
        const auto start = std::chrono::steady_clock::now();
        counting_writer cw(w);
        try {
            next_->serve_http(cw, r);
        } catch (...) {
            // Go's server answers nothing after a panic; count it as a 500.
            // (A fiber's forced unwind passes through here too: rethrown.)
            m_->count(r.method(), 500, std::chrono::steady_clock::now() - start);
            throw;
        }
        m_->count(r.method(), cw.status(), std::chrono::steady_clock::now() - start);
    }

private:
    std::shared_ptr<metrics> m_;
    handler_ptr next_;
};

handler_ptr metrics::wrap(handler_ptr next) { return std::make_shared<const metered>(shared_from_this(), std::move(next)); }

void metrics::on_conn_state(const connection_info& c, conn_state s) {
    auto& conns = thread_conns(id_);
    shard& sh = local();
    auto idx = [](conn_state st) { return static_cast<std::size_t>(st); };
    if (s == conn_state::new_) {
        sh.accepted.fetch_add(1, std::memory_order_relaxed);
        conns[c.id] = s;
        sh.conns[idx(s)].fetch_add(1, std::memory_order_relaxed);
        return;
    }
    auto it = conns.find(c.id);
    if (it != conns.end()) {
        sh.conns[idx(it->second)].fetch_sub(1, std::memory_order_relaxed);
        if (s == conn_state::closed || s == conn_state::hijacked)
            conns.erase(it);
        else
            it->second = s;
    } else if (s != conn_state::closed && s != conn_state::hijacked) {
        conns.emplace(c.id, s);  // seen first mid-life (metrics attached late)
    }
    // closed and hijacked are final: they count up, as totals.
    sh.conns[idx(s)].fetch_add(1, std::memory_order_relaxed);
}

std::uint64_t metrics::requests_total() const noexcept {
    std::uint64_t n = 0;
    for (int i = 0; i < shards; ++i) n += shards_[i].latency_count.load(std::memory_order_relaxed);
    return n;
}

std::int64_t metrics::connections(conn_state s) const noexcept {
    std::int64_t n = 0;
    for (int i = 0; i < shards; ++i) n += shards_[i].conns[static_cast<std::size_t>(s)].load(std::memory_order_relaxed);
    return n;
}

std::string metrics::render() const {
    std::string out;
    char buf[160];
    auto put = [&](const char* fmt, auto... args) {
        int n = std::snprintf(buf, sizeof buf, fmt, args...);
        out.append(buf, static_cast<std::size_t>(n));
    };
    out += "# HELP http_requests_total Requests served, by status code and method.\n";
    out += "# TYPE http_requests_total counter\n";
    for (int m = 0; m < method_count; ++m) {
        for (int c = 0; c < code_slots; ++c) {
            std::uint64_t n = 0;
            for (int i = 0; i < shards; ++i) n += shards_[i].requests[m][c].load(std::memory_order_relaxed);
            if (n == 0) continue;
            put("http_requests_total{code=\"%d\",method=\"%s\"} %llu\n", c + min_code,
                method_names[static_cast<std::size_t>(m)].data(), static_cast<unsigned long long>(n));
        }
    }
    out += "# HELP http_request_duration_seconds Time the handler took, in seconds.\n";
    out += "# TYPE http_request_duration_seconds histogram\n";
    std::uint64_t cumulative = 0, count = 0, sum_ns = 0;
    for (int i = 0; i < shards; ++i) {
        count += shards_[i].latency_count.load(std::memory_order_relaxed);
        sum_ns += shards_[i].latency_sum_ns.load(std::memory_order_relaxed);
    }
    for (std::size_t b = 0; b < bucket_bounds.size(); ++b) {
        for (int i = 0; i < shards; ++i) cumulative += shards_[i].buckets[b].load(std::memory_order_relaxed);
        // A scrape races with counting: keep buckets monotonic and within count.
        if (cumulative > count) cumulative = count;
        put("http_request_duration_seconds_bucket{le=\"%g\"} %llu\n", bucket_bounds[b],
            static_cast<unsigned long long>(cumulative));
    }
    put("http_request_duration_seconds_bucket{le=\"+Inf\"} %llu\n", static_cast<unsigned long long>(count));
    put("http_request_duration_seconds_sum %.9f\n", static_cast<double>(sum_ns) / 1e9);
    put("http_request_duration_seconds_count %llu\n", static_cast<unsigned long long>(count));
    std::uint64_t accepted = 0;
    for (int i = 0; i < shards; ++i) accepted += shards_[i].accepted.load(std::memory_order_relaxed);
    out += "# HELP http_connections_accepted_total Connections accepted.\n";
    out += "# TYPE http_connections_accepted_total counter\n";
    put("http_connections_accepted_total %llu\n", static_cast<unsigned long long>(accepted));
    out += "# HELP http_connections Open connections by state (Go's ConnState).\n";
    out += "# TYPE http_connections gauge\n";
    for (conn_state s : {conn_state::new_, conn_state::active, conn_state::idle}) {
        std::int64_t n = connections(s);
        put("http_connections{state=\"%s\"} %lld\n", conn_state_name(s).data(), static_cast<long long>(n < 0 ? 0 : n));
    }
    out += "# HELP http_connections_closed_total Connections closed, and taken over by hijacking.\n";
    out += "# TYPE http_connections_closed_total counter\n";
    put("http_connections_closed_total{state=\"closed\"} %lld\n", static_cast<long long>(connections(conn_state::closed)));
    put("http_connections_closed_total{state=\"hijacked\"} %lld\n",
        static_cast<long long>(connections(conn_state::hijacked)));
    // The process-wide pool behind run_blocking (Go shows its threads in
    // runtime metrics; a queue here means the pool is at its maximum).
    const blocking_pool_stats pool = blocking_stats();
    out += "# HELP ringhttp_blocking_threads Threads of the run_blocking pool, by state.\n";
    out += "# TYPE ringhttp_blocking_threads gauge\n";
    put("ringhttp_blocking_threads{state=\"busy\"} %zu\n", pool.threads - pool.idle);
    put("ringhttp_blocking_threads{state=\"idle\"} %zu\n", pool.idle);
    out += "# HELP ringhttp_blocking_queued Calls waiting for a thread of the run_blocking pool.\n";
    out += "# TYPE ringhttp_blocking_queued gauge\n";
    put("ringhttp_blocking_queued %zu\n", pool.queued);
    out += "# HELP ringhttp_blocking_max_threads The most threads the run_blocking pool may run.\n";
    out += "# TYPE ringhttp_blocking_max_threads gauge\n";
    put("ringhttp_blocking_max_threads %zu\n", pool.max);
    return out;
}

handler_ptr metrics::exposition() const {
    std::shared_ptr<const metrics> self = shared_from_this();
    return make_handler([self](response_writer& w, request&) {
        std::string body = self->render();
        w.header().set("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
        w.write_header(200);
        (void)w.write(body);
    });
}

}  // namespace ringhttp
