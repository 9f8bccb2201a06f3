/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Per-CPU packet/byte counters (struct bl_counter, bpf/include/policy_maps.h): no atomics, no sharing. */
#ifndef BENCHLAB_COUNTERS_H
#define BENCHLAB_COUNTERS_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "policy_maps.h"

/* A per-CPU array of `entries` counters named `name` (each program declares the one it counts in). */
#define BL_COUNTER_ARRAY(name, entries)                     \
	struct {                                            \
		__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);    \
		__uint(max_entries, entries);               \
		__type(key, __u32);                         \
		__type(value, struct bl_counter);           \
	} name SEC(".maps")

static __always_inline void bl_counter_add(void *counters, __u32 index, __u64 bytes)
{
	struct bl_counter *counter = bpf_map_lookup_elem(counters, &index);

	if (counter) {
		counter->packets++;
		counter->bytes += bytes;
	}
}

#endif /* BENCHLAB_COUNTERS_H */
