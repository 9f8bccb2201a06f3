#define _GNU_SOURCE
#include <sched.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
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
