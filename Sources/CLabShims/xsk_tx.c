// AF_XDP transmit in copy mode for the packet-rate flood: a UMEM holding the flood's frame cycle, a
// TX ring and a completion ring, kicked with sendto(2). No libxdp: the rings are mmapped directly.
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <linux/if_xdp.h>
#include "CLabShims.h"

#ifndef AF_XDP
#define AF_XDP 44
#endif
#ifndef SOL_XDP
#define SOL_XDP 283
#endif

struct lab_xsk {
    int fd;
    unsigned frame_count;
    unsigned frame_length;
    unsigned chunk;
    void *umem;
    size_t umem_length;
    void *tx_map, *cq_map;
    size_t tx_map_length, cq_map_length;
    uint32_t *tx_producer, *tx_consumer, *cq_producer, *cq_consumer;
    struct xdp_desc *tx_descriptors;
    struct lab_xsk_counts counts;
};

static int fail(struct lab_xsk *x, int code) {
    lab_xsk_close(x);
    errno = code;
    return -1;
}

int lab_xsk_open(int ifindex, const void *frames, unsigned frame_length, unsigned frame_count,
                 struct lab_xsk **out) {
    *out = NULL;
    if (frame_count == 0 || frame_length == 0 || frame_length > LAB_XSK_CHUNK) { errno = EINVAL; return -1; }
    struct lab_xsk *x = calloc(1, sizeof(*x));
    if (!x) return -1;
    x->fd = -1;
    x->frame_count = frame_count;
    x->frame_length = frame_length;
    x->chunk = LAB_XSK_CHUNK;
    x->umem_length = (size_t)frame_count * x->chunk;
    x->umem = mmap(NULL, x->umem_length, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (x->umem == MAP_FAILED) { x->umem = NULL; return fail(x, errno); }
    // The frames never change: each sits in its own chunk, and a descriptor just names the chunk.
    for (unsigned i = 0; i < frame_count; i++)
        memcpy((char *)x->umem + (size_t)i * x->chunk, (const char *)frames + (size_t)i * frame_length, frame_length);
    x->fd = socket(AF_XDP, SOCK_RAW | SOCK_CLOEXEC, 0);
    if (x->fd < 0) return fail(x, errno);
    // The send buffer stays at its default on purpose: each copied skb is charged to it until the
    // receiver frees it, which is the back-pressure that keeps the flood from overrunning a receive
    // path on another CPU (measured: with 32 MiB, 100k+ packets per 2 s were lost inside the lab).
    struct xdp_umem_reg reg = { .addr = (uintptr_t)x->umem, .len = x->umem_length, .chunk_size = x->chunk };
    int ring = LAB_XSK_RING;
    if (setsockopt(x->fd, SOL_XDP, XDP_UMEM_REG, &reg, sizeof(reg)) < 0 ||
        setsockopt(x->fd, SOL_XDP, XDP_UMEM_FILL_RING, &ring, sizeof(ring)) < 0 ||
        setsockopt(x->fd, SOL_XDP, XDP_UMEM_COMPLETION_RING, &ring, sizeof(ring)) < 0 ||
        setsockopt(x->fd, SOL_XDP, XDP_TX_RING, &ring, sizeof(ring)) < 0)
        return fail(x, errno);
    struct xdp_mmap_offsets offsets;
    socklen_t length = sizeof(offsets);
    if (getsockopt(x->fd, SOL_XDP, XDP_MMAP_OFFSETS, &offsets, &length) < 0) return fail(x, errno);
    x->tx_map_length = offsets.tx.desc + LAB_XSK_RING * sizeof(struct xdp_desc);
    x->cq_map_length = offsets.cr.desc + LAB_XSK_RING * sizeof(uint64_t);
    x->tx_map = mmap(NULL, x->tx_map_length, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, x->fd, XDP_PGOFF_TX_RING);
    if (x->tx_map == MAP_FAILED) { x->tx_map = NULL; return fail(x, errno); }
    x->cq_map = mmap(NULL, x->cq_map_length, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, x->fd,
                     XDP_UMEM_PGOFF_COMPLETION_RING);
    if (x->cq_map == MAP_FAILED) { x->cq_map = NULL; return fail(x, errno); }
    x->tx_producer = (uint32_t *)((char *)x->tx_map + offsets.tx.producer);
    x->tx_consumer = (uint32_t *)((char *)x->tx_map + offsets.tx.consumer);
    x->tx_descriptors = (struct xdp_desc *)((char *)x->tx_map + offsets.tx.desc);
    x->cq_producer = (uint32_t *)((char *)x->cq_map + offsets.cr.producer);
    x->cq_consumer = (uint32_t *)((char *)x->cq_map + offsets.cr.consumer);
    struct sockaddr_xdp address = { .sxdp_family = AF_XDP, .sxdp_ifindex = (uint32_t)ifindex, .sxdp_queue_id = 0,
                                    .sxdp_flags = XDP_COPY };
    // A socket closed just before on the same queue is released after an RCU grace period: until then
    // bind says EBUSY. Retry for up to 2 s.
    for (int attempt = 0;; attempt++) {
        if (bind(x->fd, (struct sockaddr *)&address, sizeof(address)) == 0) break;
        if (errno != EBUSY || attempt >= 200) return fail(x, errno);
        usleep(10000);
    }
    *out = x;
    return 0;
}

/// Frees completion-ring slots: the frames are immutable, so a completion only returns room.
static void reap(struct lab_xsk *x) {
    uint32_t produced = __atomic_load_n(x->cq_producer, __ATOMIC_ACQUIRE);
    __atomic_store_n(x->cq_consumer, produced, __ATOMIC_RELEASE);
}

void lab_xsk_account(struct lab_xsk_counts *counts, uint32_t published, int refused_one, const uint8_t *denied,
                     unsigned frame_count) {
    int64_t ahead = (int32_t)(published - (uint32_t)counts->consumed);
    if (refused_one) {
        uint64_t refused;
        if (ahead > 0) {
            // The kick sent frames before the refusal and published through the refused one.
            counts->consumed += (uint64_t)ahead;
            refused = counts->consumed - 1;
        } else {
            // The first frame it took was refused: nothing published, the refused frame is the next.
            refused = counts->consumed;
            counts->consumed += 1;
        }
        counts->refused += 1;
        if (denied && denied[refused % frame_count]) counts->refused_denied += 1;
    } else if (ahead > 0) {
        counts->consumed += (uint64_t)ahead;
    }
}

static int kick(struct lab_xsk *x, const uint8_t *denied) {
    int rc = (int)sendto(x->fd, NULL, 0, MSG_DONTWAIT, NULL, 0);
    int code = rc < 0 ? errno : 0;
    lab_xsk_account(&x->counts, __atomic_load_n(x->tx_consumer, __ATOMIC_ACQUIRE), code == EBUSY, denied, x->frame_count);
    if (rc < 0 && code != EAGAIN && code != EBUSY && code != ENOBUFS && code != EINTR) { errno = code; return -1; }
    return 0;
}

int lab_xsk_send(struct lab_xsk *x, unsigned count, const uint8_t *denied) {
    reap(x);
    uint32_t producer = *x->tx_producer;
    uint32_t in_ring = producer - __atomic_load_n(x->tx_consumer, __ATOMIC_ACQUIRE);
    uint32_t room = LAB_XSK_RING - in_ring;
    unsigned n = count < room ? count : room;
    for (unsigned i = 0; i < n; i++) {
        struct xdp_desc *d = &x->tx_descriptors[(producer + i) & (LAB_XSK_RING - 1)];
        d->addr = (uint64_t)((x->counts.posted + i) % x->frame_count) * x->chunk;
        d->len = x->frame_length;
        d->options = 0;
    }
    __atomic_store_n(x->tx_producer, producer + n, __ATOMIC_RELEASE);
    x->counts.posted += n;
    // The kernel takes at most 32 descriptors per kick (its TX budget): kick until the ring is empty or
    // a kick takes nothing (send buffer or completion ring full, or a refusal), like one sendmmsg.
    for (int round = 0; round < 64 && x->counts.consumed < x->counts.posted; round++) {
        uint64_t before = x->counts.consumed;
        if (kick(x, denied) < 0) return -1;
        if (x->counts.consumed == before) break;
    }
    if (n == 0) {
        // Ring full (the send buffer is, too): sleep a little instead of spinning on sendto.
        struct pollfd p = { .fd = x->fd, .events = POLLOUT };
        (void)poll(&p, 1, 1);
    }
    return (int)n;
}

int lab_xsk_flush(struct lab_xsk *x, const uint8_t *denied, int milliseconds) {
    struct timespec start, now;
    clock_gettime(CLOCK_MONOTONIC, &start);
    while (x->counts.consumed < x->counts.posted) {
        reap(x);
        if (kick(x, denied) < 0) return -1;
        clock_gettime(CLOCK_MONOTONIC, &now);
        long elapsed = (now.tv_sec - start.tv_sec) * 1000 + (now.tv_nsec - start.tv_nsec) / 1000000;
        if (elapsed >= milliseconds) break;
        if (x->counts.consumed < x->counts.posted) {
            struct pollfd p = { .fd = x->fd, .events = POLLOUT };
            (void)poll(&p, 1, 1);
        }
    }
    return 0;
}

struct lab_xsk_counts lab_xsk_counts(const struct lab_xsk *x) { return x->counts; }

void lab_xsk_close(struct lab_xsk *x) {
    if (!x) return;
    int saved = errno;
    if (x->tx_map) munmap(x->tx_map, x->tx_map_length);
    if (x->cq_map) munmap(x->cq_map, x->cq_map_length);
    if (x->fd >= 0) close(x->fd);
    if (x->umem) munmap(x->umem, x->umem_length);
    free(x);
    errno = saved;
}

int lab_xsk_set_send_buffer(struct lab_xsk *x, int bytes) {
    // SO_SNDBUFFORCE passes net.core.wmem_max (root); SO_SNDBUF otherwise, as far as it allows.
    if (setsockopt(x->fd, SOL_SOCKET, SO_SNDBUFFORCE, &bytes, sizeof(bytes)) == 0) return 0;
    return setsockopt(x->fd, SOL_SOCKET, SO_SNDBUF, &bytes, sizeof(bytes));
}
