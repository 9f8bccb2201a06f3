/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
// benchlab: variants tc
/*
 * benchlab's SNAT for an egress gateway (bpf/lib/nat.h): two tc programs on the gateway's external
 * interface. bl_snat_egress (tc egress) translates every pod packet leaving there to the egress
 * address and a port of the range, or drops it: nothing a pod sends leaves untranslated.
 * bl_snat_ingress (tc ingress) translates replies to the egress address back to their pod.
 *
 * Left to the kernel: non-IPv4 (ARP must work) and malformed packets, and at egress the gateway's own
 * packets (source = the egress address: already the address a capture expects). At ingress, packets
 * to the egress address that belong to no live mapping go to the gateway's stack (counted as reverse
 * misses); ICMP errors about a translated flow are not translated back (see README, "tc-snat").
 */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>
#include "variant.h"
#include "parse.h"
#include "nat.h"
#include "linearize.h"

static __always_inline int bl_snat_dropped(int rc)
{
	switch (rc) {
	case BL_NAT_DROP_UNSELECTED:
		bl_nat_count(&bl_nat_counters, BL_NAT_DROPPED_UNSELECTED);
		break;
	case BL_NAT_DROP_UNTRANSLATABLE:
		bl_nat_count(&bl_nat_counters, BL_NAT_UNTRANSLATABLE);
		break;
	case BL_NAT_DROP_TCP_INVALID:
		bl_nat_count(&bl_nat_counters, BL_NAT_TCP_INVALID);
		break;
	case BL_NAT_DROP_NO_PORT:
		bl_nat_count(&bl_nat_counters, BL_NAT_ALLOCATION_FAILED);
		break;
	case BL_NAT_DROP_TABLE_FULL:
		bl_nat_count(&bl_nat_counters, BL_NAT_TABLE_FULL);
		break;
	default:
		bl_nat_count(&bl_nat_counters, BL_NAT_REWRITE_FAILED);
		break;
	}
	return TC_ACT_SHOT;
}

/* Both directions start alike: what is not IPv4 the lab can parse passes, counted. */
static __always_inline int bl_snat_parse(struct __sk_buff *skb, struct bl_packet *pkt)
{
	bl_linearize_headers(skb);
	if (bl_parse_packet((void *)(long)skb->data, (void *)(long)skb->data_end, pkt) < 0) {
		bl_nat_count(&bl_nat_counters, BL_NAT_PASSED_OTHER);
		return -1;
	}
	return 0;
}

SEC("tc")
int bl_snat_egress(struct __sk_buff *skb)
{
	struct bl_packet pkt;
	int rc;

	if (bl_snat_parse(skb, &pkt) < 0)
		return TC_ACT_OK;
	if (pkt.saddr == bl_nat_egress_addr) {
		bl_nat_count(&bl_nat_counters, BL_NAT_PASSED_LOCAL);
		return TC_ACT_OK;
	}
	rc = bl_nat_egress(skb, &pkt, bpf_ktime_get_coarse_ns()); /* why coarse: bpf/include/conntrack_maps.h */
	if (rc)
		return bl_snat_dropped(rc);
	bl_nat_count(&bl_nat_counters, BL_NAT_PACKETS_TRANSLATED);
	return TC_ACT_OK;
}

SEC("tc")
int bl_snat_ingress(struct __sk_buff *skb)
{
	struct bl_packet pkt;
	int rc;

	if (bl_snat_parse(skb, &pkt) < 0)
		return TC_ACT_OK;
	if (pkt.daddr != bl_nat_egress_addr)
		return TC_ACT_OK;
	rc = bl_nat_ingress(skb, &pkt, bpf_ktime_get_coarse_ns());
	if (rc < 0)
		return bl_snat_dropped(rc);
	bl_nat_count(&bl_nat_counters, rc ? BL_NAT_PACKETS_REVERSED : BL_NAT_REVERSE_MISSES);
	return TC_ACT_OK;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
