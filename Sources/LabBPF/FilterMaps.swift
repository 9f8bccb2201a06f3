#if canImport(Glibc)
import Glibc
#endif
import CLibBPF
import LabNetwork
import LabPolicy
import LabSystem

/// One bank of the filter's lookup maps (bpf/lib/policy.h: bank 0 or 1).
struct PolicyBank {
    let index: UInt32
    let sourceHosts: BPFMap
    let sources: BPFMap
    let destinationHosts: BPFMap
    let destinations: BPFMap
    let ports: BPFMap

    init(_ object: BPFObject, index: UInt32) throws {
        self.index = index
        let hostMaps = Self.hostMapNames(index: index)
        sourceHosts = try object.map(named: hostMaps.source)
        sources = try object.map(named: "bl_src_prefixes\(index)")
        destinationHosts = try object.map(named: hostMaps.destination)
        destinations = try object.map(named: "bl_dst_prefixes\(index)")
        ports = try object.map(named: "bl_ports\(index)")
    }

    /// The map names of bank `index` that `BPFFilter` sizes before load.
    static func hostMapNames(index: UInt32) -> (source: String, destination: String) {
        ("bl_src_hosts\(index)", "bl_dst_hosts\(index)")
    }
}

/// The filter object's policy maps, written from a BPFPolicyImage and read back from the kernel.
/// Packets decide with the active bank; a policy is written into the other one and then made
/// active with one array write, so no packet sees half of an update.
struct FilterMaps {
    let banks: [PolicyBank]
    let masks: BPFMap
    let active: BPFMap
    let counters: BPFMap

    init(_ object: BPFObject) throws {
        banks = try [PolicyBank(object, index: 0), PolicyBank(object, index: 1)]
        masks = try object.map(named: "bl_masks")
        active = try object.map(named: "bl_active")
        counters = try object.map(named: "bl_counters")
    }

    /// Writes `image` into `bank`, which holds `previous` (an empty bank: nil), touching only what
    /// differs, each map with one batch call. The bank must not be the active one (at install, none is).
    func write(_ image: BPFPolicyImage, replacing previous: BPFPolicyImage?, into bank: PolicyBank) throws -> MapLoadReport {
        var timings: [MapLoadReport.MapTiming] = []
        timings.append(try writeEntries(image.sourceHosts, replacing: previous?.sourceHosts ?? [], into: bank.sourceHosts,
                                        label: "bl_src_hosts", key: Self.hostKey))
        timings.append(try writeEntries(image.sourcePrefixes, replacing: previous?.sourcePrefixes ?? [], into: bank.sources,
                                        label: "bl_src_prefixes", key: Self.lpmKey))
        timings.append(try writeEntries(image.destinationHosts, replacing: previous?.destinationHosts ?? [], into: bank.destinationHosts,
                                        label: "bl_dst_hosts", key: Self.hostKey))
        timings.append(try writeEntries(image.destinationPrefixes, replacing: previous?.destinationPrefixes ?? [], into: bank.destinations,
                                        label: "bl_dst_prefixes", key: Self.lpmKey))
        timings.append(try writePorts(image, replacing: previous, into: bank.ports))
        let (_, milliseconds) = try MonotonicClock.measure {
            try masks.update(bank.index, Self.cMasks(image.masks))
        }
        timings.append(.init(map: masks.name, written: 1, deleted: 0, milliseconds: milliseconds))
        return MapLoadReport(maps: timings)
    }

    /// Points every packet from now on at `bank`. Packets already inside the program finish with
    /// the bank they started with; the next update, which rewrites that bank, is milliseconds away.
    func activate(_ bank: PolicyBank) throws -> MapLoadReport.MapTiming {
        let (_, milliseconds) = try MonotonicClock.measure { try active.update(UInt32(0), bank.index) }
        return .init(map: active.name, written: 1, deleted: 0, milliseconds: milliseconds)
    }

    /// The bank packets decide with now, as the kernel holds it.
    func activeBank() throws -> PolicyBank {
        let index = try active.lookup(UInt32(0), as: UInt32.self) ?? 0
        return banks[index == 0 ? 0 : 1]
    }

