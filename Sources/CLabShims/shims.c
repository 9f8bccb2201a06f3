#define _GNU_SOURCE
#include <sched.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <netinet/in.h>
#include "CLabShims.h"

int lab_setns_net(int fd) { return setns(fd, CLONE_NEWNET); }

int lab_clone_newnet(void) { return CLONE_NEWNET; }

enum { LAB_BATCH = 64, LAB_SCRATCH = 2048 };

int lab_sendmmsg_same(int fd, const void *payload, unsigned int length, unsigned int count) {
    struct mmsghdr messages[LAB_BATCH];
    struct iovec iov = { .iov_base = (void *)payload, .iov_len = length };
    if (count > LAB_BATCH) count = LAB_BATCH;
    memset(messages, 0, sizeof(messages));
    for (unsigned int i = 0; i < count; i++) {
        messages[i].msg_hdr.msg_iov = &iov;
        messages[i].msg_hdr.msg_iovlen = 1;
    }
    return sendmmsg(fd, messages, count, 0);
}

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
