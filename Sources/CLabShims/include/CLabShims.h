// Thin C shims for the few glibc calls Swift's Glibc module does not expose without _GNU_SOURCE.
// Each returns what the libc call returns (-1 and errno on failure); Swift checks them through
// LabSystem's systemCall chokepoint.
#ifndef CLABSHIMS_H
#define CLABSHIMS_H

#include <stdint.h>

/// setns(2) into a network namespace.
int lab_setns_net(int fd);

/// CLONE_NEWNET, for callers that need the constant.
int lab_clone_newnet(void);

/// recvmmsg(2) of up to `count` datagrams into a scratch buffer, non-blocking; returns messages received.
int lab_recvmmsg_discard(int fd, unsigned int count);

/// Enables IP_PKTINFO on a UDP socket so `lab_udp_echo_from_destination` can see where datagrams were sent.
int lab_enable_pktinfo(int fd);

/// Receives one datagram (non-blocking) and echoes it back *from the address it was sent to*. A socket
/// bound to 0.0.0.0 would otherwise answer from the route's preferred source, which a client talking
/// to another local address (an AnyIP range) rejects. Returns bytes echoed, or -1 with errno.
int lab_udp_echo_from_destination(int fd);

/// An AF_PACKET socket for sending only (protocol 0: it receives nothing), bound to interface
/// `ifindex`, with PACKET_QDISC_BYPASS so frames go straight to the driver. Returns the fd.
int lab_packet_tx_socket(int ifindex);

/// sendmmsg(2) of `count` (at most 64) whole frames taken in turn from a cycle of `frame_count`
/// frames of `frame_length` bytes stored back to back, starting at index `first` and wrapping
/// around. Returns the number of frames sent.
int lab_sendmmsg_frames(int fd, const void *frames, unsigned int frame_length, unsigned int frame_count,
                        unsigned int first, unsigned int count);

/// Pins the calling thread (and the children it starts) to CPU `cpu`.
int lab_pin_to_cpu(int cpu);

/// Lets the calling thread run on every CPU it may use now except `cpu`; fails with EINVAL if that
/// would leave none.
int lab_avoid_cpu(int cpu);

/// Pins task `pid` (a NAPI kthread) to CPU `cpu`, or lets it run on every online CPU when cpu < 0.
int lab_set_task_cpu(int pid, int cpu);

/// Datagrams the socket dropped for want of receive buffer space (SO_MEMINFO, SK_MEMINFO_DROPS).
long long lab_socket_drops(int fd);

// AF_XDP transmit in copy mode (xsk_tx.c): the flood's frame cycle in a UMEM, one chunk per frame.
enum { LAB_XSK_CHUNK = 2048, LAB_XSK_RING = 2048 };

/// Stream positions of an AF_XDP sender. Frame k of the stream is frame k mod frame_count of the cycle.
/// `posted` frames were put on the TX ring; the kernel took the first `consumed` of them, in order; of
/// those, `refused` were refused by the device (full backlog: sendto said EBUSY) and never sent, and
/// `refused_denied` of the refused were marked denied. Sent = consumed − refused.
struct lab_xsk_counts {
    uint64_t posted;
    uint64_t consumed;
    uint64_t refused;
    uint64_t refused_denied;
};

struct lab_xsk;

/// Accounts for one kick (sendto) of the TX ring. The kernel publishes its TX consumer index lazily:
/// after a kick that sent a frame it covers every descriptor taken, but a kick whose first descriptor
/// the device refused (sendto: EBUSY, a full backlog; the descriptor is taken, never sent) publishes
/// nothing. So `consumed` follows the published index when it is ahead, else one more per refusal;
/// `published` is the ring's consumer index read after the kick, `refused_one` whether it said EBUSY.
void lab_xsk_account(struct lab_xsk_counts *counts, uint32_t published, int refused_one, const uint8_t *denied,
                     unsigned frame_count);

/// Opens an AF_XDP socket bound in copy mode to queue 0 of `ifindex` (TX only), its UMEM holding the
/// `frame_count` frames of `frame_length` bytes stored back to back at `frames`. 0 and *out set, or -1
/// with errno (EBUSY retried for 2 s).
int lab_xsk_open(int ifindex, const void *frames, unsigned frame_length, unsigned frame_count, struct lab_xsk **out);

/// Puts up to `count` next frames of the stream on the TX ring (as many as it has room for) and kicks
/// the kernel once; waits up to 1 ms for room when there was none. `denied[i]` marks frame i of the
/// cycle (may be NULL). Returns frames posted, or -1 with errno.
int lab_xsk_send(struct lab_xsk *x, unsigned count, const uint8_t *denied);

/// Kicks until the kernel has taken every posted frame or `milliseconds` have passed.
int lab_xsk_flush(struct lab_xsk *x, const uint8_t *denied, int milliseconds);

struct lab_xsk_counts lab_xsk_counts(const struct lab_xsk *x);

/// Closes the socket and frees the UMEM; NULL is fine.
void lab_xsk_close(struct lab_xsk *x);

// The socket's send buffer: the skbs the kernel keeps in flight for it. Small (the default), a full
// receive queue holds the sender back; large, the sender keeps its pace and the queue refuses frames.
int lab_xsk_set_send_buffer(struct lab_xsk *x, int bytes);

#endif
