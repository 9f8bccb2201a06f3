import CLibBPF
import LabPolicy
import LabSystem

/// benchlab's stateful filter on nf_conntrack through the conntrack kfuncs (bpf/ct_kfunc.bpf.c):
/// the policy maps of the stateless filter and the per-CPU counters of the lab's tracker; TCP and UDP
/// flows live in the namespace's nf_conntrack table, ICMP echo flows in a small LRU table of the lab's
/// own (`icmpTable`), since the kfuncs take TCP and UDP only.
public final class CTKfuncFilter {
    /// The ICMP echo table's size: the lab's ICMP flows are probes and pings, a handful at a time;
    /// an LRU hash evicts the oldest rather than refuse when more come.
    public static let icmpTableCapacity = 4096

    public let filter: BPFFilter
    public let clientIndex: UInt32
    /// The ICMP echo flows (bl_ct_tables' one slot), with the lab's tracker's key and entry layout.
    public let icmpTable: CTTable
    private let calls: CTProgramCalls

    public init(variant: FilterVariant, image: BPFPolicyImage, timeouts: ConntrackTimeouts, clientIndex: UInt32,
                icmpCapacity: Int = CTKfuncFilter.icmpTableCapacity) throws {
        let icmpTable = try CTTable(kind: .lru, capacity: icmpCapacity)
        filter = try BPFFilter(variant: variant, image: image,
                               resource: BPFObjectResource(program: "ct_kfunc", variant: variant.rawValue),
                               programName: "bl_ct_kfunc_\(variant.rawValue)") { object in
            try object.setReadOnlyGlobal("bl_ct_client_ifindex", to: clientIndex)
            // conntrack.h's lifetimes, of which the ICMP path reads bl_ct_timeout_icmp_ns only.
            for constant in CTLifetimes(timeouts).constants { try object.setReadOnlyGlobal(constant.name, to: constant.nanoseconds) }
            try object.setInnerMap(of: "bl_ct_tables", templateFD: icmpTable.fd)
            for (name, seconds) in [("bl_kf_timeout_tcp_syn_ms", timeouts.tcpSyn),
                                    ("bl_kf_timeout_tcp_established_ms", timeouts.tcpEstablished),
                                    ("bl_kf_timeout_tcp_close_ms", timeouts.tcpClose), ("bl_kf_timeout_udp_ms", timeouts.udp)] {
                // ConntrackTimeouts.range caps a timeout at 30 days: 2.6e9 ms fits a u32.
                try object.setReadOnlyGlobal(name, to: UInt32(seconds * 1000))
            }
        }
        calls = try CTProgramCalls(filter: filter)
        try filter.program.object.map(named: "bl_ct_tables").update(UInt32(0), icmpTable.fd)
        self.icmpTable = icmpTable
        self.clientIndex = clientIndex
    }

    /// Why the kfunc program cannot load here (no conntrack kfuncs in this kernel's BTF, not root, …),
    /// or nil when it loads. Probed by loading it, never by a kernel version.
    public static func unavailability(variant: FilterVariant) -> String? {
        do {
            _ = try CTKfuncFilter(variant: variant, image: try BPFPolicyCompiler.compile(.allowAll),
                                  timeouts: .kernelDefaults, clientIndex: 1)
            return nil
        } catch {
            return error.oneLine
        }
    }

    public func counters() throws -> CTCounters { try calls.counters() }

    /// Runs the program on `packet` as if it arrived on `ingressIndex` (in the calling thread's namespace).
    public func run(_ packet: [UInt8], ingressIndex: UInt32, repeat repetitions: Int = 1) throws -> FilterRun {
        try calls.run(packet, ingressIndex: ingressIndex, repetitions: repetitions)
    }
}
