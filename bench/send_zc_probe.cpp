// send_zc_probe: does IORING_OP_SEND_ZC beat IORING_OP_SEND for large
// response bodies on this machine? The issue asks to try send_zc for large
// bodies and keep it only if it wins; this measures the question before the
// engine grows a second send path.
//
// A sender thread with its own ring streams `total` bytes over a TCP
// connection in `chunk`-sized sends, `depth` of them in flight (each from its
// own buffer, reused only once the kernel is done with it: for SEND_ZC that is
// the notification CQE, not the send's). A reader thread drains the other
// end. Per mode it reports throughput and the sender thread's CPU time per
// MiB (RUSAGE_THREAD), best of `reps`.
//
// Usage: send_zc_probe [--host 127.0.0.1] [--total-mib 2048] [--reps 3]
//        (the reader connects over loopback unless --host names another address
//        the sender can listen on and the reader reach)
#include <arpa/inet.h>
#include <liburing.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

namespace {

double thread_cpu_seconds() {
    rusage u{};
    getrusage(RUSAGE_THREAD, &u);
    return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
           static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

struct result {
    double seconds;
    double cpu_seconds;
};

// Streams total bytes on fd; zero_copy picks SEND_ZC.
result stream(int fd, std::size_t total, std::size_t chunk, unsigned depth, bool zero_copy) {
    io_uring ring;
    if (int rc = io_uring_queue_init(2 * depth + 8, &ring, 0); rc < 0) {
        std::fprintf(stderr, "io_uring_queue_init: %s\n", std::strerror(-rc));
        std::exit(1);
    }
    std::vector<std::vector<char>> buffers(depth, std::vector<char>(chunk, 'x'));
    // Per buffer: a send in flight, and (SEND_ZC) a notification to come.
    std::vector<bool> sending(depth, false), notif_pending(depth, false);
    std::size_t queued = 0, done = 0;
    const double cpu0 = thread_cpu_seconds();
    const auto t0 = std::chrono::steady_clock::now();
    auto submit = [&](unsigned b) {
        io_uring_sqe* sqe = io_uring_get_sqe(&ring);
        const std::size_t n = std::min(chunk, total - queued);
        if (zero_copy)
            io_uring_prep_send_zc(sqe, fd, buffers[b].data(), n, MSG_WAITALL, 0);
        else
            io_uring_prep_send(sqe, fd, buffers[b].data(), n, MSG_WAITALL);
        io_uring_sqe_set_data64(sqe, b);
        sending[b] = true;
        notif_pending[b] = zero_copy;
        queued += n;
    };
    for (unsigned b = 0; b < depth && queued < total; ++b) submit(b);
    while (done < total || std::find(notif_pending.begin(), notif_pending.end(), true) != notif_pending.end()) {
        io_uring_submit_and_wait(&ring, 1);
        io_uring_cqe* cqe;
        unsigned head, seen = 0;
        io_uring_for_each_cqe(&ring, head, cqe) {
            ++seen;
            const unsigned b = static_cast<unsigned>(cqe->user_data);
            if (cqe->flags & IORING_CQE_F_NOTIF) {
                notif_pending[b] = false;
            } else {
                if (cqe->res < 0) {
                    std::fprintf(stderr, "send: %s\n", std::strerror(-cqe->res));
                    std::exit(1);
                }
                done += static_cast<std::size_t>(cqe->res);
                sending[b] = false;
                // SEND_ZC: IORING_CQE_F_MORE says a notification follows.
                if (!(cqe->flags & IORING_CQE_F_MORE)) notif_pending[b] = false;
            }
        }
        io_uring_cq_advance(&ring, seen);
        for (unsigned b = 0; b < depth && queued < total; ++b)
            if (!sending[b] && !notif_pending[b]) submit(b);
    }
    const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    const double cpu = thread_cpu_seconds() - cpu0;
    io_uring_queue_exit(&ring);
    return {secs, cpu};
}

int listener(const char* host, std::uint16_t& port) {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    ::inet_pton(AF_INET, host, &a.sin_addr);
    if (::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || ::listen(fd, 4) != 0) {
        std::perror("bind/listen");
        std::exit(1);
    }
    socklen_t len = sizeof a;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
    port = ntohs(a.sin_port);
    return fd;
}

result one_run(const char* host, std::size_t total, std::size_t chunk, unsigned depth, bool zero_copy) {
    std::uint16_t port = 0;
    int lfd = listener(host, port);
    std::thread reader([host, port, total] {
        cpu_set_t set;
        CPU_ZERO(&set);
        CPU_SET(1, &set);
        pthread_setaffinity_np(pthread_self(), sizeof set, &set);
        int fd = ::socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_port = htons(port);
        ::inet_pton(AF_INET, host, &a.sin_addr);
        if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
            std::perror("connect");
            std::exit(1);
        }
        static char buf[1 << 20];
        std::size_t got = 0;
        while (got < total) {
            ssize_t n = ::recv(fd, buf, sizeof buf, 0);
            if (n <= 0) break;
            got += static_cast<std::size_t>(n);
        }
        ::close(fd);
    });
    int fd = ::accept(lfd, nullptr, nullptr);
    int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (zero_copy) ::setsockopt(fd, SOL_SOCKET, SO_ZEROCOPY, &one, sizeof one);
    const result r = stream(fd, total, chunk, depth, zero_copy);
    ::shutdown(fd, SHUT_WR);
    reader.join();
    ::close(fd);
    ::close(lfd);
    return r;
}

}  // namespace

int main(int argc, char** argv) {
    const char* host = "127.0.0.1";
    std::size_t total_mib = 2048;
    int reps = 3;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (std::strcmp(argv[i], "--host") == 0) host = argv[i + 1];
        else if (std::strcmp(argv[i], "--total-mib") == 0) total_mib = std::strtoul(argv[i + 1], nullptr, 10);
        else if (std::strcmp(argv[i], "--reps") == 0) reps = std::atoi(argv[i + 1]);
    }
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(0, &set);
    pthread_setaffinity_np(pthread_self(), sizeof set, &set);
    const std::size_t total = total_mib << 20;
    std::printf("%-8s %9s %6s %10s %14s\n", "mode", "chunk", "depth", "MiB/s", "sender CPU/MiB");
    for (std::size_t chunk : {16u << 10, 64u << 10, 256u << 10, 1u << 20}) {
        for (bool zc : {false, true}) {
            result best{1e9, 1e9};
            for (int r = 0; r < reps; ++r) {
                const result x = one_run(host, total, chunk, 4, zc);
                if (x.seconds < best.seconds) best.seconds = x.seconds;
                if (x.cpu_seconds < best.cpu_seconds) best.cpu_seconds = x.cpu_seconds;
            }
            std::printf("%-8s %8zuK %6u %10.0f %11.1f us\n", zc ? "send_zc" : "send", chunk >> 10, 4u,
                        static_cast<double>(total_mib) / best.seconds,
                        best.cpu_seconds * 1e6 / static_cast<double>(total_mib));
        }
    }
}
