import CLibBPF
import LabNetwork
import LabPolicy
import LabSystem

/// A policy the BPF filter cannot express. Never skipped silently: the case fails with this line.
public struct BPFPolicyUnsupported: LabError, Equatable {
    public let reason: String
    public init(_ reason: String) { self.reason = reason }
    public var exitStatus: ExitStatus { .badInput }
    public var description: String { "not supported by xdp/tc: \(reason)" }
}

/// Policy → the BPF filter's map contents (see bpf/lib/policy.h for how the program reads them).
///
/// Clauses (ClauseCompiler: runs of rules differing only in source, first-match order kept) get one
/// bit each, so at most 64. For each address field the LPM value of a prefix is the union of the
/// clause sets of every prefix in the trie that contains it ("covering closure"): the trie returns
/// only the longest match, and because the prefixes containing an address are nested, the longest
/// one then knows every clause that the address satisfies.
public enum BPFPolicyCompiler {
    public static let maxClauses = Int(BL_MAX_CLAUSES)
    public static let prefixCapacity = Int(BL_PREFIX_CAPACITY)

    public static func compile(_ policy: Policy) throws -> BPFPolicyImage {
        guard policy.family == .ipv4 else {
            throw BPFPolicyUnsupported("\(policy.family.rawValue) policies (the filter parses IPv4 only)")
        }
        let clauses = ClauseCompiler.clauses(policy)
        guard clauses.count <= maxClauses else {
            throw BPFPolicyUnsupported("\(clauses.count) clauses; the filter has one bit per clause and at most \(maxClauses) "
                + "(runs of rules that differ only in source count as one clause)")
        }

        var masks = BPFPolicyImage.Masks()
        var sources: [IPv4Prefix: ClauseSet] = [:]
        var destinations: [IPv4Prefix: ClauseSet] = [:]
        var portRanges: [(proto: IPProtocol, ports: PortRange, clauses: ClauseSet)] = []

        for clause in clauses {
            let bit = ClauseSet([clause.index])
            if clause.action == .deny { masks.deny.formUnion(bit) }
            if let prefixes = clause.sources {
                for prefix in prefixes { sources[prefix, default: .empty].formUnion(bit) }
            } else {
                masks.sourceAny.formUnion(bit)
            }
            if let destination = clause.destination {
                destinations[destination, default: .empty].formUnion(bit)
            } else {
                masks.destinationAny.formUnion(bit)
            }
            switch (clause.proto, clause.destinationPorts) {
            case (.any, _): masks.protocolAny.formUnion(bit)
            case (.icmp, _): masks.icmp.formUnion(bit)
            case (.tcp, nil): masks.tcp.formUnion(bit)
            case (.udp, nil): masks.udp.formUnion(bit)
            case (let proto, let ports?): portRanges.append((proto, ports, bit))
            }
        }

        let source = AddressTables(coveringClosure(sources))
        let destination = AddressTables(coveringClosure(destinations))
        for (field, tables) in [("source", source), ("destination", destination)] where tables.prefixes.count > prefixCapacity {
            throw BPFPolicyUnsupported("\(tables.prefixes.count) distinct \(field) prefixes shorter than /32; the trie holds \(prefixCapacity)")
        }
        masks.lookups = source.lookupFlags(hosts: UInt64(BL_LOOKUP_SRC_HOSTS), prefixes: UInt64(BL_LOOKUP_SRC_PREFIXES))
            | destination.lookupFlags(hosts: UInt64(BL_LOOKUP_DST_HOSTS), prefixes: UInt64(BL_LOOKUP_DST_PREFIXES))
        return BPFPolicyImage(defaultAction: policy.defaultAction, clauses: clauses, masks: masks,
                              sourceHosts: source.hosts, sourcePrefixes: source.prefixes,
                              destinationHosts: destination.hosts, destinationPrefixes: destination.prefixes,
                              portRuns: portRuns(portRanges))
    }

    /// One address field's entries split by where the program looks them up: /32s in a hash, the
    /// rest in the LPM trie (see bpf/lib/policy.h for why). Splitting after the closure keeps every
    /// /32's covering clauses.
    struct AddressTables {
        let hosts: [BPFPolicyImage.PrefixEntry]
        let prefixes: [BPFPolicyImage.PrefixEntry]

        init(_ entries: [BPFPolicyImage.PrefixEntry]) {
            hosts = entries.filter { $0.prefix.length == 32 }
            prefixes = entries.filter { $0.prefix.length < 32 }
        }

        func lookupFlags(hosts hostFlag: UInt64, prefixes prefixFlag: UInt64) -> UInt64 {
            (hosts.isEmpty ? 0 : hostFlag) | (prefixes.isEmpty ? 0 : prefixFlag)
        }
    }

    /// Each prefix's clause set, extended by the sets of the shorter prefixes that contain it.
    /// Only lengths that occur are probed, so the cost is entries × distinct lengths.
    static func coveringClosure(_ own: [IPv4Prefix: ClauseSet]) -> [BPFPolicyImage.PrefixEntry] {
        let lengths = Set(own.keys.map(\.length)).sorted()
        return own.map { prefix, clauses in
            var covering = clauses
            for length in lengths where length < prefix.length {
                let ancestor = IPv4Prefix(address: IPv4Address(prefix.address.value & IPv4Prefix.mask(length)), length: length)!
                if let inherited = own[ancestor] { covering.formUnion(inherited) }
            }
            return BPFPolicyImage.PrefixEntry(prefix: prefix, clauses: covering)
        }.sorted { $0.prefix < $1.prefix }
    }

    /// Port ranges → maximal runs of equal clause sets, by a sweep over the range boundaries:
    /// the cost follows the number of clauses, not the width of their ranges. Every port of a run
    /// becomes a bl_ports slot when the image is written (the array has a slot for every port, so
    /// no range is too wide to express).
    static func portRuns(_ ranges: [(proto: IPProtocol, ports: PortRange, clauses: ClauseSet)]) -> [BPFPolicyImage.PortRun] {
        var runs: [BPFPolicyImage.PortRun] = []
        for proto in [IPProtocol.tcp, .udp] {
            let mine = ranges.filter { $0.proto == proto }
            // A segment starts at every lower bound and after every upper bound.
            let starts = Set(mine.flatMap { [Int($0.ports.lower), Int($0.ports.upper) + 1] }).sorted()
            for (start, next) in zip(starts, starts.dropFirst()) {
                var clauses = ClauseSet()
                for range in mine where range.ports.contains(UInt16(start)) { clauses.formUnion(range.clauses) }
                guard !clauses.isEmpty else { continue }
                let ports = UInt16(start)...UInt16(next - 1)
                if let last = runs.last, last.proto == proto, last.clauses == clauses, Int(last.ports.upperBound) + 1 == start {
                    runs[runs.count - 1] = .init(proto: proto, ports: last.ports.lowerBound...ports.upperBound, clauses: clauses)
                } else {
                    runs.append(.init(proto: proto, ports: ports, clauses: clauses))
                }
            }
        }
        return runs
    }
}
