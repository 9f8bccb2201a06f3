// The slice of libbpf that LabBPF wraps; nothing else in benchlab includes libbpf.
#include <bpf/libbpf.h>
#include <bpf/bpf.h>
