/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Policy lookup: which clause, if any, is the first to match a parsed packet.
 *
 * The maps hold clause bit sets computed in user space (LabBPF's BPFPolicyCompiler):
 *  - bl_src_prefixes / bl_dst_prefixes (LPM tries): the value of a prefix is the set of clauses whose
 *    source (destination) set covers that prefix: its own clauses plus those of every shorter prefix
 *    that contains it. The prefixes containing an address form a chain, so the longest match alone
 *    carries every clause whose set contains the address: one lookup, no walk.
 *  - bl_src_hosts / bl_dst_hosts (hashes): the /32 entries of the same sets, taken out of the tries.
 *    A /32 is the longest match there can be, so a hit ends the search; a miss falls through to the
 *    trie. Measured on 6.18 with one batch call each: 100k /32s fill a preallocated hash in ~40 ms
 *    and an LPM trie in 100-300 ms; a hash hit costs ~55 ns per packet flat where the trie walk
 *    grows to ~110 ns at 100k entries (BPF_PROG_TEST_RUN). Host lists are the common large policy.
 *  - bl_ports (array): slot (protocol, port) -> TCP/UDP clauses whose port range holds the port.
 *  - bl_masks (array, one entry per bank): clauses without a source/destination condition, per-protocol
 *    clauses without ports, protocol "any", and the deny set.
 * A packet matches the clauses in (source set) & (destination set) & (L4 set); the lowest bit is the
 * first match in policy order, and policy order is all that decides a first-match policy.
 *
 * Every map but bl_active exists twice, as bank 0 and bank 1 (bl_masks has one entry per bank). A
 * packet reads bl_active once and decides with that bank alone. An update writes the bank no packet
 * is using and then flips bl_active, one array write: every packet sees the old policy or the new
 * one, never a mix — the atomicity iptables-restore and nft -f give their users. (Inserting a rule
 * in front shifts every clause bit, so an in-place rewrite would let a packet meet new host entries
 * with old masks and get a verdict neither policy gives.)
 */
#ifndef BENCHLAB_POLICY_H
#define BENCHLAB_POLICY_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "policy_maps.h"
#include "parse.h"

/* Load-time knob (set in .rodata before load): the verdict when no clause matches. */
const volatile __u8 bl_default_deny = 0;

/* A bank has a trie and a host hash for the source and again for the destination: one definition per
 * kind keeps each pair identical. */
#define BL_PREFIX_TRIE(name)                                                  \
	struct {                                                              \
		__uint(type, BPF_MAP_TYPE_LPM_TRIE);                          \
		__uint(max_entries, BL_PREFIX_CAPACITY);                      \
		__type(key, struct bl_ipv4_lpm_key);                          \
		__type(value, __u64);                                         \
		__uint(map_flags, BPF_F_NO_PREALLOC);                         \
	} name SEC(".maps")

#define BL_HOST_HASH(name)                                                    \
	struct {                                                              \
		__uint(type, BPF_MAP_TYPE_HASH);                              \
		__uint(max_entries, BL_HOST_DEFAULT_CAPACITY);                \
		__type(key, __be32);                                          \
		__type(value, __u64);                                         \
	} name SEC(".maps")

/* One bank of the policy's lookup maps; see the comment at the top. */
#define BL_POLICY_BANK(n)                                                     \
	BL_PREFIX_TRIE(bl_src_prefixes##n);                                   \
	BL_PREFIX_TRIE(bl_dst_prefixes##n);                                   \
	BL_HOST_HASH(bl_src_hosts##n);                                        \
	BL_HOST_HASH(bl_dst_hosts##n);                                        \
	struct {                                                              \
		__uint(type, BPF_MAP_TYPE_ARRAY);                             \
		__uint(max_entries, BL_PORT_SLOTS);                           \
		__type(key, __u32);                                           \
		__type(value, __u64);                                         \
	} bl_ports##n SEC(".maps")

BL_POLICY_BANK(0);
BL_POLICY_BANK(1);

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, BL_POLICY_BANKS);
	__type(key, __u32);
	__type(value, struct bl_policy_masks);
} bl_masks SEC(".maps");

/* The bank packets decide with (0 or 1). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} bl_active SEC(".maps");

/* Clauses the packet's protocol and destination port allow. */
static __always_inline __u64 bl_l4_clauses(const struct bl_policy_masks *masks, void *ports, const struct bl_packet *pkt)
{
	__u64 clauses = masks->l4_any;
	__u32 slot;
	__u64 *by_port;

	switch (pkt->proto) {
	case IPPROTO_TCP:
		clauses |= masks->l4_tcp;
		slot = BL_PORT_SLOT_TCP_BASE;
		break;
	case IPPROTO_UDP:
		clauses |= masks->l4_udp;
		slot = BL_PORT_SLOT_UDP_BASE;
		break;
	case IPPROTO_ICMP:
		return clauses | masks->l4_icmp;
	default:
		return clauses;
	}
	if (!pkt->has_ports)
		return clauses;
	slot += pkt->dport;
	by_port = bpf_map_lookup_elem(ports, &slot);
	if (by_port)
		clauses |= *by_port;
	return clauses;
}

/*
 * Clauses whose prefix condition holds for addr: the wildcard clauses plus the longest match (the
 * host hash first, then the trie). Nothing is looked up when no candidate still needs it (every
 * candidate is a wildcard clause), nor in a map the policy left empty: a policy of source rules
 * never pays for destination lookups, and a host list never walks a trie.
 */
static __always_inline __u64 bl_prefix_clauses(void *hosts, void *trie, __u64 use_hosts, __u64 use_trie,
					       __be32 addr, __u64 wildcard, __u64 candidates)
{
	struct bl_ipv4_lpm_key key = { .prefixlen = 32, .addr = addr };
	__u64 *covering;

	if (!(candidates & ~wildcard))
		return wildcard;
	if (use_hosts) {
		covering = bpf_map_lookup_elem(hosts, &addr);
		if (covering)
			return wildcard | *covering;
	}
	if (use_trie) {
		covering = bpf_map_lookup_elem(trie, &key);
		if (covering)
			return wildcard | *covering;
	}
	return wildcard;
}

static __always_inline enum bl_counter_index bl_default_verdict(void)
{
	return bl_default_deny ? BL_COUNT_DENY_DEFAULT : BL_COUNT_ALLOW_DEFAULT;
}

/* The decision of one bank's maps for pkt, as the counter that records it. */
static __always_inline enum bl_counter_index bl_bank_decide(const struct bl_packet *pkt, const struct bl_policy_masks *masks,
							    void *src_hosts, void *src_prefixes, void *dst_hosts,
							    void *dst_prefixes, void *ports)
{
	__u64 candidates;
	__u64 first;

	candidates = bl_l4_clauses(masks, ports, pkt);
	if (!candidates)
		return bl_default_verdict();
	candidates &= bl_prefix_clauses(src_hosts, src_prefixes, masks->lookups & BL_LOOKUP_SRC_HOSTS,
					masks->lookups & BL_LOOKUP_SRC_PREFIXES, pkt->saddr, masks->src_any, candidates);
	if (!candidates)
		return bl_default_verdict();
	candidates &= bl_prefix_clauses(dst_hosts, dst_prefixes, masks->lookups & BL_LOOKUP_DST_HOSTS,
					masks->lookups & BL_LOOKUP_DST_PREFIXES, pkt->daddr, masks->dst_any, candidates);
	if (!candidates)
		return bl_default_verdict();

	first = candidates & (~candidates + 1); /* lowest set bit: the first matching clause */
	return (first & masks->deny) ? BL_COUNT_DENY_RULE : BL_COUNT_ALLOW_RULE;
}

/* The policy's decision for pkt, as the counter that records it (allow/deny, by rule or default). */
static __always_inline enum bl_counter_index bl_policy_decide(const struct bl_packet *pkt)
{
	const struct bl_policy_masks *masks;
	__u32 zero = 0;
	__u32 *active;
	__u32 bank;

	/* Both lookups cannot fail (fixed-size arrays, in-range keys); the verifier wants the checks. */
	active = bpf_map_lookup_elem(&bl_active, &zero);
	if (!active)
		return bl_default_verdict();
	bank = *active ? 1 : 0;
	masks = bpf_map_lookup_elem(&bl_masks, &bank);
	if (!masks)
		return bl_default_verdict();
	/* Two inlined copies, each with its own constant map pointers. */
	if (bank)
		return bl_bank_decide(pkt, masks, &bl_src_hosts1, &bl_src_prefixes1, &bl_dst_hosts1, &bl_dst_prefixes1, &bl_ports1);
	return bl_bank_decide(pkt, masks, &bl_src_hosts0, &bl_src_prefixes0, &bl_dst_hosts0, &bl_dst_prefixes0, &bl_ports0);
}

#endif /* BENCHLAB_POLICY_H */
