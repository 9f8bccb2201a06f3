import CLibBPF
import LabNetwork
import LabPolicy

/// The exact contents of the BPF filter's maps for one policy, plus its load-time default action:
/// what BPFPolicyCompiler produces, what BPFFilter writes, and (as `dump`) the backend's inspectable
/// artifact. All lists are sorted, so equal policies give equal images and equal dumps.
public struct BPFPolicyImage: Hashable, Sendable {
    public struct PrefixEntry: Hashable, Sendable {
        public let prefix: IPv4Prefix
        /// Clauses whose prefix set covers `prefix` (its own and every containing shorter prefix's).
        public let clauses: ClauseSet

        public init(prefix: IPv4Prefix, clauses: ClauseSet) {
            self.prefix = prefix
            self.clauses = clauses
        }
    }

    /// Consecutive destination ports of one protocol with the same clause set. bl_ports holds one
    /// slot per port; runs are how the image stores and prints them (maximal runs, so the form is
    /// canonical: two images with the same slots have the same runs).
    public struct PortRun: Hashable, Sendable {
        public let proto: IPProtocol
        public let ports: ClosedRange<UInt16>
        public let clauses: ClauseSet

        /// Index of `port` in bl_ports (policy_maps.h: TCP slots first, then UDP).
        static func slot(_ proto: IPProtocol, _ port: UInt16) -> UInt32 {
            (proto == .udp ? UInt32(BL_PORT_SLOT_UDP_BASE) : UInt32(BL_PORT_SLOT_TCP_BASE)) + UInt32(port)
        }

        /// Folds per-slot sets (as read back from bl_ports) into maximal runs.
        static func fold(slots: [UInt32: UInt64]) -> [PortRun] {
            var runs: [PortRun] = []
            for (slot, bits) in slots.filter({ $0.value != 0 }).sorted(by: { $0.key < $1.key }) {
                let proto: IPProtocol = slot >= BL_PORT_SLOT_UDP_BASE ? .udp : .tcp
                let port = UInt16(slot % BL_PORT_SLOTS_PER_PROTO)
                if let last = runs.last, last.proto == proto, last.clauses.bits == bits, last.ports.upperBound == port - 1 {
                    runs[runs.count - 1] = PortRun(proto: proto, ports: last.ports.lowerBound...port, clauses: last.clauses)
                } else {
                    runs.append(PortRun(proto: proto, ports: port...port, clauses: ClauseSet(bits: bits)))
                }
            }
            return runs
        }
    }

    /// The single entry of bl_masks.
    public struct Masks: Hashable, Sendable {
        public var sourceAny = ClauseSet()
        public var destinationAny = ClauseSet()
        public var protocolAny = ClauseSet()
        public var tcp = ClauseSet()
        public var udp = ClauseSet()
        public var icmp = ClauseSet()
        public var deny = ClauseSet()
        /// BL_LOOKUP_* bits: which address maps hold entries, so the program skips empty ones.
        public var lookups: UInt64 = 0
    }

    public let defaultAction: Action
    /// The clauses the bits stand for (bit i = clauses[i]).
    public let clauses: [Clause]
    public let masks: Masks
    /// /32 entries (bl_src_hosts), apart from the shorter prefixes (bl_src_prefixes, an LPM trie).
    public let sourceHosts: [PrefixEntry]
    public let sourcePrefixes: [PrefixEntry]
    public let destinationHosts: [PrefixEntry]
    public let destinationPrefixes: [PrefixEntry]
    public let portRuns: [PortRun]

    /// Every non-empty bl_ports slot with its clause bits, in slot order.
    public var portSlots: [(slot: UInt32, clauses: UInt64)] {
        portRuns.flatMap { run in run.ports.map { (PortRun.slot(run.proto, $0), run.clauses.bits) } }
    }

    public var portSlotCount: Int { portRuns.reduce(0) { $0 + $1.ports.count } }

    /// Map entries to write (masks not counted).
    public var entryCount: Int {
        sourceHosts.count + sourcePrefixes.count + destinationHosts.count + destinationPrefixes.count + portSlotCount
    }
}
