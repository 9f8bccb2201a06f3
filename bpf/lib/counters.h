/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Per-CPU packet/byte counters by verdict reason (enum bl_counter_index): no atomics, no sharing. */
#ifndef BENCHLAB_COUNTERS_H
#define BENCHLAB_COUNTERS_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "policy_maps.h"

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, BL_COUNT_MAX);
	__type(key, __u32);
	__type(value, struct bl_counter);
} bl_counters SEC(".maps");

static __always_inline void bl_count(enum bl_counter_index index, __u64 bytes)
{
	__u32 key = index;
	struct bl_counter *counter = bpf_map_lookup_elem(&bl_counters, &key);

	if (counter) {
		counter->packets++;
		counter->bytes += bytes;
	}
}

#endif /* BENCHLAB_COUNTERS_H */
