/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The hook a program is built for, chosen by a define at compile time (xdp-tools' habit): one body,
 * so the XDP and tc builds of a program cannot drift apart. BPFObjectPlugin passes
 * -DBL_VARIANT_<NAME> for each name listed on a program's "// benchlab: variants" line.
 *   BL_VARIANT_XDP -> SEC("xdp"), struct xdp_md,    XDP_PASS / XDP_DROP
 *   BL_VARIANT_TC  -> SEC("tc"),  struct __sk_buff, TC_ACT_OK / TC_ACT_SHOT
 * SEC("tc") rather than "tcx/ingress": libbpf 1.1.2 does not know the tcx section names, and the
 * kernel attaches a sched_cls program through tcx or clsact alike (the loader picks at attach time).
 * BL_INGRESS_IFINDEX(ctx) is the interface the packet arrived on.
 * BL_PROGRAM_NAME(bl_filter) names the program bl_filter_xdp or bl_filter_tc.
 */
#ifndef BENCHLAB_VARIANT_H
#define BENCHLAB_VARIANT_H

#include <linux/bpf.h>
#include <linux/pkt_cls.h>

#if defined(BL_VARIANT_XDP)
#define BL_SECTION "xdp"
#define BL_PROGRAM_NAME(base) base##_xdp
#define BL_CTX struct xdp_md
#define BL_VERDICT_PASS XDP_PASS
#define BL_VERDICT_DROP XDP_DROP
#define BL_PACKET_BYTES(ctx) ((__u64)((ctx)->data_end - (ctx)->data))
#define BL_INGRESS_IFINDEX(ctx) ((ctx)->ingress_ifindex)
#elif defined(BL_VARIANT_TC)
#define BL_SECTION "tc"
#define BL_PROGRAM_NAME(base) base##_tc
#define BL_CTX struct __sk_buff
#define BL_VERDICT_PASS TC_ACT_OK
#define BL_VERDICT_DROP TC_ACT_SHOT
#define BL_PACKET_BYTES(ctx) ((__u64)(ctx)->len)
/* At tc ingress skb->dev is the device the packet arrived on. */
#define BL_INGRESS_IFINDEX(ctx) ((ctx)->ifindex)
#else
#error "define BL_VARIANT_XDP or BL_VARIANT_TC"
#endif

#endif /* BENCHLAB_VARIANT_H */
