import CLibBPF
import LabPolicy

/// The tracker's timeouts in nanoseconds, by (protocol, state): the same function the program
/// computes (bl_ct_timeout in bpf/lib/conntrack.h), so the collector deletes exactly what the
/// datapath already treats as absent.
public struct CTLifetimes: Sendable, Hashable {
    public let timeouts: ConntrackTimeouts

    public init(_ timeouts: ConntrackTimeouts) {
        self.timeouts = timeouts
    }

    public func nanoseconds(proto: UInt8, state: UInt8) -> UInt64 {
        let seconds: Int
        switch UInt32(state) {
        case BL_CT_STATE_TCP_SYN.rawValue: seconds = timeouts.tcpSyn
        case BL_CT_STATE_TCP_ESTABLISHED.rawValue: seconds = timeouts.tcpEstablished
        case BL_CT_STATE_TCP_CLOSING.rawValue: seconds = timeouts.tcpClose
        default: seconds = proto == 1 ? timeouts.icmp : timeouts.udp
        }
        return UInt64(seconds) * 1_000_000_000
    }

    /// Whether `entry` has expired at `now` (CLOCK_MONOTONIC_COARSE ns, CTClock), as the program decides it.
    public func isExpired(_ entry: bl_ct_entry, proto: UInt8, now: UInt64) -> Bool {
        Int64(bitPattern: now &- entry.last_seen_ns) > Int64(nanoseconds(proto: proto, state: entry.state))
    }

    /// The load-time constants of bpf/lib/conntrack.h and their values.
    var constants: [(name: String, nanoseconds: UInt64)] {
        [("bl_ct_timeout_tcp_syn_ns", nanoseconds(proto: 6, state: UInt8(BL_CT_STATE_TCP_SYN.rawValue))),
         ("bl_ct_timeout_tcp_established_ns", nanoseconds(proto: 6, state: UInt8(BL_CT_STATE_TCP_ESTABLISHED.rawValue))),
         ("bl_ct_timeout_tcp_close_ns", nanoseconds(proto: 6, state: UInt8(BL_CT_STATE_TCP_CLOSING.rawValue))),
         ("bl_ct_timeout_udp_ns", nanoseconds(proto: 17, state: UInt8(BL_CT_STATE_OPEN.rawValue))),
         ("bl_ct_timeout_icmp_ns", nanoseconds(proto: 1, state: UInt8(BL_CT_STATE_OPEN.rawValue)))]
    }
}
