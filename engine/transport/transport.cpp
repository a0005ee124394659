// A transport's sends: one block as a send, several as one sendmsg.
#include "engine/transport/transport.hpp"

namespace ringhttp::engine {

void transport::send(transport_env& env, std::uint64_t data) {
    out_buf* b = out.head();
    if (b->next == nullptr) {
        env.uring.send(fd, b->data + b->start, b->len - b->start, data);
        inflight_bytes = b->len - b->start;
    } else {
        send_ctx* ctx = env.send_ctxs.take();
        int n = 0;
        std::uint32_t total = 0;
        for (; b != nullptr && n < send_ctx::max_iov; b = b->next, ++n) {
            ctx->iov[n].iov_base = b->data + b->start;
            ctx->iov[n].iov_len = b->len - b->start;
            total += b->len - b->start;
        }
        ctx->msg = msghdr{};
        ctx->msg.msg_iov = ctx->iov;
        ctx->msg.msg_iovlen = static_cast<std::size_t>(n);
        env.uring.sendmsg(fd, &ctx->msg, data);
        sctx = ctx;
        inflight_bytes = total;
    }
    send_inflight = true;
}

bool transport::sent(transport_env& env, int res) {
    send_inflight = false;
    if (sctx != nullptr) {
        env.send_ctxs.give_back(sctx);
        sctx = nullptr;
    }
    if (res < 0) {
        out.clear(env.outs);
        return false;
    }
    out.consume(env.outs, static_cast<std::size_t>(res));
    return true;
}

}  // namespace ringhttp::engine
