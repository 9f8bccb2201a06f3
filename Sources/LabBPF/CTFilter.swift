#if canImport(Glibc)
import Glibc
#endif
import CLibBPF
import LabPolicy
import LabSystem

/// benchlab's stateful filter (bpf/ct_filter.bpf.c) loaded for one variant: the policy maps of the
/// stateless filter, the connection table the program reaches through bl_ct_tables (an
/// ARRAY_OF_MAPS of one slot), and its per-CPU counters.
///
/// Why ARRAY_OF_MAPS rather than reloading the object and swapping links with bpf_link_update: a
/// resize is then one array write under the running program (no second verifier pass, no policy
/// refill, and the tc clsact fallback has no link to update), at the cost of one inlined array lookup
/// per packet.
public final class CTFilter {
    public let filter: BPFFilter
    public let lifetimes: CTLifetimes
    public let clientIndex: UInt32
    /// The table packets use now.
    public private(set) var table: CTTable
    private let tables: BPFMap
    private let calls: CTProgramCalls

    /// Loads the object with the timeouts and the client-side interface index fixed in .rodata and
    /// a fresh `kind` table of `capacity` entries in its slot.
    public init(variant: FilterVariant, image: BPFPolicyImage, timeouts: ConntrackTimeouts, kind: CTTableKind,
                capacity: Int, clientIndex: UInt32) throws {
        let lifetimes = CTLifetimes(timeouts)
        let table = try CTTable(kind: kind, capacity: capacity)
        filter = try BPFFilter(variant: variant, image: image,
                               resource: BPFObjectResource(program: "ct_filter", variant: variant.rawValue),
                               programName: "bl_ct_filter_\(variant.rawValue)") { object in
            for constant in lifetimes.constants { try object.setReadOnlyGlobal(constant.name, to: constant.nanoseconds) }
            try object.setReadOnlyGlobal("bl_ct_client_ifindex", to: clientIndex)
            try object.setInnerMap(of: "bl_ct_tables", templateFD: table.fd)
        }
        let object = filter.program.object
        tables = try object.map(named: "bl_ct_tables")
        calls = try CTProgramCalls(filter: filter)
        self.lifetimes = lifetimes
        self.clientIndex = clientIndex
        self.table = table
        try tables.update(UInt32(0), table.fd)
    }

    /// Puts a fresh, empty table of `capacity` entries under the running program; the old one (and
    /// its entries) goes when the last reference to it does. Every packet after the write sees the
    /// new table.
    @discardableResult
    public func replaceTable(capacity: Int) throws -> CTTable {
        let fresh = try CTTable(kind: table.kind, capacity: capacity)
        try tables.update(UInt32(0), fresh.fd)
        table = fresh
        return fresh
    }

    /// The per-CPU counters summed, by enum bl_ct_counter_index.
    public func counters() throws -> CTCounters { try calls.counters() }

    /// Runs the program on `packet` as if it arrived on interface `ingressIndex` (resolved by the
    /// kernel in the calling thread's namespace: run it inside the filter's namespace).
    public func run(_ packet: [UInt8], ingressIndex: UInt32, repeat repetitions: Int = 1) throws -> FilterRun {
        try calls.run(packet, ingressIndex: ingressIndex, repetitions: repetitions)
    }

    /// A test run's ctx_in naming the ingress interface, for either variant.
    static func context(_ variant: FilterVariant, packet: [UInt8], ingressIndex: UInt32) -> [UInt8] {
        switch variant {
        case .xdp:
            // The kernel wants data_end == the packet's length and no metadata.
            var md = xdp_md()
            md.data_end = UInt32(packet.count)
            md.ingress_ifindex = ingressIndex
            return withUnsafeBytes(of: md) { Array($0) }
        case .tc:
            // ifindex sets skb->dev (1, the loopback device, is the default).
            var skb = __sk_buff()
            skb.ifindex = ingressIndex
            return withUnsafeBytes(of: skb) { Array($0) }
        }
    }

    /// The index of `target` in its namespace, for `clientIndex`.
    public static func index(of target: InterfaceTarget) throws -> UInt32 {
        try target.withIndex { UInt32($0) }
    }
}

/// The stateful filter's counters, by name (the keys of ConnectionTracker.statistics).
public struct CTCounters: Sendable, Equatable {
    public let values: [UInt64]

    public static let names = ["created", "hit_original", "hit_reply", "new_denied", "unsolicited", "invalid",
                               "refused_full", "expired_reused", "pass_other"]

    public subscript(index: bl_ct_counter_index) -> UInt64 { values[Int(index.rawValue)] }

    public var byName: [String: UInt64] {
        Dictionary(uniqueKeysWithValues: zip(Self.names, values))
    }

    /// Packets passed and dropped, for the installation's FilterCounters (pass_other passes too).
    public var passed: UInt64 { self[BL_CT_CREATED] + self[BL_CT_HIT_ORIGINAL] + self[BL_CT_HIT_REPLY] + self[BL_CT_PASS_OTHER] }
    public var dropped: UInt64 {
        self[BL_CT_NEW_DENIED] + self[BL_CT_UNSOLICITED] + self[BL_CT_INVALID] + self[BL_CT_REFUSED_FULL]
    }
}
