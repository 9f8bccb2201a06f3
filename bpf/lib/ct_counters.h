/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* The stateful filters' per-CPU counters (enum bl_ct_counter_index, bpf/include/conntrack_maps.h). */
#ifndef BENCHLAB_CT_COUNTERS_H
#define BENCHLAB_CT_COUNTERS_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "conntrack_maps.h"

/* Why each tracked packet got its verdict, by enum bl_ct_counter_index; LabBPF reads it by this name. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, BL_CT_COUNTER_MAX);
	__type(key, __u32);
	__type(value, __u64);
} bl_ct_counters SEC(".maps");

static __always_inline void bl_ct_count(__u32 index)
{
	__u64 *counter = bpf_map_lookup_elem(&bl_ct_counters, &index);

	if (counter)
		*counter += 1;
}

#endif /* BENCHLAB_CT_COUNTERS_H */