    /// The bank an update is written into: the one packets do not use.
    func standbyBank() throws -> PolicyBank {
        banks[try activeBank().index == 0 ? 1 : 0]
    }

    /// Deletions go first, so a table sized for the new policy never has to hold old and new at once.
    private func writeEntries<Key: BitwiseCopyable>(_ entries: [BPFPolicyImage.PrefixEntry], replacing old: [BPFPolicyImage.PrefixEntry],
                                                    into map: BPFMap, label: String,
                                                    key: (IPv4Prefix) -> Key) throws -> MapLoadReport.MapTiming {
        let before = Dictionary(uniqueKeysWithValues: old.map { ($0.prefix, $0.clauses) })
        let changed = entries.filter { before[$0.prefix] != $0.clauses }
        let kept = Set(entries.map(\.prefix))
        let removed = old.filter { !kept.contains($0.prefix) }
        let keys = changed.map { key($0.prefix) }
        let values = changed.map(\.clauses.bits)
        let removedKeys = removed.map { key($0.prefix) }
        let (_, milliseconds) = try MonotonicClock.measure {
            try map.deleteBatch(keys: removedKeys)
            try map.updateBatch(keys: keys, values: values)
        }
        return .init(map: label, written: changed.count, deleted: removed.count, milliseconds: milliseconds)
    }

    /// bl_ports is an array: a slot that leaves the policy is written back to the empty set.
    private func writePorts(_ image: BPFPolicyImage, replacing old: BPFPolicyImage?, into ports: BPFMap) throws -> MapLoadReport.MapTiming {
        let before = Dictionary(uniqueKeysWithValues: (old?.portSlots ?? []).map { ($0.slot, $0.clauses) })
        var slots = before.mapValues { _ in UInt64(0) }
        for entry in image.portSlots { slots[entry.slot] = entry.clauses }
        let changes = slots.filter { before[$0.key, default: 0] != $0.value }.sorted { $0.key < $1.key }
        let (_, milliseconds) = try MonotonicClock.measure {
            try ports.updateBatch(keys: changes.map(\.key), values: changes.map(\.value))
        }
        let cleared = changes.filter { $0.value == 0 }.count
        return .init(map: "bl_ports", written: changes.count - cleared, deleted: cleared, milliseconds: milliseconds)
    }

    /// What the kernel holds in `bank`, in the image's terms (the default action and clauses are not
    /// in maps and are taken from `reference`).
    func read(reference: BPFPolicyImage, bank: PolicyBank) throws -> BPFPolicyImage {
        func hosts(_ map: BPFMap) throws -> [BPFPolicyImage.PrefixEntry] {
            try map.dump(as: UInt32.self, UInt64.self).map { entry in
                BPFPolicyImage.PrefixEntry(prefix: IPv4Prefix(address: IPv4Address(UInt32(bigEndian: entry.key)), length: 32)!,
                                           clauses: ClauseSet(bits: entry.value))
            }.sorted { $0.prefix < $1.prefix }
        }
        func prefixes(_ map: BPFMap) throws -> [BPFPolicyImage.PrefixEntry] {
            try map.dump(as: bl_ipv4_lpm_key.self, UInt64.self).map { entry in
                let prefix = IPv4Prefix(address: IPv4Address(UInt32(bigEndian: entry.key.addr)), length: UInt8(entry.key.prefixlen))!
                return BPFPolicyImage.PrefixEntry(prefix: prefix, clauses: ClauseSet(bits: entry.value))
            }.sorted { $0.prefix < $1.prefix }
        }
        var slots: [UInt32: UInt64] = [:]
        for entry in try bank.ports.dump(as: UInt32.self, UInt64.self) where entry.value != 0 { slots[entry.key] = entry.value }
        guard let stored = try masks.lookup(bank.index, as: bl_policy_masks.self) else {
            throw BPFError("read bl_masks[\(bank.index)]", errno: ENOENT)
        }
        return BPFPolicyImage(defaultAction: reference.defaultAction, clauses: reference.clauses, masks: Self.masks(stored),
                              sourceHosts: try hosts(bank.sourceHosts), sourcePrefixes: try prefixes(bank.sources),
                              destinationHosts: try hosts(bank.destinationHosts), destinationPrefixes: try prefixes(bank.destinations),
                              portRuns: BPFPolicyImage.PortRun.fold(slots: slots))
    }

