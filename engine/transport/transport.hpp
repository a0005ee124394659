// ringhttp: how a connection's bytes move on the ring (plain TCP today).
#pragma once

#include <sys/socket.h>

#include <cstddef>
#include <cstdint>

#include "engine/base/object_pool.hpp"
#include "engine/ring/buffer_pool.hpp"
#include "engine/ring/output.hpp"
#include "engine/ring/ring.hpp"
#include "engine/transport/input_queue.hpp"

namespace ringhttp::engine {

/// send_ctx holds the iovecs of one sendmsg in flight.
struct send_ctx {
    static constexpr int max_iov = 64;
    msghdr msg{};
    iovec iov[max_iov];
};

/// transport_env is what a transport borrows from its ring: the ring, the
/// receive buffers, the output blocks and the sendmsg contexts.
struct transport_env {
    ring& uring;
    buffer_pool& buffers;
    out_pool& outs;
    object_pool<send_ctx>& send_ctxs;
};

/// transport is a connection's byte stream on the ring, below any protocol:
/// received bytes arrive by multishot recv into the ring's provided buffers
/// and are read in place from `in`; bytes to send are appended to `out` and
/// leave in one send (or one sendmsg over up to 64 blocks) at a time.
///
/// Today it is plain TCP. TLS is the next transport and keeps this face:
/// a `tls_session` (OpenSSL over a memory BIO) would take each ciphertext
/// buffer at received() and push the plaintext it decrypts into `in` from
/// buffers of its own, and at send() encrypt `out` into records of its own
/// before handing those to the ring. The protocol above reads `in` and
/// writes `out` and never learns which one it has.
struct transport {
    enum class recv_state : std::uint8_t { off, armed, cancelling };

    int fd = -1;
    input_queue in;
    out_chain out;
    recv_state recv = recv_state::off;
    bool send_inflight = false;
    bool send_cancelled = false;  // a cancel for the send in flight was submitted
    std::uint32_t inflight_bytes = 0;
    send_ctx* sctx = nullptr;     // iovecs of a multi-buffer send in flight

    /// arm_recv starts the multishot recv; its completions carry data.
    void arm_recv(transport_env& env, std::uint64_t data) {
        env.uring.recv_multishot(fd, env.buffers.group(), data);
        recv = recv_state::armed;
    }
    /// cancel_recv asks the kernel to end the recv submitted with data.
    void cancel_recv(transport_env& env, std::uint64_t data) {
        if (recv != recv_state::armed) return;
        env.uring.cancel(data);
        recv = recv_state::cancelling;
    }
    /// received takes a buffer a recv filled with len bytes.
    void received(transport_env& env, std::uint16_t bid, std::uint32_t len) noexcept {
        in.push(env.buffers, bid, len);
    }
    /// send submits what `out` holds (it must hold something; no send in
    /// flight). Once per response: inline for the usual one block.
    void send(transport_env& env, std::uint64_t data) {
        out_buf* b = out.head();
        if (b->next != nullptr) [[unlikely]] {
            send_blocks(env, data);
            return;
        }
        env.uring.send(fd, b->data + b->start, b->len - b->start, data);
        inflight_bytes = b->len - b->start;
        send_inflight = true;
    }
    /// sent takes a send's completion: false when it failed (the peer is
    /// gone and `out` is dropped); else the bytes sent are freed.
    bool sent(transport_env& env, int res) {
        send_inflight = false;
        if (sctx != nullptr) [[unlikely]] end_send_blocks(env);
        if (res < 0) [[unlikely]] {
            out.clear(env.outs);
            return false;
        }
        out.consume(env.outs, static_cast<std::size_t>(res));
        return true;
    }
    /// cancel_send asks the kernel to end the send in flight, once.
    void cancel_send(transport_env& env, std::uint64_t data) {
        if (!send_inflight || send_cancelled) return;
        env.uring.cancel(data);
        send_cancelled = true;
    }

private:
    void send_blocks(transport_env& env, std::uint64_t data);  // one sendmsg over up to 64 blocks
    void end_send_blocks(transport_env& env) noexcept;
};

}  // namespace ringhttp::engine
