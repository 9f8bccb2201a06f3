/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The lab's SNAT engine for an egress gateway (bpf/snat.bpf.c): which pod sources leave through
 * this gateway, the forward and reverse NAT maps, port allocation and the header rewrite. Helpers
 * return 0 or a negative drop code (enum bl_nat_drop); the program counts and acts on it.
 *
 * Lifetimes are the tracker's (ct_flow.h): a forward entry carries a struct bl_ct_entry stepped like
 * a tracked flow, and is live while bl_ct_expired says so. A mapping past its lifetime counts as free:
 * its forward entry is overwritten in place by the next flow with its key, and its reverse entry (the
 * port) may be claimed by any new flow. The reverse entry holds no lifetime of its own; it is live
 * exactly while the forward entry it names is live and still maps to it.
 *
 * Port allocation (the model, Cilium's SNAT_COLLISION_RETRIES): the original port when it is
 * inside the range and free (unless bl_nat_random_fully), else up to BL_NAT_TRIES random ports, then
 * a drop. The reverse entry is inserted first, with BPF_NOEXIST, so two CPUs cannot take one free
 * port; a stale reverse entry is claimed by a compare-and-swap of its 8-byte value, which only one
 * CPU can win.
 */
#ifndef BENCHLAB_NAT_H
#define BENCHLAB_NAT_H

#include <linux/bpf.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>
#include "nat_maps.h"
#include "parse.h"
#include "ct_flow.h"

/* Load-time constants, set by the loader from SNATPolicy (the gateway's share). */
const volatile __be32 bl_nat_egress_addr = 0;
const volatile __u16 bl_nat_port_min = 1024;
const volatile __u16 bl_nat_port_max = 65535;
const volatile __u8 bl_nat_random_fully = 0;

enum bl_nat_drop {
	BL_NAT_DROP_UNSELECTED = -1,
	BL_NAT_DROP_UNTRANSLATABLE = -2,
	BL_NAT_DROP_TCP_INVALID = -3,
	BL_NAT_DROP_NO_PORT = -4,
	BL_NAT_DROP_TABLE_FULL = -5,
	BL_NAT_DROP_REWRITE = -6,
};

/* Egress selection: source prefix -> action; first-match semantics are compiled in (LabBPF's
 * SNATSelection), so the longest prefix here is the rule that decides. */
struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, BL_NAT_SELECTION_CAPACITY);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct bl_nat_selection_key);
	__type(value, struct bl_nat_selection);
} bl_nat_selection SEC(".maps");

/* The NAT maps: declared plain hashes; the loader makes them LRU for the lru tracker kind and sizes
 * both to ConnectionTracking.tableSize. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__type(key, struct bl_ct_key);
	__type(value, struct bl_nat_entry);
} bl_nat_forward SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__type(key, struct bl_nat_reverse_key);
	__type(value, struct bl_nat_reverse);
} bl_nat_reverse SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, BL_NAT_COUNTER_MAX);
	__type(key, __u32);
	__type(value, __u64);
} bl_nat_counters SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, BL_NAT_RETRY_BUCKETS);
	__type(key, __u32);
	__type(value, __u64);
} bl_nat_retries SEC(".maps");

static __always_inline void bl_nat_count(void *map, __u32 index)
{
	__u64 *counter = bpf_map_lookup_elem(map, &index);

	if (counter)
		*counter += 1;
}

/* The histogram bucket of an allocation that succeeded at random try `tries` (0: original kept). */
static __always_inline __u32 bl_nat_retry_bucket(__u32 tries)
{
	if (tries <= 2)
		return tries;
	if (tries <= 4)
		return 3;
	if (tries <= 8)
		return 4;
	if (tries <= 16)
		return 5;
	if (tries <= 32)
		return 6;
	if (tries <= 64)
		return 7;
	return 8;
}

