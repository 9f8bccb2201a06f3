/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Layouts of the lab's BPF connection tracker (bpf/lib/conntrack.h), shared with its Swift loader
 * and collector (LabBPF, through CLibBPF): the table's key and value, and the counter indexes.
 */
#ifndef BENCHLAB_CONNTRACK_MAPS_H
#define BENCHLAB_CONNTRACK_MAPS_H

#include <linux/types.h>

/*
 * A flow as its first packet names it (client -> server). ICMP echo: the identifier is the source
 * port and the destination port is 0, so a request and its reply find the same entry. 16 bytes,
 * no hole the compiler could leave uninitialised (a hash key is compared byte by byte).
 */
struct bl_ct_key {
	__be32 saddr;
	__be32 daddr;
	__u16 sport; /* host byte order */
	__u16 dport; /* host byte order */
	__u8 proto;
	__u8 pad[3];
};

/* bl_ct_entry.state: what decides the entry's timeout. */
enum bl_ct_state {
	BL_CT_STATE_OPEN = 0,        /* UDP / ICMP: one timeout whatever was seen */
	BL_CT_STATE_TCP_SYN = 1,     /* a SYN, no reply yet: tcp_syn */
	BL_CT_STATE_TCP_ESTABLISHED = 2, /* the server answered: tcp_established */
	BL_CT_STATE_TCP_CLOSING = 3, /* a FIN or RST from either side: tcp_close */
};

/*
 * One tracked flow. Times are bpf_ktime_get_coarse_ns(), i.e. CLOCK_MONOTONIC_COARSE nanoseconds
 * (the monotonic clock as of the last tick): user space reads the same clock with clock_gettime, so
 * the collector decides expiry exactly as the datapath does. Coarse because reading the TSC per
 * packet cost ~17 ns of an established packet's ~87 (BPF_PROG_TEST_RUN, this VM), which alone put the
 * tracker past 1.5x the stateless filter; a tick (<= 4 ms) is far below any timeout (>= 1 s).
 */
struct bl_ct_entry {
	__u64 created_ns;
	__u64 last_seen_ns;
	__u64 packets_original; /* client -> server */
	__u64 packets_reply;    /* server -> client */
	__u8 state;             /* enum bl_ct_state */
	__u8 seen_reply;
	__u8 pad[6];
};

/* Index into the per-CPU bl_ct_counters array (__u64 each). */
enum bl_ct_counter_index {
	BL_CT_CREATED = 0,        /* new client flow allowed by the policy and entered */
	BL_CT_HIT_ORIGINAL = 1,   /* client packet of a live entry */
	BL_CT_HIT_REPLY = 2,      /* server packet of a live entry */
	BL_CT_NEW_DENIED = 3,     /* new client flow the policy denies (dropped) */
	BL_CT_UNSOLICITED = 4,    /* server packet without a live entry (dropped) */
	BL_CT_INVALID = 5,        /* client TCP packet that neither opens (SYN) nor continues a live entry (dropped) */
	BL_CT_REFUSED_FULL = 6,   /* the map refused a new entry: a full plain hash (dropped) */
	BL_CT_EXPIRED_REUSED = 7, /* a new flow overwrote an expired entry of the same key */
	BL_CT_PASS_OTHER = 8,     /* not IPv4, or malformed: left to the kernel as the stateless filter does */
	BL_CT_COUNTER_MAX = 9,
};

#endif /* BENCHLAB_CONNTRACK_MAPS_H */
