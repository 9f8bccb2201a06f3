/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Map layouts shared by the BPF filter (bpf/filter.bpf.c) and its Swift loader (LabBPF, through the
 * CLibBPF module). One definition, so a field added on one side cannot silently shift the other.
 *
 * The filter decides with bit sets: each policy clause owns one bit (bit i = clause i, so the lowest
 * set bit is the first clause in policy order). Every map answers "which clauses could still match
 * this packet?" for one field, and the packet's verdict comes from the AND of the answers.
 */
#ifndef BENCHLAB_POLICY_MAPS_H
#define BENCHLAB_POLICY_MAPS_H

#include <linux/types.h>

/* One bit per clause in a __u64. */
#define BL_MAX_CLAUSES 64

/* Copies of the policy maps: one in use, one an update is written into (policy.h). */
#define BL_POLICY_BANKS 2u

/*
 * Entries per LPM trie. Tries are never preallocated (the kernel requires BPF_F_NO_PREALLOC), so a
 * generous capacity costs nothing until it is used.
 */
#define BL_PREFIX_CAPACITY (1u << 20)

/*
 * Default entries per host (/32) hash. The loader sizes the hashes to the policy before load
 * (they are preallocated, which is what makes them fast to fill).
 */
#define BL_HOST_DEFAULT_CAPACITY 1024u

/*
 * Destination-port slots: one per (protocol, port), TCP first then UDP. An array, not a hash: the
 * verifier inlines array lookups into an address computation, and a port range of any width costs
 * no more than a single port.
 */
#define BL_PORT_SLOTS_PER_PROTO 65536u
#define BL_PORT_SLOTS (2u * BL_PORT_SLOTS_PER_PROTO)
#define BL_PORT_SLOT_TCP_BASE 0u
#define BL_PORT_SLOT_UDP_BASE BL_PORT_SLOTS_PER_PROTO

/*
 * Key of both LPM tries (bl_src_prefixes, bl_dst_prefixes). The kernel wants struct bpf_lpm_trie_key's
 * layout: the prefix length in bits, then the address bytes most significant first, i.e. the IPv4
 * address in network byte order.
 */
struct bl_ipv4_lpm_key {
	__u32 prefixlen;
	__u32 addr; /* network byte order */
};

/* bl_policy_masks.lookups: which address maps hold entries (an empty map is not consulted). */
#define BL_LOOKUP_SRC_HOSTS (1u << 0)
#define BL_LOOKUP_SRC_PREFIXES (1u << 1)
#define BL_LOOKUP_DST_HOSTS (1u << 2)
#define BL_LOOKUP_DST_PREFIXES (1u << 3)

/*
 * The clause sets that do not depend on a map lookup keyed by the packet: the bl_masks entry of a
 * bank.
 */
struct bl_policy_masks {
	__u64 src_any;   /* clauses without a source condition */
	__u64 dst_any;   /* clauses without a destination condition */
	__u64 l4_any;    /* clauses for protocol "any" */
	__u64 l4_tcp;    /* tcp clauses without a port condition */
	__u64 l4_udp;    /* udp clauses without a port condition */
	__u64 l4_icmp;   /* icmp clauses */
	__u64 deny;      /* clauses whose action is deny */
	__u64 lookups;   /* BL_LOOKUP_* */
};

/* Index into the per-CPU bl_counters array: why a packet got its verdict. */
enum bl_counter_index {
	BL_COUNT_ALLOW_RULE = 0,   /* a clause allowed it */
	BL_COUNT_DENY_RULE = 1,    /* a clause denied it (dropped) */
	BL_COUNT_ALLOW_DEFAULT = 2,/* no clause matched, default allow */
	BL_COUNT_DENY_DEFAULT = 3, /* no clause matched, default deny (dropped) */
	BL_COUNT_PASS_NOT_IPV4 = 4,/* not IPv4: left to the kernel */
	BL_COUNT_PASS_MALFORMED = 5,/* truncated or malformed headers: left to the kernel */
	BL_COUNT_MAX = 6,
};

struct bl_counter {
	__u64 packets;
	__u64 bytes;
};

#endif /* BENCHLAB_POLICY_MAPS_H */
