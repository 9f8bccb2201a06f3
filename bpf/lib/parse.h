/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Ethernet / IPv4 / L4 parsing for the filter. Every header is bounds-checked against data_end
 * before it is read, with an early return: the verifier rejects any read it cannot prove in bounds,
 * and the early return is how the proof is written.
 *
 * Choices (what the policy model can and cannot say about a packet):
 *  - Not IPv4 (ARP, IPv6, ...): BL_PARSE_NOT_IPV4; the caller passes it to the kernel. The policy
 *    model is IPv4-only, so it has no verdict for anything else.
 *  - Truncated or malformed headers (too short for the header we must read, IPv4 ihl < 5, version
 *    != 4): BL_PARSE_MALFORMED; the caller passes it too. A filter must not drop what it cannot
 *    read: the kernel's own input path validates and drops such packets (ip_rcv_core, tcp_v4_rcv),
 *    and netfilter never sees them either, so passing keeps every backend equal.
 *  - IP options: the L4 header starts at ihl * 4, not at sizeof(struct iphdr).
 *  - Non-first fragments (fragment offset != 0) carry no L4 header: the packet is parsed with
 *    has_ports = 0, so only clauses without a port condition can match it. That is what iptables
 *    does (the tcp/udp match refuses fragments with offset != 0) and what the reference evaluator
 *    does for a flow without a destination port. The first fragment (offset 0, MF set) carries the
 *    L4 header and is parsed like any packet.
 *  - Up to two VLAN tags (802.1Q / 802.1ad) are skipped: in XDP the tag is still in the frame while
 *    tc sees the skb after the stack moved it to skb->vlan_tci, so skipping tags here is what keeps
 *    the xdp and tc variants deciding alike.
 */
#ifndef BENCHLAB_PARSE_H
#define BENCHLAB_PARSE_H

#include <linux/types.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

/* include/net/ip.h's IP_OFFSET is not UAPI. */
#define BL_IP_FRAGMENT_OFFSET_MASK 0x1fff

/* include/linux/if_vlan.h's struct vlan_hdr is not UAPI. */
struct bl_vlan_hdr {
	__be16 tci;
	__be16 encapsulated_proto;
};

#define BL_MAX_VLAN_TAGS 2

/* The head of an ICMP echo message (linux/icmp.h pulls in libc headers a -target bpf build lacks). */
struct bl_icmp_echo_hdr {
	__u8 type;
	__u8 code;
	__sum16 checksum;
	__be16 id;
	__be16 sequence;
};

/* The fields a policy decision needs. Addresses stay in network byte order (the LPM key wants them so). */
struct bl_packet {
	__be32 saddr;
	__be32 daddr;
	__u16 dport;    /* host byte order; valid only when has_ports */
	__u8 proto;     /* IPPROTO_* */
	__u8 has_ports; /* 1 for a TCP/UDP packet whose L4 header is here (not a non-first fragment) */
	/* What the connection tracker (conntrack.h) keys and steps on; the stateless filter ignores them. */
	__u16 sport;     /* host byte order; valid only when has_ports */
	__u8 tcp_flags;  /* TCP flags byte (FIN 0x01, SYN 0x02, RST 0x04, ACK 0x10); valid only when has_ports */
	__u8 icmp_type;  /* ICMP type; valid only when has_icmp */
	__u16 icmp_id;   /* ICMP echo identifier, host byte order; valid only when has_icmp */
	__u8 has_icmp;   /* 1 for an ICMP packet whose header is here */
};

enum bl_parse_result {
	BL_PARSE_OK = 0,
	BL_PARSE_NOT_IPV4 = -1,
	BL_PARSE_MALFORMED = -2,
};

static __always_inline int bl_vlan_proto(__be16 proto)
{
	return proto == bpf_htons(ETH_P_8021Q) || proto == bpf_htons(ETH_P_8021AD);
}

