#define _GNU_SOURCE
#include <sched.h>
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <netinet/in.h>
#include <linux/if_packet.h>
#include <linux/sock_diag.h>
#include "CLabShims.h"

int lab_setns_net(int fd) { return setns(fd, CLONE_NEWNET); }

int lab_clone_newnet(void) { return CLONE_NEWNET; }

enum { LAB_BATCH = 64, LAB_SCRATCH = 2048 };

int lab_recvmmsg_discard(int fd, unsigned int count) {
    static __thread char scratch[LAB_BATCH][LAB_SCRATCH];
    struct mmsghdr messages[LAB_BATCH];
    struct iovec iov[LAB_BATCH];
    if (count > LAB_BATCH) count = LAB_BATCH;
    memset(messages, 0, sizeof(messages));
    for (unsigned int i = 0; i < count; i++) {
        iov[i].iov_base = scratch[i];
        iov[i].iov_len = LAB_SCRATCH;
        messages[i].msg_hdr.msg_iov = &iov[i];
        messages[i].msg_hdr.msg_iovlen = 1;
    }
    return recvmmsg(fd, messages, count, MSG_DONTWAIT, NULL);
}

int lab_enable_pktinfo(int fd) {
    int on = 1;
    return setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &on, sizeof(on));
}

int lab_udp_echo_from_destination(int fd) {
    char payload[LAB_SCRATCH];
    char control[CMSG_SPACE(sizeof(struct in_pktinfo))];
    struct sockaddr_in peer;
    struct iovec iov = { .iov_base = payload, .iov_len = sizeof(payload) };
    struct msghdr message = {
        .msg_name = &peer, .msg_namelen = sizeof(peer),
        .msg_iov = &iov, .msg_iovlen = 1,
        .msg_control = control, .msg_controllen = sizeof(control),
    };
    ssize_t n = recvmsg(fd, &message, MSG_DONTWAIT);
    if (n < 0) return -1;
    struct in_pktinfo reply_from = { 0 };
    for (struct cmsghdr *c = CMSG_FIRSTHDR(&message); c; c = CMSG_NXTHDR(&message, c)) {
        if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO) {
            struct in_pktinfo *info = (struct in_pktinfo *)CMSG_DATA(c);
            reply_from.ipi_spec_dst = info->ipi_addr;
        }
    }
    char reply_control[CMSG_SPACE(sizeof(struct in_pktinfo))];
    memset(reply_control, 0, sizeof(reply_control));
    iov.iov_len = (size_t)n;
    struct msghdr reply = {
        .msg_name = &peer, .msg_namelen = sizeof(peer),
        .msg_iov = &iov, .msg_iovlen = 1,
        .msg_control = reply_control, .msg_controllen = sizeof(reply_control),
    };
    struct cmsghdr *c = CMSG_FIRSTHDR(&reply);
    c->cmsg_level = IPPROTO_IP;
    c->cmsg_type = IP_PKTINFO;
    c->cmsg_len = CMSG_LEN(sizeof(struct in_pktinfo));
    memcpy(CMSG_DATA(c), &reply_from, sizeof(reply_from));
    return (int)sendmsg(fd, &reply, 0);
}

int lab_packet_tx_socket(int ifindex) {
    int fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
    if (fd < 0) return -1;
    int one = 1;
    struct sockaddr_ll address = { .sll_family = AF_PACKET, .sll_ifindex = ifindex };
    if (setsockopt(fd, SOL_PACKET, PACKET_QDISC_BYPASS, &one, sizeof(one)) < 0 ||
        bind(fd, (struct sockaddr *)&address, sizeof(address)) < 0) {
        int saved = errno;
        close(fd);
        errno = saved;
        return -1;
    }
    return fd;
}

int lab_sendmmsg_frames(int fd, const void *frames, unsigned int frame_length, unsigned int frame_count,
                        unsigned int first, unsigned int count) {
    struct mmsghdr messages[LAB_BATCH];
    struct iovec iov[LAB_BATCH];
    if (count > LAB_BATCH) count = LAB_BATCH;
    if (frame_count == 0) { errno = EINVAL; return -1; }
    memset(messages, 0, sizeof(messages));
    for (unsigned int i = 0; i < count; i++) {
        unsigned int index = (first + i) % frame_count;
        iov[i].iov_base = (char *)frames + (size_t)index * frame_length;
        iov[i].iov_len = frame_length;
        messages[i].msg_hdr.msg_iov = &iov[i];
        messages[i].msg_hdr.msg_iovlen = 1;
    }
    return sendmmsg(fd, messages, count, 0);
}

int lab_pin_to_cpu(int cpu) {
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    return sched_setaffinity(0, sizeof(set), &set);
}

int lab_avoid_cpu(int cpu) {
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof(set), &set) < 0) return -1;
    CPU_CLR(cpu, &set);
    if (CPU_COUNT(&set) == 0) { errno = EINVAL; return -1; }
    return sched_setaffinity(0, sizeof(set), &set);
}

/* Pins another task (a NAPI kthread) to one CPU, or with cpu < 0 lets it run on every online CPU. */
int lab_set_task_cpu(int pid, int cpu) {
    cpu_set_t set;
    CPU_ZERO(&set);
    if (cpu >= 0) {
        CPU_SET(cpu, &set);
    } else {
        long online = sysconf(_SC_NPROCESSORS_ONLN);
        for (long i = 0; i < online && i < CPU_SETSIZE; i++) CPU_SET(i, &set);
    }
    return sched_setaffinity(pid, sizeof(set), &set);
}

long long lab_socket_drops(int fd) {
    unsigned int info[SK_MEMINFO_VARS];
    socklen_t length = sizeof(info);
    memset(info, 0, sizeof(info));
    if (getsockopt(fd, SOL_SOCKET, SO_MEMINFO, info, &length) < 0) return -1;
    return info[SK_MEMINFO_DROPS];
}
