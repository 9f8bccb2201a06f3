/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Layouts of the lab's BPF SNAT (bpf/snat.bpf.c, bpf/lib/nat.h), shared with its Swift loader
 * (LabBPF's SNATProgram / NATMaps, through CLibBPF): the egress selection trie, the forward and
 * reverse NAT maps, the counters and the retries histogram.
 */
#ifndef BENCHLAB_NAT_MAPS_H
#define BENCHLAB_NAT_MAPS_H

#include <linux/types.h>
#include "conntrack_maps.h"

/* Random tries after the original port (Cilium's SNAT_COLLISION_RETRIES). */
#define BL_NAT_TRIES 128

/* Egress selection entries (an LPM trie; never preallocated, so a generous capacity is free). */
#define BL_NAT_SELECTION_CAPACITY 65536u

/* The selection trie's key: a pod source prefix. */
struct bl_nat_selection_key {
	__u32 prefixlen;
	__be32 addr;
};

/* What the gateway does with a selected source. A source not in the trie is dropped. */
enum bl_nat_action {
	BL_NAT_DROP = 0,
	BL_NAT_TRANSLATE = 1,
};

struct bl_nat_selection {
	__u32 action; /* enum bl_nat_action */
};

/*
 * The forward map is keyed by the flow as the pod sent it: struct bl_ct_key (pod address and port,
 * remote address and port, protocol; ICMP echo: the identifier as the pod's port, 0 as the remote's),
 * the tracker's own key. Its value starts with the tracker's entry, so the lifetime rules
 * (bl_ct_expired, CTLifetimes) read a NAT mapping exactly as a tracked flow.
 */
struct bl_nat_entry {
	struct bl_ct_entry ct;
	__be32 nat_addr;
	__u16 nat_port; /* host byte order */
	__u16 pad;
};

/* The reverse map's key: a reply's flow as it arrives (egress address and NAT port, remote). */
struct bl_nat_reverse_key {
	__be32 nat_addr;
	__be32 remote_addr;
	__u16 nat_port;    /* host byte order */
	__u16 remote_port; /* host byte order; 0 for ICMP echo */
	__u8 proto;
	__u8 pad[3];
};

/*
 * The pod a NAT port belongs to. Exactly 8 bytes: a stale entry is claimed with one 64-bit
 * compare-and-swap of the whole value (nat.h), so two CPUs cannot both take its port.
 */
struct bl_nat_reverse {
	__be32 pod_addr;
	__u16 pod_port; /* host byte order */
	__u16 pad;
};

/* Index into the per-CPU bl_nat_counters array (__u64 each). */
enum bl_nat_counter_index {
	BL_NAT_FLOWS_TRANSLATED = 0,   /* mappings created */
	BL_NAT_PACKETS_TRANSLATED = 1, /* egress packets rewritten (a flow's first included) */
	BL_NAT_PACKETS_REVERSED = 2,   /* ingress replies rewritten back to their pod */
	BL_NAT_ALLOCATION_FAILED = 3,  /* every try collided: dropped */
	BL_NAT_DROPPED_UNSELECTED = 4, /* source no rule lets out through this gateway: dropped */
	BL_NAT_REVERSE_MISSES = 5,     /* ingress to the egress address with no live mapping: passed to the stack */
	BL_NAT_UNTRANSLATABLE = 6,     /* selected, but nothing to map (other protocols, fragments, ICMP other than echo request): dropped */
	BL_NAT_TCP_INVALID = 7,        /* TCP without a mapping that is not a SYN (the tracker's rule): dropped */
	BL_NAT_TABLE_FULL = 8,         /* a full plain hash refused the forward entry: dropped */
	BL_NAT_REWRITE_FAILED = 9,     /* a store or checksum helper failed: dropped */
	BL_NAT_PASSED_LOCAL = 10,      /* egress from the egress address itself (the gateway's own traffic): passed */
	BL_NAT_PASSED_OTHER = 11,      /* not IPv4, or malformed: left to the kernel */
	BL_NAT_COUNTER_MAX = 12,
};

/*
 * Retries histogram buckets (per-CPU array of __u64): 0 the original port kept, then by the random
 * try that found a port: 1, 2, 3-4, 5-8, 9-16, 17-32, 33-64, 65-128; the last counts failures.
 */
#define BL_NAT_RETRY_BUCKETS 10
#define BL_NAT_RETRY_FAILED (BL_NAT_RETRY_BUCKETS - 1)

#endif /* BENCHLAB_NAT_MAPS_H */
