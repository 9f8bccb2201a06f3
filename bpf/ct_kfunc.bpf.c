/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
// benchlab: variants xdp tc
/*
 * benchlab's stateful filter on nf_conntrack itself, through the conntrack kfuncs
 * (net/netfilter/nf_conntrack_bpf.c): the same sides and semantics as bpf/ct_filter.bpf.c, but the
 * table is the namespace's nf_conntrack table. A client flow the policy allows is allocated and
 * inserted with the scenario's timeout; every packet of a live flow renews the timeout for its
 * state (TCP: SYN until the first non-SYN packet, then established; FIN or RST: close), since no
 * netfilter hook in the lab's namespace updates these entries. nf_conntrack's own GC reclaims them.
 *
 * The kfuncs take TCP and UDP only (opts->l4proto), so ICMP echo is tracked in the lab's own table
 * (bpf/lib/conntrack.h: bl_ct_tables, whose one inner map user space makes a small LRU hash at load,
 * the icmp timeout a load-time constant) with ct_filter's semantics: a client echo request of a live
 * flow passes, a new one is decided by the policy and, when allowed, entered; a server echo reply
 * passes only for a live flow; any other server ICMP is unsolicited, any other client ICMP is decided
 * by the policy alone. Both paths count into the same bl_ct_counters.
 * Programs bl_ct_kfunc_xdp and bl_ct_kfunc_tc.
 */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>
#include "variant.h"
#include "policy_maps.h"
#include "parse.h"
#include "policy.h"
#include "counters.h"
#include "ct_counters.h"
#include "conntrack.h"
#include "linearize.h"

/*
 * Opaque to the program, which only hands these pointers back to the kfuncs. Given bodies, not
 * left as forward declarations: libbpf matches an extern's prototype against the kernel's by BTF
 * kind, and a FWD is not a STRUCT ("func_proto incompatible with kernel").
 */
struct nf_conn {
	__u64 opaque;
};
struct nf_conn___init {
	__u64 opaque;
};

/* The kernel's struct bpf_ct_opts (NF_BPF_CT_OPTS_SZ = 16). */
struct bpf_ct_opts {
	__s32 netns_id;
	__s32 error;
	__u8 l4proto;
	__u8 dir;
	__u16 ct_zone_id;
	__u8 ct_zone_dir;
	__u8 reserved[3];
};

#define BL_CT_OPTS_SIZE 16
#define BL_CURRENT_NETNS (-1)

#if defined(BL_VARIANT_XDP)
extern struct nf_conn *bpf_xdp_ct_lookup(struct xdp_md *ctx, struct bpf_sock_tuple *tuple, __u32 tuple__sz,
					 struct bpf_ct_opts *opts, __u32 opts__sz) __ksym;
extern struct nf_conn___init *bpf_xdp_ct_alloc(struct xdp_md *ctx, struct bpf_sock_tuple *tuple, __u32 tuple__sz,
					       struct bpf_ct_opts *opts, __u32 opts__sz) __ksym;
#define bl_kf_lookup bpf_xdp_ct_lookup
#define bl_kf_alloc bpf_xdp_ct_alloc
#else
extern struct nf_conn *bpf_skb_ct_lookup(struct __sk_buff *ctx, struct bpf_sock_tuple *tuple, __u32 tuple__sz,
					 struct bpf_ct_opts *opts, __u32 opts__sz) __ksym;
extern struct nf_conn___init *bpf_skb_ct_alloc(struct __sk_buff *ctx, struct bpf_sock_tuple *tuple, __u32 tuple__sz,
					       struct bpf_ct_opts *opts, __u32 opts__sz) __ksym;
#define bl_kf_lookup bpf_skb_ct_lookup
#define bl_kf_alloc bpf_skb_ct_alloc
#endif
extern struct nf_conn *bpf_ct_insert_entry(struct nf_conn___init *nfct_i) __ksym;
extern void bpf_ct_release(struct nf_conn *nfct) __ksym;
extern void bpf_ct_set_timeout(struct nf_conn___init *nfct, __u32 timeout) __ksym;
extern int bpf_ct_change_timeout(struct nf_conn *nfct, __u32 timeout) __ksym;

/* BL_TCP_* flags: bpf/lib/conntrack.h. */

/* Load-time constants: the client-facing interface and the timeouts in milliseconds (what the kfuncs take). */
const volatile __u32 bl_ct_client_ifindex = 0;
const volatile __u32 bl_kf_timeout_tcp_syn_ms = 120000;
const volatile __u32 bl_kf_timeout_tcp_established_ms = 432000000;
const volatile __u32 bl_kf_timeout_tcp_close_ms = 120000;
const volatile __u32 bl_kf_timeout_udp_ms = 30000;

BL_COUNTER_ARRAY(bl_counters, BL_COUNT_MAX);

