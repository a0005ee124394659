// floor_server: the least an io_uring HTTP responder can do, as a floor for
// the benchmarks. One ring, multishot accept, multishot recv into provided
// buffers; per received batch it counts the request heads that ended in it
// (each "\r\n\r\n") and sends that many copies of a canned response in one
// send. No parsing, no routing, no Date. Not a server: a measuring stick.
//
// Usage: floor_server PORT [--fixed]
// --fixed registers each connection's socket in the ring's fixed-file table
// and sends and receives through it (IOSQE_FIXED_FILE): the experiment that
// says whether fixed files pay here (bench/RESULTS.md).
#include <arpa/inet.h>
#include <liburing.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace {

constexpr unsigned buffers = 1024;
constexpr unsigned buffer_size = 16384;
constexpr std::uint64_t op_accept = 1ull << 62;
constexpr std::uint64_t op_send = 1ull << 61;
const char canned[] = "HTTP/1.1 200 OK\r\nContent-Length: 13\r\nContent-Type: text/plain\r\n\r\nHello world!\n";
constexpr std::size_t canned_len = sizeof canned - 1;

struct conn {
    unsigned tail = 0;          // how many bytes of "\r\n\r\n" the last batch ended with
    bool sending = false;
    unsigned owed = 0;          // responses counted while a send was in flight
    std::string out;            // the send in flight
};

}  // namespace

int main(int argc, char** argv) {
    const bool fixed = argc == 3 && std::strcmp(argv[2], "--fixed") == 0;
    if (argc != 2 && !fixed) {
        std::fprintf(stderr, "usage: %s PORT [--fixed]\n", argv[0]);
        return 2;
    }
    int lfd = ::socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    ::setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    ::setsockopt(lfd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<std::uint16_t>(std::atoi(argv[1])));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::bind(lfd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || ::listen(lfd, 4096) != 0) {
        std::perror("listen");
        return 1;
    }
    io_uring ring;
    io_uring_params p{};
    p.flags = IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN | IORING_SETUP_CQSIZE;
    p.cq_entries = 16384;
    if (io_uring_queue_init_params(1024, &ring, &p) < 0) return 1;
    auto* br = static_cast<io_uring_buf_ring*>(::mmap(nullptr, sizeof(io_uring_buf) * buffers, PROT_READ | PROT_WRITE,
                                                        MAP_ANONYMOUS | MAP_PRIVATE, -1, 0));
    io_uring_buf_reg reg{};
    reg.ring_addr = reinterpret_cast<std::uintptr_t>(br);
    reg.ring_entries = buffers;
    reg.bgid = 0;
    if (io_uring_register_buf_ring(&ring, &reg, 0) < 0) return 1;
    std::vector<char> memory(std::size_t{buffers} * buffer_size);
    io_uring_buf_ring_init(br);
    for (unsigned i = 0; i < buffers; ++i)
        io_uring_buf_ring_add(br, memory.data() + std::size_t{i} * buffer_size, buffer_size, static_cast<unsigned short>(i),
                              io_uring_buf_ring_mask(buffers), static_cast<int>(i));
    io_uring_buf_ring_advance(br, buffers);

    std::vector<conn> conns(65536);
    // With --fixed, a socket's slot in the fixed-file table is its fd number.
    // The table's size counts against RLIMIT_NOFILE.
    if (fixed && io_uring_register_files_sparse(&ring, 16384) < 0) {
        std::fprintf(stderr, "floor_server: cannot register a fixed-file table\n");
        return 1;
    }
    const unsigned char fixed_flag = fixed ? IOSQE_FIXED_FILE : 0;
    auto arm_accept = [&] {
        io_uring_sqe* sqe = io_uring_get_sqe(&ring);
        io_uring_prep_multishot_accept(sqe, lfd, nullptr, nullptr, 0);
        io_uring_sqe_set_data64(sqe, op_accept);
    };
    auto arm_recv = [&](int fd) {
        io_uring_sqe* sqe = io_uring_get_sqe(&ring);
        io_uring_prep_recv_multishot(sqe, fd, nullptr, 0, 0);
        sqe->flags |= IOSQE_BUFFER_SELECT | fixed_flag;
        sqe->buf_group = 0;
        io_uring_sqe_set_data64(sqe, static_cast<std::uint64_t>(fd));
    };
    auto send_owed = [&](int fd) {
        conn& c = conns[static_cast<std::size_t>(fd)];
        if (c.sending || c.owed == 0) return;
        c.out.clear();
        for (unsigned i = 0; i < c.owed; ++i) c.out.append(canned, canned_len);
        c.owed = 0;
        c.sending = true;
        io_uring_sqe* sqe = io_uring_get_sqe(&ring);
        io_uring_prep_send(sqe, fd, c.out.data(), c.out.size(), MSG_NOSIGNAL);
        sqe->flags |= fixed_flag;
        io_uring_sqe_set_data64(sqe, op_send | static_cast<std::uint64_t>(fd));
    };
    arm_accept();
    for (;;) {
        io_uring_submit_and_wait(&ring, 1);
        unsigned head, seen = 0;
        io_uring_cqe* cqe;
        io_uring_for_each_cqe(&ring, head, cqe) {
            ++seen;
            const std::uint64_t d = cqe->user_data;
            if (d == op_accept) {
                if (cqe->res >= 0) {
                    conns[static_cast<std::size_t>(cqe->res)] = conn{};
                    if (fixed) io_uring_register_files_update(&ring, static_cast<unsigned>(cqe->res), &cqe->res, 1);
                    arm_recv(cqe->res);
                }
                if (!(cqe->flags & IORING_CQE_F_MORE)) arm_accept();
                continue;
            }
            if (d & op_send) {
                const int fd = static_cast<int>(d & 0xffffffff);
                conns[static_cast<std::size_t>(fd)].sending = false;
                send_owed(fd);
                continue;
            }
            const int fd = static_cast<int>(d);
            if (cqe->res <= 0) {
                if (cqe->res != -ENOBUFS) {
                    if (fixed) {
                        int none = -1;
                        io_uring_register_files_update(&ring, static_cast<unsigned>(fd), &none, 1);
                    }
                    ::close(fd);
                    continue;
                }
                arm_recv(fd);
                continue;
            }
            const unsigned bid = cqe->flags >> IORING_CQE_BUFFER_SHIFT;
            const char* data = memory.data() + std::size_t{bid} * buffer_size;
            conn& c = conns[static_cast<std::size_t>(fd)];
            // Count "\r\n\r\n" with a matcher that carries across batches.
            static constexpr char term[] = "\r\n\r\n";
            for (int i = 0; i < cqe->res; ++i) {
                if (data[i] == term[c.tail]) {
                    if (++c.tail == 4) {
                        ++c.owed;
                        c.tail = 0;
                    }
                } else {
                    c.tail = data[i] == '\r' ? 1 : 0;
                }
            }
            io_uring_buf_ring_add(br, const_cast<char*>(data), buffer_size, static_cast<unsigned short>(bid),
                                  io_uring_buf_ring_mask(buffers), 0);
            io_uring_buf_ring_advance(br, 1);
            send_owed(fd);
            if (!(cqe->flags & IORING_CQE_F_MORE)) arm_recv(fd);
        }
        io_uring_cq_advance(&ring, seen);
    }
}