/* Whether the gateway translates `saddr`: 0 if so, else BL_NAT_DROP_UNSELECTED. */
static __always_inline int bl_nat_selected(__be32 saddr)
{
	struct bl_nat_selection_key key = { .prefixlen = 32, .addr = saddr };
	struct bl_nat_selection *selection = bpf_map_lookup_elem(&bl_nat_selection, &key);

	return selection && selection->action == BL_NAT_TRANSLATE ? 0 : BL_NAT_DROP_UNSELECTED;
}

/* The forward key a reverse entry names. */
static __always_inline void bl_nat_forward_key_of(const struct bl_nat_reverse_key *rkey, const struct bl_nat_reverse *reverse,
						   struct bl_ct_key *key)
{
	__builtin_memset(key, 0, sizeof(*key));
	key->saddr = reverse->pod_addr;
	key->daddr = rkey->remote_addr;
	key->sport = reverse->pod_port;
	key->dport = rkey->remote_port;
	key->proto = rkey->proto;
}

/* The live forward entry a reverse entry belongs to, or NULL: the reverse entry is then stale. */
static __always_inline struct bl_nat_entry *bl_nat_owner(const struct bl_nat_reverse_key *rkey, const struct bl_nat_reverse *reverse,
							 __u64 now)
{
	struct bl_nat_entry *entry;
	struct bl_ct_key key;

	bl_nat_forward_key_of(rkey, reverse, &key);
	entry = bpf_map_lookup_elem(&bl_nat_forward, &key);
	if (!entry || bl_ct_expired(&entry->ct, rkey->proto, now))
		return NULL;
	if (entry->nat_port != rkey->nat_port || entry->nat_addr != rkey->nat_addr)
		return NULL;
	return entry;
}

/* Takes rkey's port for `mine`: 0 when it was free (absent, or stale and claimed by this CPU). */
static __always_inline int bl_nat_claim(const struct bl_nat_reverse_key *rkey, const struct bl_nat_reverse *mine, __u64 now)
{
	struct bl_nat_reverse *taken = bpf_map_lookup_elem(&bl_nat_reverse, rkey);
	__u64 seen, want;

	if (!taken)
		return bpf_map_update_elem(&bl_nat_reverse, rkey, mine, BPF_NOEXIST) ? -1 : 0;
	seen = *(__u64 *)taken;
	if (bl_nat_owner(rkey, (struct bl_nat_reverse *)&seen, now))
		return -1;
	want = *(const __u64 *)mine;
	return __sync_val_compare_and_swap((__u64 *)taken, seen, want) == seen ? 0 : -1;
}

/* A random port in the range. */
static __always_inline __u16 bl_nat_random_port(void)
{
	__u32 span = (__u32)bl_nat_port_max - bl_nat_port_min + 1;

	return bl_nat_port_min + bpf_get_prandom_u32() % span;
}

/*
 * A new mapping for the flow `key` (the pod's), written into the forward map (over `expired` when its
 * key had an expired entry). 0 with *entry set, or a drop code; the histogram counts the tries.
 */
static __always_inline int bl_nat_allocate(const struct bl_ct_key *key, struct bl_nat_entry *expired, const struct bl_packet *pkt,
					   __u64 now, struct bl_nat_entry *created)
{
	struct bl_nat_reverse mine = { .pod_addr = key->saddr, .pod_port = key->sport };
	struct bl_nat_reverse_key rkey = {
		.nat_addr = bl_nat_egress_addr,
		.remote_addr = key->daddr,
		.remote_port = key->dport,
		.proto = key->proto,
	};
	__u32 tries = 0;
	int found = -1;

	if (!bl_nat_random_fully && key->sport >= bl_nat_port_min && key->sport <= bl_nat_port_max) {
		rkey.nat_port = key->sport;
		found = bl_nat_claim(&rkey, &mine, now);
	}
	for (__u32 i = 1; found && i <= BL_NAT_TRIES; i++) {
		rkey.nat_port = bl_nat_random_port();
		found = bl_nat_claim(&rkey, &mine, now);
		tries = i;
	}
	if (found) {
		bl_nat_count(&bl_nat_retries, BL_NAT_RETRY_FAILED);
		return BL_NAT_DROP_NO_PORT;
	}

	__builtin_memset(created, 0, sizeof(*created));
	created->ct.created_ns = now;
	created->ct.last_seen_ns = now;
	created->ct.packets_original = 1;
	created->ct.state = pkt->proto == IPPROTO_TCP ? BL_CT_STATE_TCP_SYN : BL_CT_STATE_OPEN;
	created->nat_addr = bl_nat_egress_addr;
	created->nat_port = rkey.nat_port;
	if (expired) {
		*expired = *created;
	} else if (bpf_map_update_elem(&bl_nat_forward, key, created, BPF_ANY)) {
		bpf_map_delete_elem(&bl_nat_reverse, &rkey); /* give the port back */
		return BL_NAT_DROP_TABLE_FULL;
	}
	bl_nat_count(&bl_nat_retries, bl_nat_retry_bucket(tries));
	return 0;
}