static __always_inline int bl_kf_policy_drops(const struct bl_packet *pkt, __u64 bytes)
{
	enum bl_counter_index verdict = bl_policy_decide(pkt);

	bl_counter_add(&bl_counters, verdict, bytes);
	return verdict == BL_COUNT_DENY_RULE || verdict == BL_COUNT_DENY_DEFAULT;
}

/*
 * An ICMP packet, against the lab's own table (the kfuncs cannot track it): the same decisions as
 * bl_ct_from_client / bl_ct_from_server in bpf/ct_filter.bpf.c.
 */
static __always_inline int bl_kf_icmp(const struct bl_packet *pkt, int from_server, __u64 bytes)
{
	struct bl_ct_entry *entry;
	struct bl_ct_key key;
	void *table;
	__u64 now;
	int found;

	if (bl_ct_key_of(pkt, from_server, &key) < 0) {
		/* Not an echo request from the client nor an echo reply from the server: no flow. */
		if (from_server) {
			bl_ct_count(BL_CT_UNSOLICITED);
			return BL_VERDICT_DROP;
		}
		return bl_kf_policy_drops(pkt, bytes) ? BL_VERDICT_DROP : BL_VERDICT_PASS;
	}
	table = bl_ct_table();
	if (!table)
		return BL_VERDICT_DROP; /* the loader always fills the slot; without it no reply can be told */
	now = bpf_ktime_get_coarse_ns(); /* the clock conntrack.h's entries use */
	found = bl_ct_lookup(table, &key, now, &entry);
	if (found == BL_CT_LIVE) {
		bl_ct_refresh(entry, pkt, from_server, now);
		return BL_VERDICT_PASS;
	}
	if (from_server) {
		bl_ct_count(BL_CT_UNSOLICITED);
		return BL_VERDICT_DROP;
	}
	if (bl_kf_policy_drops(pkt, bytes)) {
		bl_ct_count(BL_CT_NEW_DENIED);
		return BL_VERDICT_DROP;
	}
	if (bl_ct_create(table, &key, found == BL_CT_EXPIRED ? entry : NULL, pkt, now))
		return BL_VERDICT_DROP;
	return BL_VERDICT_PASS;
}

/*
 * TCP flows that have seen a FIN or RST. nf_conntrack's own TCP state machine never runs on these
 * entries (no netfilter hook in the namespace updates them), so the program remembers the close
 * itself: without it, the last ACK of a closed connection would renew the established timeout and
 * the entry would outlive its connection by tcp_established instead of tcp_close.
 */
struct bl_kf_flow {
	__be32 client;
	__be32 server;
	__u16 client_port;
	__u16 server_port;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 65536);
	__type(key, struct bl_kf_flow);
	__type(value, __u8);
} bl_kf_closing SEC(".maps");

/* The flow a TCP packet belongs to, named from the client side whichever side sent it. */
static __always_inline void bl_kf_flow_of(const struct bl_packet *pkt, int from_server, struct bl_kf_flow *flow)
{
	if (from_server) {
		flow->client = pkt->daddr;
		flow->server = pkt->saddr;
		flow->client_port = pkt->dport;
		flow->server_port = pkt->sport;
	} else {
		flow->client = pkt->saddr;
		flow->server = pkt->daddr;
		flow->client_port = pkt->sport;
		flow->server_port = pkt->dport;
	}
}

/* The timeout a packet of a live flow renews. */
static __always_inline __u32 bl_kf_timeout(const struct bl_packet *pkt)
{
	if (pkt->proto != IPPROTO_TCP)
		return bl_kf_timeout_udp_ms;
	if (pkt->tcp_flags & (BL_TCP_FIN | BL_TCP_RST))
		return bl_kf_timeout_tcp_close_ms;
	if (pkt->tcp_flags & BL_TCP_SYN && !(pkt->tcp_flags & BL_TCP_ACK))
		return bl_kf_timeout_tcp_syn_ms;
	return bl_kf_timeout_tcp_established_ms;
}

/* The timeout a packet of a tracked TCP or UDP flow renews: a FIN or RST marks the flow closing, and
 * every later packet of a closing flow renews tcp_close only. */
static __always_inline __u32 bl_kf_live_timeout(const struct bl_packet *pkt, int from_server)
{
	struct bl_kf_flow flow;
	__u8 closing = 1;

	if (pkt->proto != IPPROTO_TCP)
		return bl_kf_timeout(pkt);
	bl_kf_flow_of(pkt, from_server, &flow);
	if (pkt->tcp_flags & (BL_TCP_FIN | BL_TCP_RST)) {
		bpf_map_update_elem(&bl_kf_closing, &flow, &closing, BPF_ANY);
		return bl_kf_timeout_tcp_close_ms;
	}
	if (bpf_map_lookup_elem(&bl_kf_closing, &flow))
		return bl_kf_timeout_tcp_close_ms;
	return bl_kf_timeout(pkt);
}

