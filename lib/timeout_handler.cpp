// Go's TimeoutHandler on fibers: a buffering writer, a stop_token that a
// timer thread fires at the deadline, and the body's read deadline.
#include <ringhttp/timeout_handler.hpp>

#include <condition_variable>
#include <cstdint>
#include <utility>
#include <map>
#include <mutex>
#include <stop_token>
#include <string>
#include <thread>

#include <ringhttp/response_controller.hpp>
#include <ringhttp/status.hpp>

namespace ringhttp {
namespace {

using clock = std::chrono::steady_clock;

/// stop_timer requests stop on sources at their deadlines, from one thread
/// shared by every timeout_handler of the process. Started on first use,
/// never stopped (it sleeps when nothing is due). Cost per request: two
/// short critical sections, and a wake-up only when a new deadline is the
/// earliest.
class stop_timer {
public:
    using key = std::pair<clock::time_point, std::uint64_t>;

    static stop_timer& instance() {
        static stop_timer* t = new stop_timer();
        return *t;
    }

    key add(clock::time_point when, std::stop_source s) {
        std::lock_guard lock(mu_);
        const key k{when, next_id_++};
        auto it = due_.emplace(k, std::move(s)).first;
        if (it == due_.begin()) cv_.notify_one();
        return k;
    }

    /// remove forgets an entry; one already fired is gone already.
    void remove(const key& k) {
        std::lock_guard lock(mu_);
        due_.erase(k);
    }

private:
    std::mutex mu_;
    std::condition_variable cv_;
    std::map<key, std::stop_source> due_;
    std::uint64_t next_id_ = 0;

    stop_timer() {
        std::thread([this] { run(); }).detach();
    }

    void run() {
        std::unique_lock lock(mu_);
        for (;;) {
            if (due_.empty()) {
                cv_.wait(lock);
                continue;
            }
            auto first = due_.begin();
            // A copy: wait_until reads its deadline after waking, when the
            // entry may have been erased by remove() meanwhile.
            const clock::time_point when = first->first.first;
            if (when > clock::now()) {
                cv_.wait_until(lock, when);
                continue;
            }
            // Fire outside the lock: stop_callbacks run user code. The copy
            // shares the stop state, so firing after the request ended is
            // harmless (nobody listens any more).
            std::stop_source s = std::move(first->second);
            due_.erase(first);
            lock.unlock();
            s.request_stop();
            lock.lock();
        }
    }
};

/// The buffering writer h writes into, Go's timeoutWriter.
class timeout_writer final : public response_writer {
public:
    timeout_writer(clock::time_point deadline, const std::stop_source& stop) : deadline_(deadline), stop_(stop) {}

    bool timed_out() const noexcept { return stop_.stop_requested() || clock::now() >= deadline_; }

    ringhttp::header& header() override { return header_; }
    void write_header(int code) override {
        if (timed_out() || wrote_header_) return;
        if (code >= 100 && code < 200) return;  // informational responses cannot be buffered
        wrote_header_ = true;
        code_ = code;
    }
    io_result write(std::string_view data) override {
        if (timed_out()) return {0, errc::timeout};  // Go's ErrHandlerTimeout
        if (!wrote_header_) write_header(status_ok);
        body_.append(data);
        return {data.size(), {}};
    }
    std::error_code flush() override { return errc::not_supported; }

    /// send copies the buffered response to w (Go: header values replace w's).
    void send(response_writer& w) {
        ringhttp::header& dst = w.header();
        for (const header_field& f : header_) dst.del(f.name);
        for (const header_field& f : header_) dst.add(f.name, f.value);
        w.write_header(wrote_header_ ? code_ : status_ok);
        if (!body_.empty()) (void)w.write(body_);
    }

private:
    clock::time_point deadline_;
    const std::stop_source& stop_;
    ringhttp::header header_;
    std::string body_;
    int code_ = status_ok;
    bool wrote_header_ = false;
};

class timeout final : public handler {
public:
    timeout(handler_ptr next, std::chrono::nanoseconds dt, std::string_view msg)
        : next_(std::move(next)), dt_(dt), body_(msg.empty() ? default_body : msg) {}

    void serve_http(response_writer& w, request& r) const override {
        const clock::time_point deadline = clock::now() + std::chrono::duration_cast<clock::duration>(dt_);
        std::stop_source stop;
        // The client going away stops h too, as Go's derived context does.
        std::stop_callback on_client_gone(r.stop_token(), [&stop]() noexcept { stop.request_stop(); });
        const stop_timer::key timer = stop_timer::instance().add(deadline, stop);
        response_controller rc(w);
        (void)rc.set_read_deadline(deadline);  // a body read waiting past dt fails
        timeout_writer tw(deadline, stop);
        struct restore {
            request& r;
            const std::stop_source* old;
            stop_timer::key timer;
            ~restore() {
                r.set_stop_source(old);
                stop_timer::instance().remove(timer);
            }
        } guard{r, r.set_stop_source(&stop), timer};
        next_->serve_http(tw, r);
        if (!tw.timed_out()) {
            tw.send(w);
            return;
        }
        // The read deadline fired, or will: give the server's drain of an
        // unread body its own dt instead of failing it at once.
        (void)rc.set_read_deadline(clock::now() + std::chrono::duration_cast<clock::duration>(dt_));
        w.write_header(status_service_unavailable);
        (void)w.write(body_);
    }

private:
    static constexpr std::string_view default_body =
        "<html><head><title>Timeout</title></head><body><h1>Timeout</h1></body></html>";
    handler_ptr next_;
    std::chrono::nanoseconds dt_;
    std::string body_;
};

}  // namespace

handler_ptr timeout_handler(handler_ptr h, std::chrono::nanoseconds dt, std::string_view msg) {
    return std::make_shared<const timeout>(std::move(h), dt, msg);
}

}  // namespace ringhttp
