// The slice of libmnl and libnetfilter_conntrack that LabNetlink wraps; nothing else in benchlab
// includes them. The conntrack netlink constants come from libnetfilter_conntrack's own copy of the
// kernel header (including <linux/netfilter/nfnetlink_conntrack.h> as well would redefine them).
#include <libmnl/libmnl.h>
#include <libnetfilter_conntrack/libnetfilter_conntrack.h>
#include <linux/netlink.h>
#include <sys/socket.h>
