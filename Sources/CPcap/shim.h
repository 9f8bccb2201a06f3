// The slice of libpcap that LabCapture wraps (live capture, BPF filters, savefiles); nothing else in
// benchlab includes it. pcap/pcap.h rather than pcap.h: the latter is a compatibility wrapper.
#include <pcap/pcap.h>
