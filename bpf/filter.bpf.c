/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * benchlab's stateless filter: the composition root. One body, two variants chosen by a define at
 * compile time (xdp-tools' habit), so the XDP and tc backends cannot drift apart:
 *   -DBL_VARIANT_XDP -> program bl_filter_xdp, SEC("xdp"), XDP_PASS / XDP_DROP
 *   -DBL_VARIANT_TC  -> program bl_filter_tc,  SEC("tc"),  TC_ACT_OK / TC_ACT_SHOT
 * SEC("tc") rather than "tcx/ingress": libbpf 1.1.2 does not know the tcx section names, and the
 * kernel attaches a sched_cls program through tcx or clsact alike (the loader picks at attach time).
 *
 * It runs on the ingress of the device under test's interface facing the client, so it sees only
 * client -> server traffic; replies never reach it (DESIGN.md: the policy is one-directional).
 */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>
#include "policy_maps.h"
#include "parse.h"
#include "policy.h"
#include "counters.h"

#if defined(BL_VARIANT_XDP)
#define BL_SECTION "xdp"
#define BL_PROGRAM bl_filter_xdp
#define BL_CTX struct xdp_md
#define BL_VERDICT_PASS XDP_PASS
#define BL_VERDICT_DROP XDP_DROP
#define BL_PACKET_BYTES(ctx) ((__u64)((ctx)->data_end - (ctx)->data))
#elif defined(BL_VARIANT_TC)
#define BL_SECTION "tc"
#define BL_PROGRAM bl_filter_tc
#define BL_CTX struct __sk_buff
#define BL_VERDICT_PASS TC_ACT_OK
#define BL_VERDICT_DROP TC_ACT_SHOT
#define BL_PACKET_BYTES(ctx) ((__u64)(ctx)->len)
#else
#error "define BL_VARIANT_XDP or BL_VARIANT_TC"
#endif

#if defined(BL_VARIANT_TC)
/* Ethernet + two VLAN tags + IPv4 with the longest options + TCP: every byte the parser may read. */
#define BL_HEADER_BYTES (14 + 2 * 4 + 60 + 20)

/*
 * Direct packet access in tc sees only the skb's linear part; a GRO'd or paged skb may hold its
 * headers in fragments, which would look truncated. Pull the headers into the linear part when (and
 * only when) they are not there, as cilium's revalidate_data_pull does. Packet pointers must be
 * reloaded afterwards: the helper invalidates them.
 */
static __always_inline void bl_linearize_headers(struct __sk_buff *skb)
{
	__u32 want = skb->len < BL_HEADER_BYTES ? skb->len : BL_HEADER_BYTES;

	if ((__u32)(skb->data_end - skb->data) < want)
		bpf_skb_pull_data(skb, want);
}
#else
static __always_inline void bl_linearize_headers(struct xdp_md *ctx) { (void)ctx; }
#endif

SEC(BL_SECTION)
int BL_PROGRAM(BL_CTX *ctx)
{
	struct bl_packet pkt;
	enum bl_counter_index verdict;
	void *data, *data_end;
	int rc;

	bl_linearize_headers(ctx);
	data = (void *)(long)ctx->data;
	data_end = (void *)(long)ctx->data_end;

	rc = bl_parse_packet(data, data_end, &pkt);
	if (rc == BL_PARSE_NOT_IPV4) {
		bl_count(BL_COUNT_PASS_NOT_IPV4, BL_PACKET_BYTES(ctx));
		return BL_VERDICT_PASS;
	}
	if (rc < 0) {
		bl_count(BL_COUNT_PASS_MALFORMED, BL_PACKET_BYTES(ctx));
		return BL_VERDICT_PASS;
	}

	verdict = bl_policy_decide(&pkt);
	bl_count(verdict, BL_PACKET_BYTES(ctx));
	if (verdict == BL_COUNT_DENY_RULE || verdict == BL_COUNT_DENY_DEFAULT)
		return BL_VERDICT_DROP;
	return BL_VERDICT_PASS;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
