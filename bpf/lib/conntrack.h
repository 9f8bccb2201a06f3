/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The lab's BPF connection tracker: a table of flows keyed by the 5-tuple of their first packet
 * (client -> server; struct bl_ct_key in bpf/include/conntrack_maps.h), each with its creation and
 * last-seen times, a TCP state coarse enough for the three TCP lifetimes, a seen-reply flag and a
 * packet counter per direction.
 *
 * Expiry is lazy, as in cilium's ct_lookup: an entry whose last-seen + timeout has passed is treated
 * as absent (a reply to it is unsolicited) and a new flow with its key overwrites it in place.
 * Reclaiming its memory is somebody else's job: the kernel's LRU eviction in the "lru" table, the
 * user-space collector (LabBPF's CTSweeper) in the "swept" plain hash. The timeout an entry has is a
 * pure function of (protocol, state), computed alike here and by the collector.
 *
 * cilium's ct_entry stores the absolute expiry ("lifetime", seconds of bpf_mono_now, i.e. jiffies)
 * and the TCP flags seen per direction, and rewrites the lifetime only when it moved enough to spare
 * cache lines. Here the entry stores last_seen (coarse monotonic ns) and the state that chooses the
 * timeout, because the lab measures GC lag against the moment a flow went idle: expiry is derived,
 * alike in the program and in the collector. last_seen is written only when the coarse clock moved.
 *
 * The table is the single inner map of bl_ct_tables (an ARRAY_OF_MAPS): user space creates the
 * inner hash (LRU or plain, of the scenario's size) and can swap in a fresh one of another size
 * while the program runs, one array write, which the table-full phase needs. A hash inner map may
 * differ from the template in max_entries (the kernel only pins max_entries of array inner maps).
 */
#ifndef BENCHLAB_CONNTRACK_H
#define BENCHLAB_CONNTRACK_H

#include <linux/bpf.h>
#include <linux/in.h>
#include <bpf/bpf_helpers.h>
#include "conntrack_maps.h"
#include "ct_counters.h"
#include "parse.h"
#include "ct_flow.h"

/* The table; its inner map comes from user space at load (bpf_map__set_inner_map_fd). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, 1);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u32));
} bl_ct_tables SEC(".maps");

/* The table packets use now; NULL only if user space never put one in (the loader always does). */
static __always_inline void *bl_ct_table(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&bl_ct_tables, &zero);
}

/* Result of looking a packet's flow up. */
enum bl_ct_lookup {
	BL_CT_LIVE = 0,    /* a live entry: *entry points at it */
	BL_CT_ABSENT = 1,  /* no entry */
	BL_CT_EXPIRED = 2, /* an expired entry: *entry points at it, to be overwritten by a new flow */
};

static __always_inline int bl_ct_lookup(void *table, const struct bl_ct_key *key, __u64 now, struct bl_ct_entry **entry)
{
	*entry = bpf_map_lookup_elem(table, key);
	if (!*entry)
		return BL_CT_ABSENT;
	return bl_ct_expired(*entry, key->proto, now) ? BL_CT_EXPIRED : BL_CT_LIVE;
}

/* A packet of a live entry: refresh it and count the direction. The coarse clock moves once a tick,
 * so most packets find last_seen already current and leave that word alone. */
static __always_inline void bl_ct_refresh(struct bl_ct_entry *entry, const struct bl_packet *pkt, int from_server, __u64 now)
{
	if (entry->last_seen_ns != now)
		entry->last_seen_ns = now;
	if (pkt->proto == IPPROTO_TCP)
		bl_ct_step_tcp(entry, pkt, from_server);
	if (from_server) {
		entry->seen_reply = 1;
		entry->packets_reply += 1;
		bl_ct_count(BL_CT_HIT_REPLY);
	} else {
		entry->packets_original += 1;
		bl_ct_count(BL_CT_HIT_ORIGINAL);
	}
}

/*
 * Enters a new flow. An expired entry of the same key is overwritten in place (no allocation, so a
 * full plain hash still takes it); otherwise the map must find room: a plain hash at max_entries
 * refuses (E2BIG), an LRU hash evicts. Returns 0 when the flow is tracked.
 */
static __always_inline int bl_ct_create(void *table, const struct bl_ct_key *key, struct bl_ct_entry *expired,
					 const struct bl_packet *pkt, __u64 now)
{
	struct bl_ct_entry fresh = {
		.created_ns = now,
		.last_seen_ns = now,
		.packets_original = 1,
		.state = pkt->proto == IPPROTO_TCP ? BL_CT_STATE_TCP_SYN : BL_CT_STATE_OPEN,
	};

	if (expired) {
		*expired = fresh;
		bl_ct_count(BL_CT_EXPIRED_REUSED);
		bl_ct_count(BL_CT_CREATED);
		return 0;
	}
	if (bpf_map_update_elem(table, key, &fresh, BPF_ANY)) {
		bl_ct_count(BL_CT_REFUSED_FULL);
		return -1;
	}
	bl_ct_count(BL_CT_CREATED);
	return 0;
}

#endif /* BENCHLAB_CONNTRACK_H */