/* Skips Ethernet and VLAN headers; on BL_PARSE_OK *l3 points at the network header, *proto is its type. */
static __always_inline int bl_parse_ethernet(void *data, void *data_end, void **l3, __be16 *proto)
{
	struct ethhdr *eth = data;
	void *cursor;
	__be16 type;

	if ((void *)(eth + 1) > data_end)
		return BL_PARSE_MALFORMED;
	type = eth->h_proto;
	cursor = eth + 1;

#pragma unroll
	for (int i = 0; i < BL_MAX_VLAN_TAGS; i++) {
		struct bl_vlan_hdr *vlan = cursor;

		if (!bl_vlan_proto(type))
			break;
		if ((void *)(vlan + 1) > data_end)
			return BL_PARSE_MALFORMED;
		type = vlan->encapsulated_proto;
		cursor = vlan + 1;
	}
	*l3 = cursor;
	*proto = type;
	return BL_PARSE_OK;
}

/* Reads the destination port when the L4 header is present; a TCP/UDP header cut short is malformed. */
static __always_inline int bl_parse_l4(void *l4, void *data_end, struct bl_packet *pkt)
{
	if (pkt->proto == IPPROTO_TCP) {
		struct tcphdr *tcp = l4;

		if ((void *)(tcp + 1) > data_end)
			return BL_PARSE_MALFORMED;
		pkt->dport = bpf_ntohs(tcp->dest);
		pkt->sport = bpf_ntohs(tcp->source);
		/* The flags byte follows the data offset byte (RFC 9293); struct tcphdr spells it as bitfields. */
		pkt->tcp_flags = ((__u8 *)tcp)[13];
		pkt->has_ports = 1;
	} else if (pkt->proto == IPPROTO_UDP) {
		struct udphdr *udp = l4;

		if ((void *)(udp + 1) > data_end)
			return BL_PARSE_MALFORMED;
		pkt->dport = bpf_ntohs(udp->dest);
		pkt->sport = bpf_ntohs(udp->source);
		pkt->has_ports = 1;
	} else if (pkt->proto == IPPROTO_ICMP) {
		struct bl_icmp_echo_hdr *icmp = l4;

		/* The policy reads nothing past the IPv4 header for ICMP; a short ICMP header only leaves
		 * has_icmp unset (the tracker then has no echo identifier to key on). */
		if ((void *)(icmp + 1) <= data_end) {
			pkt->icmp_type = icmp->type;
			pkt->icmp_id = bpf_ntohs(icmp->id);
			pkt->has_icmp = 1;
		}
	}
	/* Every other protocol: the policy reads nothing past the IPv4 header. */
	return BL_PARSE_OK;
}

static __always_inline int bl_parse_packet(void *data, void *data_end, struct bl_packet *pkt)
{
	struct iphdr *ip;
	__be16 proto;
	__u32 header_len;
	void *l3;
	int rc;

	rc = bl_parse_ethernet(data, data_end, &l3, &proto);
	if (rc < 0)
		return rc;
	if (proto != bpf_htons(ETH_P_IP))
		return BL_PARSE_NOT_IPV4;

	ip = l3;
	if ((void *)(ip + 1) > data_end)
		return BL_PARSE_MALFORMED;
	if (ip->version != 4 || ip->ihl < 5)
		return BL_PARSE_MALFORMED;
	/* ihl counts 32-bit words and includes the options: 20..60 bytes. */
	header_len = ip->ihl * 4;
	if (l3 + header_len > data_end)
		return BL_PARSE_MALFORMED;

	pkt->saddr = ip->saddr;
	pkt->daddr = ip->daddr;
	pkt->proto = ip->protocol;
	pkt->dport = 0;
	pkt->has_ports = 0;
	pkt->sport = 0;
	pkt->tcp_flags = 0;
	pkt->icmp_type = 0;
	pkt->icmp_id = 0;
	pkt->has_icmp = 0;

	if (ip->frag_off & bpf_htons(BL_IP_FRAGMENT_OFFSET_MASK))
		return BL_PARSE_OK; /* non-first fragment: no L4 header, see above */
	return bl_parse_l4(l3 + header_len, data_end, pkt);
}

#endif /* BENCHLAB_PARSE_H */
