// The slice of libbpf that LabBPF wraps; nothing else in benchlab includes libbpf.
#include <bpf/libbpf.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <linux/if_link.h>
#include <linux/pkt_cls.h>

// Map key/value layouts shared with the BPF programs: the one definition both sides compile against.
#include "../../bpf/include/policy_maps.h"
#include "../../bpf/include/conntrack_maps.h"
#include "../../bpf/include/nat_maps.h"
