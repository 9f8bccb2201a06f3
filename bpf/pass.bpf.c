/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
// benchlab: variants xdp tc
/*
 * The null program: passes every packet and counts it, nothing else. BPF_PROG_TEST_RUN of it is the
 * floor of per-packet cost on this machine (program entry, one per-CPU counter, return), so the
 * filter's ns per packet can be read as "floor + what the policy costs".
 * Programs bl_pass_xdp in SEC("xdp") and bl_pass_tc in SEC("tc").
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "variant.h"
#include "counters.h"

/* One slot: packets and bytes seen. */
BL_COUNTER_ARRAY(bl_pass_counters, 1);

SEC(BL_SECTION)
int BL_PROGRAM_NAME(bl_pass)(BL_CTX *ctx)
{
	bl_counter_add(&bl_pass_counters, 0, BL_PACKET_BYTES(ctx));
	return BL_VERDICT_PASS;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
