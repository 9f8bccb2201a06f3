#if canImport(Glibc)
import Glibc
#endif
import CNetfilterConntrack
import LabConntrack
import LabNetwork

/// One destroy event as the kernel sent it.
public struct ConntrackDestroyEvent: Sendable, Equatable {
    /// The entry's original tuple (the direction its first packet went).
    public var flow: TrackedFlow
    /// CTA_TIMESTAMP stop, CLOCK_REALTIME nanoseconds: when the kernel deleted the entry or, for an
    /// entry deleted after its timeout ran out, when it expired (the kernel backdates it). nil when the
    /// entry was created while nf_conntrack_timestamp was off in its namespace.
    public var stopRealtimeNanoseconds: UInt64?

    public init(flow: TrackedFlow, stopRealtimeNanoseconds: UInt64?) {
        self.flow = flow
        self.stopRealtimeNanoseconds = stopRealtimeNanoseconds
    }
}

/// Decodes NFNLGRP_CONNTRACK_DESTROY messages with libnetfilter_conntrack's `nfct_nlmsg_parse`. Pure:
/// works on received datagrams and captured fixtures alike.
public enum ConntrackEventDecoder {
    /// The IPv4 destroy events in `bytes` (a datagram carries one; a capture may hold several).
    /// Entries of other families are skipped: every flow the lab makes is IPv4 (198.18.0.0/15).
    public static func destroyEvents(_ bytes: some Collection<UInt8>) throws -> [ConntrackDestroyEvent] {
        let context = "nf_conntrack destroy event"
        var events: [ConntrackDestroyEvent] = []
        try NetlinkBuffer(bytes).forEachMessage(context: context) { message in
            if try ConntrackMessage.control(message, context: context) != nil { return }
            guard message.pointee.nlmsg_type == ConntrackMessage.delete else {
                throw NetlinkDecodeError(context, "unexpected message type 0x\(String(message.pointee.nlmsg_type, radix: 16)) (not a conntrack delete)")
            }
            // Every attribute is checked for overruns first; nfct_nlmsg_parse alone skips a bad tail.
            _ = try NetlinkAttributes(message, context: context)
            // A fresh object per message: nfct_nlmsg_parse only sets, so a reused one keeps the last event's attributes.
            guard let ct = nfct_new() else { throw NetlinkDecodeError(context, "nfct_new: out of memory") }
            defer { nfct_destroy(ct) }
            guard nfct_nlmsg_parse(message, ct) >= 0 else {
                throw NetlinkDecodeError(context, "libnetfilter_conntrack cannot parse the message (errno \(errno))")
            }
            if let event = try event(from: ct, context: context) { events.append(event) }
        }
        return events
    }

    private static func event(from ct: OpaquePointer, context: String) throws -> ConntrackDestroyEvent? {
        for required in [ATTR_ORIG_L3PROTO, ATTR_ORIG_L4PROTO] where nfct_attr_is_set(ct, required) <= 0 {
            throw NetlinkDecodeError(context, "the event has no original tuple")
        }
        guard Int32(nfct_get_attr_u8(ct, ATTR_ORIG_L3PROTO)) == AF_INET else { return nil }
        for required in [ATTR_ORIG_IPV4_SRC, ATTR_ORIG_IPV4_DST] where nfct_attr_is_set(ct, required) <= 0 {
            throw NetlinkDecodeError(context, "the event's original tuple has no IPv4 addresses")
        }
        let proto = nfct_get_attr_u8(ct, ATTR_ORIG_L4PROTO)
        var sourcePort: UInt16 = 0
        var destinationPort: UInt16 = 0
        if proto == UInt8(IPPROTO_ICMP) {
            // Echo: the identifier stands for the flow, as the BPF trackers key it.
            if nfct_attr_is_set(ct, ATTR_ICMP_ID) > 0 { sourcePort = UInt16(bigEndian: nfct_get_attr_u16(ct, ATTR_ICMP_ID)) }
        } else if nfct_attr_is_set(ct, ATTR_ORIG_PORT_SRC) > 0 {
            sourcePort = UInt16(bigEndian: nfct_get_attr_u16(ct, ATTR_ORIG_PORT_SRC))
            destinationPort = UInt16(bigEndian: nfct_get_attr_u16(ct, ATTR_ORIG_PORT_DST))
        }
        let flow = TrackedFlow(proto: proto,
                               source: IPv4Address(UInt32(bigEndian: nfct_get_attr_u32(ct, ATTR_ORIG_IPV4_SRC))),
                               destination: IPv4Address(UInt32(bigEndian: nfct_get_attr_u32(ct, ATTR_ORIG_IPV4_DST))),
                               sourcePort: sourcePort, destinationPort: destinationPort)
        let stop = nfct_attr_is_set(ct, ATTR_TIMESTAMP_STOP) > 0 ? nfct_get_attr_u64(ct, ATTR_TIMESTAMP_STOP) : 0
        return ConntrackDestroyEvent(flow: flow, stopRealtimeNanoseconds: stop > 0 ? stop : nil)
    }
}
