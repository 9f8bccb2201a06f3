/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
// benchlab: variants xdp tc
/*
 * benchlab's stateless filter: the composition root. One body, two variants (bpf/lib/variant.h):
 * program bl_filter_xdp in SEC("xdp") and bl_filter_tc in SEC("tc").
 *
 * It runs on the ingress of the device under test's interface facing the client, so it sees only
 * client -> server traffic; replies never reach it (DESIGN.md: the policy is one-directional).
 */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>
#include "variant.h"
#include "policy_maps.h"
#include "parse.h"
#include "policy.h"
#include "counters.h"
#include "linearize.h"

/* Why each packet got its verdict, indexed by enum bl_counter_index; LabBPF reads it by this name. */
BL_COUNTER_ARRAY(bl_counters, BL_COUNT_MAX);

static __always_inline void bl_count(enum bl_counter_index index, __u64 bytes)
{
	bl_counter_add(&bl_counters, index, bytes);
}


SEC(BL_SECTION)
int BL_PROGRAM_NAME(bl_filter)(BL_CTX *ctx)
{
	struct bl_packet pkt;
	enum bl_counter_index verdict;
	void *data, *data_end;
	int rc;

	bl_linearize_headers(ctx);
	data = (void *)(long)ctx->data;
	data_end = (void *)(long)ctx->data_end;

	rc = bl_parse_packet(data, data_end, &pkt);
	if (rc == BL_PARSE_NOT_IPV4) {
		bl_count(BL_COUNT_PASS_NOT_IPV4, BL_PACKET_BYTES(ctx));
		return BL_VERDICT_PASS;
	}
	if (rc < 0) {
		bl_count(BL_COUNT_PASS_MALFORMED, BL_PACKET_BYTES(ctx));
		return BL_VERDICT_PASS;
	}

	verdict = bl_policy_decide(&pkt);
	bl_count(verdict, BL_PACKET_BYTES(ctx));
	if (verdict == BL_COUNT_DENY_RULE || verdict == BL_COUNT_DENY_DEFAULT)
		return BL_VERDICT_DROP;
	return BL_VERDICT_PASS;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
