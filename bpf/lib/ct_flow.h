/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * What the lab's tracker calls a flow and how long it lives, without any map: the flow key of a
 * packet, the TCP state steps and the per-(protocol, state) timeouts (load-time constants set from
 * ConnectionTracking.timeouts). The tracker (conntrack.h) and the SNAT engine (nat.h) both include
 * it, so a NAT mapping lives exactly as long as the tracker would keep its flow, and the swept
 * collector (LabBPF's CTLifetimes) decides expiry for both with one function.
 */
#ifndef BENCHLAB_CT_FLOW_H
#define BENCHLAB_CT_FLOW_H

#include <linux/bpf.h>
#include <linux/in.h>
#include <bpf/bpf_helpers.h>
#include "conntrack_maps.h"
#include "parse.h"

#define BL_TCP_FIN 0x01
#define BL_TCP_SYN 0x02
#define BL_TCP_RST 0x04
#define BL_TCP_ACK 0x10

#define BL_ICMP_ECHO_REPLY 0
#define BL_ICMP_ECHO_REQUEST 8

/* Load-time constants (set in .rodata from ConnectionTracking.timeouts before load), in nanoseconds. */
const volatile __u64 bl_ct_timeout_tcp_syn_ns = 120ull * 1000000000ull;
const volatile __u64 bl_ct_timeout_tcp_established_ns = 432000ull * 1000000000ull;
const volatile __u64 bl_ct_timeout_tcp_close_ns = 120ull * 1000000000ull;
const volatile __u64 bl_ct_timeout_udp_ns = 30ull * 1000000000ull;
const volatile __u64 bl_ct_timeout_icmp_ns = 30ull * 1000000000ull;

static __always_inline __u64 bl_ct_timeout(__u8 proto, __u8 state)
{
	switch (state) {
	case BL_CT_STATE_TCP_SYN:
		return bl_ct_timeout_tcp_syn_ns;
	case BL_CT_STATE_TCP_ESTABLISHED:
		return bl_ct_timeout_tcp_established_ns;
	case BL_CT_STATE_TCP_CLOSING:
		return bl_ct_timeout_tcp_close_ns;
	default:
		return proto == IPPROTO_ICMP ? bl_ct_timeout_icmp_ns : bl_ct_timeout_udp_ns;
	}
}

/* Whether the entry's lifetime has run out. Signed: another CPU may have written a last_seen a few
 * nanoseconds past this CPU's now. */
static __always_inline int bl_ct_expired(const struct bl_ct_entry *entry, __u8 proto, __u64 now)
{
	return (__s64)(now - entry->last_seen_ns) > (__s64)bl_ct_timeout(proto, entry->state);
}

/*
 * The key of the flow a packet belongs to, given which side it came from. 0 when the packet can be
 * tracked: TCP or UDP with its ports, ICMP echo request from the client, echo reply from the server.
 * Anything else (other protocols, non-first fragments, other ICMP) has no flow: -1.
 */
static __always_inline int bl_ct_key_of(const struct bl_packet *pkt, int from_server, struct bl_ct_key *key)
{
	__u16 sport, dport;

	if (pkt->proto == IPPROTO_TCP || pkt->proto == IPPROTO_UDP) {
		if (!pkt->has_ports)
			return -1;
		sport = pkt->sport;
		dport = pkt->dport;
	} else if (pkt->proto == IPPROTO_ICMP) {
		if (!pkt->has_icmp)
			return -1;
		if (pkt->icmp_type != (from_server ? BL_ICMP_ECHO_REPLY : BL_ICMP_ECHO_REQUEST))
			return -1;
		sport = from_server ? 0 : pkt->icmp_id;
		dport = from_server ? pkt->icmp_id : 0;
	} else {
		return -1;
	}
	__builtin_memset(key, 0, sizeof(*key));
	key->proto = pkt->proto;
	if (from_server) {
		key->saddr = pkt->daddr;
		key->daddr = pkt->saddr;
		key->sport = dport;
		key->dport = sport;
	} else {
		key->saddr = pkt->saddr;
		key->daddr = pkt->daddr;
		key->sport = sport;
		key->dport = dport;
	}
	return 0;
}

/* A TCP segment that may open a flow: SYN without ACK (nor RST). */
static __always_inline int bl_ct_opens(const struct bl_packet *pkt)
{
	if (pkt->proto != IPPROTO_TCP)
		return 1;
	return (pkt->tcp_flags & (BL_TCP_SYN | BL_TCP_ACK | BL_TCP_RST)) == BL_TCP_SYN;
}

/* TCP state after a segment of a live entry (either direction). */
static __always_inline void bl_ct_step_tcp(struct bl_ct_entry *entry, const struct bl_packet *pkt, int from_server)
{
	if (pkt->tcp_flags & (BL_TCP_FIN | BL_TCP_RST)) {
		entry->state = BL_CT_STATE_TCP_CLOSING;
		return;
	}
	if (from_server && entry->state == BL_CT_STATE_TCP_SYN)
		entry->state = BL_CT_STATE_TCP_ESTABLISHED;
	else if (!from_server && entry->state == BL_CT_STATE_TCP_CLOSING && bl_ct_opens(pkt))
		entry->state = BL_CT_STATE_TCP_SYN; /* the port pair reused by a new connection */
}

#endif /* BENCHLAB_CT_FLOW_H */