/* A new connection on a tuple that closed before starts open again. */
static __always_inline void bl_kf_forget_close(const struct bl_packet *pkt)
{
	struct bl_kf_flow flow;

	if (pkt->proto != IPPROTO_TCP)
		return;
	bl_kf_flow_of(pkt, 0, &flow);
	bpf_map_delete_elem(&bl_kf_closing, &flow);
}

SEC(BL_SECTION)
int BL_PROGRAM_NAME(bl_ct_kfunc)(BL_CTX *ctx)
{
	struct bpf_ct_opts opts = { .netns_id = BL_CURRENT_NETNS };
	struct bpf_sock_tuple tuple = {};
	struct nf_conn___init *fresh;
	struct nf_conn *ct;
	struct bl_packet pkt;
	void *data, *data_end;
	int from_server;
	__u64 bytes;

	bl_linearize_headers(ctx);
	data = (void *)(long)ctx->data;
	data_end = (void *)(long)ctx->data_end;
	/* The length as a scalar now: left to later, clang spills the low half of the data_end pointer,
	 * which the verifier refuses ("invalid size of register spill"). */
	bytes = BL_PACKET_BYTES(ctx);
	asm volatile("" : "+r"(bytes));

	if (bl_parse_packet(data, data_end, &pkt) < 0) {
		bl_ct_count(BL_CT_PASS_OTHER);
		return BL_VERDICT_PASS;
	}
	from_server = BL_INGRESS_IFINDEX(ctx) != bl_ct_client_ifindex;
	if (pkt.proto == IPPROTO_ICMP)
		return bl_kf_icmp(&pkt, from_server, bytes);
	if ((pkt.proto != IPPROTO_TCP && pkt.proto != IPPROTO_UDP) || !pkt.has_ports) {
		if (from_server) {
			bl_ct_count(BL_CT_UNSOLICITED);
			return BL_VERDICT_DROP;
		}
		return bl_kf_policy_drops(&pkt, bytes) ? BL_VERDICT_DROP : BL_VERDICT_PASS;
	}
	/* The packet's own tuple: nf_conntrack finds a flow from either direction's tuple. */
	tuple.ipv4.saddr = pkt.saddr;
	tuple.ipv4.daddr = pkt.daddr;
	tuple.ipv4.sport = bpf_htons(pkt.sport);
	tuple.ipv4.dport = bpf_htons(pkt.dport);
	opts.l4proto = pkt.proto;

	ct = bl_kf_lookup(ctx, &tuple, sizeof(tuple.ipv4), &opts, BL_CT_OPTS_SIZE);
	if (ct) {
		bpf_ct_change_timeout(ct, bl_kf_live_timeout(&pkt, from_server));
		bpf_ct_release(ct);
		bl_ct_count(from_server ? BL_CT_HIT_REPLY : BL_CT_HIT_ORIGINAL);
		return BL_VERDICT_PASS;
	}
	if (from_server) {
		bl_ct_count(BL_CT_UNSOLICITED);
		return BL_VERDICT_DROP;
	}
	if (pkt.proto == IPPROTO_TCP && (pkt.tcp_flags & (BL_TCP_SYN | BL_TCP_ACK | BL_TCP_RST)) != BL_TCP_SYN) {
		bl_ct_count(BL_CT_INVALID);
		return BL_VERDICT_DROP;
	}
	if (bl_kf_policy_drops(&pkt, bytes)) {
		bl_ct_count(BL_CT_NEW_DENIED);
		return BL_VERDICT_DROP;
	}
	opts.netns_id = BL_CURRENT_NETNS;
	opts.error = 0;
	fresh = bl_kf_alloc(ctx, &tuple, sizeof(tuple.ipv4), &opts, BL_CT_OPTS_SIZE);
	if (!fresh) {
		/* -ENOMEM: nf_conntrack_max reached (nf_conntrack's "table full"). */
		bl_ct_count(BL_CT_REFUSED_FULL);
		return BL_VERDICT_DROP;
	}
	bl_kf_forget_close(&pkt);
	bpf_ct_set_timeout(fresh, bl_kf_timeout(&pkt));
	ct = bpf_ct_insert_entry(fresh);
	if (!ct) {
		/* Another CPU inserted the same flow first (a clash): it is tracked all the same. */
		bl_ct_count(BL_CT_HIT_ORIGINAL);
		return BL_VERDICT_PASS;
	}
	bpf_ct_release(ct);
	bl_ct_count(BL_CT_CREATED);
	return BL_VERDICT_PASS;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL"; /* GPL-compatible, as the kfuncs require */
