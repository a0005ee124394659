// ringhttp: request and connection metrics in the Prometheus text format.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <string>

#include <ringhttp/handler.hpp>
#include <ringhttp/server.hpp>

namespace ringhttp {

/// metrics counts what a server does, for a Prometheus scrape: requests by
/// status code and method (http_requests_total), handler latency
/// (http_request_duration_seconds, a histogram), connections accepted
/// (http_connections_accepted_total) and open connections by state
/// (http_connections{state=...}). Create it with std::make_shared<metrics>()
/// and keep it alive while the handlers it made are in use. Counting is
/// lock-free: relaxed atomics spread over per-thread shards, so ring threads
/// do not fight over cache lines.
class metrics : public std::enable_shared_from_this<metrics> {
public:
    metrics();
    ~metrics();
    metrics(const metrics&) = delete;
    metrics& operator=(const metrics&) = delete;

    /// wrap returns a handler that calls next and counts the request: its
    /// final status (200 if next wrote none), its method (the nine of RFC
    /// 9110 and PATCH by name, others as "OTHER"), and the time next took
    /// (not the time to send the rest of the response). A request whose
    /// handler throws is counted with code 500. The handler keeps this
    /// object alive.
    handler_ptr wrap(handler_ptr next);

    /// on_conn_state records a connection's change of state; call it from
    /// server_options::conn_state, e.g.
    /// `.conn_state = [m](auto& c, auto s) { m->on_conn_state(c, s); }`.
    /// Each ring thread keeps the states of its own connections, so the call
    /// takes no lock; a new connection costs one hash-map insertion.
    void on_conn_state(const connection_info& c, conn_state s);

    /// exposition returns a handler serving every metric in the Prometheus
    /// text exposition format 0.0.4. The handler keeps this object alive.
    handler_ptr exposition() const;

    /// render returns what exposition() serves.
    std::string render() const;

    /// requests_total is the number of requests counted so far (all codes and methods).
    std::uint64_t requests_total() const noexcept;
    /// connections returns the number of connections now in state s
    /// (closed: the number closed so far).
    std::int64_t connections(conn_state s) const noexcept;

    /// bucket_bounds are the histogram's upper bounds in seconds, Prometheus'
    /// default buckets.
    static constexpr std::array<double, 11> bucket_bounds = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
                                                             0.5,   1,    2.5,   5,    10};
    static constexpr int method_count = 11;  ///< GET HEAD POST PUT DELETE CONNECT OPTIONS TRACE PATCH QUERY OTHER

    struct shard;

private:
    static constexpr int shards = 8;
    std::unique_ptr<shard[]> shards_;
    const std::uint64_t id_;  // tells this object's per-thread connection maps from another's

    shard& local() noexcept;
    void count(std::string_view method, int code, std::chrono::nanoseconds took) noexcept;
    friend class metered;
};

}  // namespace ringhttp
