/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
// benchlab: variants xdp tc
/*
 * benchlab's stateful filter: the lab's connection tracker (bpf/lib/conntrack.h) in front of the
 * stateless policy (bpf/lib/policy.h). Programs bl_ct_filter_xdp and bl_ct_filter_tc.
 *
 * It runs on the ingress of *both* interfaces of a forwarding filter point and tells the sides
 * apart by the interface the packet arrived on (bl_ct_client_ifindex, a load-time constant; every
 * other interface is the server side, since the program is attached to these two only):
 *  - client side: a packet of a live flow passes; a new flow (for TCP only a SYN opens one) is
 *    decided by the policy and, when allowed, entered; TCP that neither opens nor continues a flow
 *    is invalid and dropped (nf_conntrack with nf_conntrack_tcp_loose=0 agrees).
 *  - server side: a packet passes only as a reply of a live flow; anything else is unsolicited.
 * Packets that are not IPv4, or malformed, pass as in the stateless filter (left to the kernel).
 * Client-side IPv4 that has no flow (other protocols, non-first fragments, ICMP other than echo) is
 * decided by the policy alone; from the server side it is unsolicited.
 */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>
#include "variant.h"
#include "policy_maps.h"
#include "parse.h"
#include "policy.h"
#include "conntrack.h"
#include "linearize.h"
#include "counters.h"

/* The policy's decisions (new client flows, untracked client packets), as in the stateless filter;
 * the tracker's own counters are bl_ct_counters. */
BL_COUNTER_ARRAY(bl_counters, BL_COUNT_MAX);

/* The policy's verdict on pkt, counted; 1 when it drops. */
static __always_inline int bl_ct_policy_drops(const struct bl_packet *pkt, __u64 bytes)
{
	enum bl_counter_index verdict = bl_policy_decide(pkt);

	bl_counter_add(&bl_counters, verdict, bytes);
	return verdict == BL_COUNT_DENY_RULE || verdict == BL_COUNT_DENY_DEFAULT;
}

/* The client-facing interface (FilterPoint.ingressInterface) in the filter's namespace. */
const volatile __u32 bl_ct_client_ifindex = 0;

static __always_inline int bl_ct_from_client(const struct bl_packet *pkt, void *table, __u64 now, __u64 bytes)
{
	struct bl_ct_entry *entry;
	struct bl_ct_key key;
	int found;

	if (bl_ct_key_of(pkt, 0, &key) < 0)
		return bl_ct_policy_drops(pkt, bytes) ? BL_VERDICT_DROP : BL_VERDICT_PASS;
	found = bl_ct_lookup(table, &key, now, &entry);
	if (found == BL_CT_LIVE) {
		bl_ct_refresh(entry, pkt, 0, now);
		return BL_VERDICT_PASS;
	}
	if (!bl_ct_opens(pkt)) {
		bl_ct_count(BL_CT_INVALID);
		return BL_VERDICT_DROP;
	}
	if (bl_ct_policy_drops(pkt, bytes)) {
		bl_ct_count(BL_CT_NEW_DENIED);
		return BL_VERDICT_DROP;
	}
	if (bl_ct_create(table, &key, found == BL_CT_EXPIRED ? entry : NULL, pkt, now))
		return BL_VERDICT_DROP;
	return BL_VERDICT_PASS;
}

static __always_inline int bl_ct_from_server(const struct bl_packet *pkt, void *table, __u64 now)
{
	struct bl_ct_entry *entry;
	struct bl_ct_key key;

	if (bl_ct_key_of(pkt, 1, &key) < 0 || bl_ct_lookup(table, &key, now, &entry) != BL_CT_LIVE) {
		bl_ct_count(BL_CT_UNSOLICITED);
		return BL_VERDICT_DROP;
	}
	bl_ct_refresh(entry, pkt, 1, now);
	return BL_VERDICT_PASS;
}

SEC(BL_SECTION)
int BL_PROGRAM_NAME(bl_ct_filter)(BL_CTX *ctx)
{
	struct bl_packet pkt;
	void *data, *data_end;
	void *table;
	__u64 now;

	bl_linearize_headers(ctx);
	data = (void *)(long)ctx->data;
	data_end = (void *)(long)ctx->data_end;

	if (bl_parse_packet(data, data_end, &pkt) < 0) {
		bl_ct_count(BL_CT_PASS_OTHER);
		return BL_VERDICT_PASS;
	}
	table = bl_ct_table();
	if (!table)
		return BL_VERDICT_DROP; /* a stateful filter without its table cannot tell a reply */
	now = bpf_ktime_get_coarse_ns(); /* why coarse: bpf/include/conntrack_maps.h */
	if (BL_INGRESS_IFINDEX(ctx) == bl_ct_client_ifindex)
		return bl_ct_from_client(&pkt, table, now, BL_PACKET_BYTES(ctx));
	return bl_ct_from_server(&pkt, table, now);
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
