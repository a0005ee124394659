// A transport's sendmsg over several output blocks (one block goes as a send, inline).
#include "engine/transport/transport.hpp"

namespace ringhttp::engine {

void transport::send_blocks(transport_env& env, std::uint64_t data) {
    send_ctx* ctx = env.send_ctxs.take();
    int n = 0;
    std::uint32_t total = 0;
    for (out_buf* b = out.head(); b != nullptr && n < send_ctx::max_iov; b = b->next, ++n) {
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
    send_inflight = true;
}

void transport::end_send_blocks(transport_env& env) noexcept {
    env.send_ctxs.give_back(sctx);
    sctx = nullptr;
}

}  // namespace ringhttp::engine
