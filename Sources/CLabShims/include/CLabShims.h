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

#endif