    func readCounters() throws -> FilterMapCounters {
        var totals: [FilterMapCounters.Reason: FilterMapCounters.Count] = [:]
        for reason in FilterMapCounters.Reason.allCases {
            let perCPU = try counters.lookupPerCPU(reason.index, as: bl_counter.self) ?? []
            totals[reason] = FilterMapCounters.Count(packets: perCPU.reduce(0) { $0 + $1.packets },
                                                  bytes: perCPU.reduce(0) { $0 + $1.bytes })
        }
        return FilterMapCounters(byReason: totals)
    }

    /// bl_*_hosts key: the address in network byte order, as the program reads it from the header.
    static func hostKey(_ prefix: IPv4Prefix) -> UInt32 {
        prefix.address.value.bigEndian
    }

    static func lpmKey(_ prefix: IPv4Prefix) -> bl_ipv4_lpm_key {
        bl_ipv4_lpm_key(prefixlen: UInt32(prefix.length), addr: prefix.address.value.bigEndian)
    }

    static func cMasks(_ masks: BPFPolicyImage.Masks) -> bl_policy_masks {
        bl_policy_masks(src_any: masks.sourceAny.bits, dst_any: masks.destinationAny.bits, l4_any: masks.protocolAny.bits,
                        l4_tcp: masks.tcp.bits, l4_udp: masks.udp.bits, l4_icmp: masks.icmp.bits, deny: masks.deny.bits,
                        lookups: masks.lookups)
    }

    static func masks(_ stored: bl_policy_masks) -> BPFPolicyImage.Masks {
        BPFPolicyImage.Masks(sourceAny: ClauseSet(bits: stored.src_any), destinationAny: ClauseSet(bits: stored.dst_any),
                             protocolAny: ClauseSet(bits: stored.l4_any), tcp: ClauseSet(bits: stored.l4_tcp),
                             udp: ClauseSet(bits: stored.l4_udp), icmp: ClauseSet(bits: stored.l4_icmp),
                             deny: ClauseSet(bits: stored.deny), lookups: stored.lookups)
    }
}

/// How long writing a policy into the maps took, per map and in total (install_ms / update_ms).
public struct MapLoadReport: Hashable, Sendable {
    public struct MapTiming: Hashable, Sendable {
        public let map: String
        public let written: Int
        public let deleted: Int
        public let milliseconds: Double
    }

    public let maps: [MapTiming]
    public var milliseconds: Double { maps.reduce(0) { $0 + $1.milliseconds } }
    public var written: Int { maps.reduce(0) { $0 + $1.written } }
}

/// The filter's per-CPU counters summed over CPUs.
public struct FilterMapCounters: Hashable, Sendable {
    public enum Reason: String, Sendable, CaseIterable {
        case allowedByRule, deniedByRule, allowedByDefault, deniedByDefault, passedNotIPv4, passedMalformed

        var index: UInt32 {
            switch self {
            case .allowedByRule: return BL_COUNT_ALLOW_RULE.rawValue
            case .deniedByRule: return BL_COUNT_DENY_RULE.rawValue
            case .allowedByDefault: return BL_COUNT_ALLOW_DEFAULT.rawValue
            case .deniedByDefault: return BL_COUNT_DENY_DEFAULT.rawValue
            case .passedNotIPv4: return BL_COUNT_PASS_NOT_IPV4.rawValue
            case .passedMalformed: return BL_COUNT_PASS_MALFORMED.rawValue
            }
        }
    }

    public struct Count: Hashable, Sendable {
        public var packets: UInt64
        public var bytes: UInt64
    }

    public let byReason: [Reason: Count]

    public subscript(reason: Reason) -> Count { byReason[reason] ?? Count(packets: 0, bytes: 0) }
    public var dropped: UInt64 { self[.deniedByRule].packets + self[.deniedByDefault].packets }
    public var passed: UInt64 { byReason.values.reduce(0) { $0 + $1.packets } - dropped }
}