/* A packet of a live mapping, either direction: the tracker's refresh, without its counters. */
static __always_inline void bl_nat_refresh(struct bl_nat_entry *entry, const struct bl_packet *pkt, int from_server, __u64 now)
{
	if (entry->ct.last_seen_ns != now)
		entry->ct.last_seen_ns = now;
	if (pkt->proto == IPPROTO_TCP)
		bl_ct_step_tcp(&entry->ct, pkt, from_server);
	if (from_server) {
		entry->ct.seen_reply = 1;
		entry->ct.packets_reply += 1;
	} else {
		entry->ct.packets_original += 1;
	}
}

/* Offsets of the IPv4 header and of what follows it in the skb. */
struct bl_nat_offsets {
	__u32 l3;
	__u32 l4;
};

static __always_inline int bl_nat_offsets_of(struct __sk_buff *skb, struct bl_nat_offsets *off)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	struct iphdr *ip;
	__be16 proto;
	void *l3;

	if (bl_parse_ethernet(data, data_end, &l3, &proto) < 0)
		return BL_NAT_DROP_REWRITE;
	ip = l3;
	if ((void *)(ip + 1) > data_end)
		return BL_NAT_DROP_REWRITE;
	off->l3 = l3 - data;
	off->l4 = off->l3 + ip->ihl * 4;
	return 0;
}

/*
 * Rewrites one address (the source at egress, the destination at ingress) and the matching port or
 * echo identifier, fixing the IPv4 and L4 checksums incrementally. TCP/UDP checksums cover the
 * address through the pseudo-header (BPF_F_PSEUDO_HDR); a UDP checksum of 0 means "none" and must
 * stay 0 (BPF_F_MARK_MANGLED_0). The ICMP checksum covers the identifier only.
 */
static __always_inline int bl_nat_rewrite(struct __sk_buff *skb, const struct bl_packet *pkt, int source,
					  __be32 from_addr, __be32 to_addr, __u16 from_port, __u16 to_port)
{
	__u32 addr_off = source ? offsetof(struct iphdr, saddr) : offsetof(struct iphdr, daddr);
	__be16 old_port = bpf_htons(from_port), new_port = bpf_htons(to_port);
	struct bl_nat_offsets off;
	__u32 csum_off, port_off;
	__u64 mangled = 0;

	if (bl_nat_offsets_of(skb, &off))
		return BL_NAT_DROP_REWRITE;
	switch (pkt->proto) {
	case IPPROTO_TCP:
		csum_off = offsetof(struct tcphdr, check);
		port_off = source ? offsetof(struct tcphdr, source) : offsetof(struct tcphdr, dest);
		break;
	case IPPROTO_UDP:
		csum_off = offsetof(struct udphdr, check);
		port_off = source ? offsetof(struct udphdr, source) : offsetof(struct udphdr, dest);
		mangled = BPF_F_MARK_MANGLED_0;
		break;
	default: /* ICMP echo: the identifier, whichever direction */
		csum_off = offsetof(struct bl_icmp_echo_hdr, checksum);
		port_off = offsetof(struct bl_icmp_echo_hdr, id);
		break;
	}
	if (bpf_skb_store_bytes(skb, off.l3 + addr_off, &to_addr, sizeof(to_addr), 0))
		return BL_NAT_DROP_REWRITE;
	if (bpf_l3_csum_replace(skb, off.l3 + offsetof(struct iphdr, check), from_addr, to_addr, sizeof(to_addr)))
		return BL_NAT_DROP_REWRITE;
	if (pkt->proto != IPPROTO_ICMP &&
	    bpf_l4_csum_replace(skb, off.l4 + csum_off, from_addr, to_addr, BPF_F_PSEUDO_HDR | mangled | sizeof(to_addr)))
		return BL_NAT_DROP_REWRITE;
	if (old_port == new_port)
		return 0;
	if (bpf_skb_store_bytes(skb, off.l4 + port_off, &new_port, sizeof(new_port), 0))
		return BL_NAT_DROP_REWRITE;
	if (bpf_l4_csum_replace(skb, off.l4 + csum_off, old_port, new_port, mangled | sizeof(new_port)))
		return BL_NAT_DROP_REWRITE;
	return 0;
}

