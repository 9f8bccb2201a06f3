/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* bl_linearize_headers: every byte the parser may read in the linear part of a tc skb (no-op in XDP). */
#ifndef BENCHLAB_LINEARIZE_H
#define BENCHLAB_LINEARIZE_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "variant.h"

#if defined(BL_VARIANT_TC)
/* Ethernet + two VLAN tags + IPv4 with the longest options + TCP: every byte the parser may read. */
#define BL_HEADER_BYTES (14 + 2 * 4 + 60 + 20)

/*
 * Direct packet access in tc sees only the skb's linear part; a GRO'd or paged skb may hold its
 * headers in fragments, which would look truncated. Pull the headers into the linear part when (and
 * only when) they are not there, as cilium's revalidate_data_pull does. Packet pointers must be
 * reloaded afterwards: the helper invalidates them.
 */
static __always_inline void bl_linearize_headers(struct __sk_buff *skb)
{
	__u32 want = skb->len < BL_HEADER_BYTES ? skb->len : BL_HEADER_BYTES;

	if ((__u32)(skb->data_end - skb->data) < want)
		bpf_skb_pull_data(skb, want);
}
#else
static __always_inline void bl_linearize_headers(struct xdp_md *ctx) { (void)ctx; }
#endif

#endif /* BENCHLAB_LINEARIZE_H */