/*
 * Egress: a packet from a pod. 0 when it leaves translated, else a drop code. The flow key is the
 * tracker's (bl_ct_key_of, client side), so only TCP/UDP with ports and ICMP echo requests map.
 * The selection is asked for a new flow only, as netfilter's nat table sees a connection's first
 * packet only: a live mapping keeps translating after its rule changes (never leaking: it is a
 * translation), and an established packet skips the trie walk (an LPM lookup is the dearest step).
 */
static __always_inline int bl_nat_egress(struct __sk_buff *skb, const struct bl_packet *pkt, __u64 now)
{
	struct bl_nat_entry *entry, created;
	struct bl_ct_key key;
	int rc;

	if (bl_ct_key_of(pkt, 0, &key) < 0) {
		/* Nothing to map: an unselected source is still counted as one. */
		rc = bl_nat_selected(pkt->saddr);
		return rc ? rc : BL_NAT_DROP_UNTRANSLATABLE;
	}
	entry = bpf_map_lookup_elem(&bl_nat_forward, &key);
	if (entry && !bl_ct_expired(&entry->ct, key.proto, now)) {
		bl_nat_refresh(entry, pkt, 0, now);
	} else {
		rc = bl_nat_selected(pkt->saddr);
		if (rc)
			return rc;
		if (!bl_ct_opens(pkt))
			return BL_NAT_DROP_TCP_INVALID;
		rc = bl_nat_allocate(&key, entry, pkt, now, &created);
		if (rc)
			return rc;
		bl_nat_count(&bl_nat_counters, BL_NAT_FLOWS_TRANSLATED);
		entry = &created;
	}
	return bl_nat_rewrite(skb, pkt, 1, pkt->saddr, entry->nat_addr, key.sport, entry->nat_port);
}

/*
 * Ingress: a packet to the egress address. 1 when it was a reply of a live mapping and now goes to
 * its pod, 0 when it is not one (left to the stack: the gateway's own traffic), or a drop code.
 */
static __always_inline int bl_nat_ingress(struct __sk_buff *skb, const struct bl_packet *pkt, __u64 now)
{
	struct bl_nat_reverse_key rkey = { .nat_addr = pkt->daddr, .remote_addr = pkt->saddr, .proto = pkt->proto };
	struct bl_nat_reverse *reverse;
	struct bl_nat_entry *entry;
	struct bl_ct_key key;
	int rc;

	if (bl_ct_key_of(pkt, 1, &key) < 0)
		return 0;
	rkey.nat_port = key.sport;     /* the key of a reply names the pod side as source */
	rkey.remote_port = key.dport;
	reverse = bpf_map_lookup_elem(&bl_nat_reverse, &rkey);
	if (!reverse)
		return 0;
	entry = bl_nat_owner(&rkey, reverse, now);
	if (!entry)
		return 0;
	bl_nat_refresh(entry, pkt, 1, now);
	rc = bl_nat_rewrite(skb, pkt, 0, pkt->daddr, reverse->pod_addr, rkey.nat_port, reverse->pod_port);
	return rc ? rc : 1;
}

#endif /* BENCHLAB_NAT_H */
