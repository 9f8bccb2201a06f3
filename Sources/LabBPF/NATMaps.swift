#if canImport(Glibc)
import Glibc
#endif
import CLibBPF
import LabNetwork
import LabSystem

/// The SNAT's maps in a loaded bpf/snat.bpf.c: the egress selection trie, the forward and reverse
/// NAT maps, the counters and the retries histogram. The NAT maps are also the swept tracker's
/// table when they are plain hashes: a sweep deletes expired forward entries (the tracker's
/// lifetimes) and every reverse entry no live forward entry maps to.
public final class NATMaps: @unchecked Sendable {
    public let kind: CTTableKind
    public let capacity: Int
    let selection: BPFMap
    let forward: BPFMap
    let reverse: BPFMap
    let counterMap: BPFMap
    let retryMap: BPFMap

    init(object: BPFObject, kind: CTTableKind, capacity: Int) throws {
        self.kind = kind
        self.capacity = capacity
        selection = try object.map(named: "bl_nat_selection")
        forward = try object.map(named: "bl_nat_forward")
        reverse = try object.map(named: "bl_nat_reverse")
        counterMap = try object.map(named: "bl_nat_counters")
        retryMap = try object.map(named: "bl_nat_retries")
    }

    // MARK: Selection

    /// Makes the trie hold exactly `entries`: writes what is new or changed, then deletes what went.
    /// Between the two a removed prefix still decides; no source is ever in neither state.
    public func setSelection(_ entries: [SNATSelectionEntry]) throws {
        let installed = Dictionary(try selectionEntries().map { ($0.prefix, $0.translate) }) { first, _ in first }
        let wanted = Dictionary(entries.map { ($0.prefix, $0.translate) }) { first, _ in first }
        for entry in entries where installed[entry.prefix] != entry.translate {
            try selection.update(entry.key, entry.value)
        }
        for prefix in installed.keys where wanted[prefix] == nil {
            try selection.delete(SNATSelectionEntry(prefix: prefix, translate: false).key)
        }
    }

    /// The trie's entries, sorted by prefix.
    public func selectionEntries() throws -> [SNATSelectionEntry] {
        try selection.keys(as: bl_nat_selection_key.self).compactMap { key in
            guard let value = try selection.lookup(key, as: bl_nat_selection.self),
                  let prefix = IPv4Prefix(address: IPv4Address(UInt32(bigEndian: key.addr)), length: UInt8(key.prefixlen)) else { return nil }
            return SNATSelectionEntry(prefix: prefix, translate: value.action == BL_NAT_TRANSLATE.rawValue)
        }.sorted { $0.prefix < $1.prefix }
    }

    // MARK: NAT state

    public func forwardEntries() throws -> [(key: bl_ct_key, entry: bl_nat_entry)] {
        try forward.dump(as: bl_ct_key.self, bl_nat_entry.self).map { ($0.key, $0.value) }
    }

    public func reverseEntries() throws -> [(key: bl_nat_reverse_key, entry: bl_nat_reverse)] {
        try reverse.dump(as: bl_nat_reverse_key.self, bl_nat_reverse.self).map { ($0.key, $0.value) }
    }

    /// Writes a forward entry (tests age one by hand; nothing else writes NAT state from user space).
    public func writeForward(_ key: bl_ct_key, _ entry: bl_nat_entry) throws {
        try forward.update(key, entry)
    }

    // MARK: Counters

    public func counters() throws -> NATCounters {
        NATCounters(values: try (0..<UInt32(BL_NAT_COUNTER_MAX.rawValue)).map { try sum(counterMap, $0) })
    }

    /// Allocations per bucket (NATRetryBuckets.lowerBounds) and the failures.
    public func retries() throws -> (counts: [UInt64], failed: UInt64) {
        let all = try (0..<UInt32(BL_NAT_RETRY_BUCKETS)).map { try sum(retryMap, $0) }
        return (Array(all.dropLast()), all.last ?? 0)
    }

    private func sum(_ map: BPFMap, _ index: UInt32) throws -> UInt64 {
        try map.lookupPerCPU(index, as: UInt64.self)?.reduce(0, &+) ?? 0
    }
}

extension NATMaps: SweptTable {
    /// One pass, decided on the copy just read (as CTSweep): expired forward entries go, and with them
    /// every reverse entry that no live forward entry maps to (its port is free anyway; deleting it
    /// gives the plain hash its room back).
    public func sweep(lifetimes: CTLifetimes) throws -> CTSweep {
        let start = MonotonicClock.nanoseconds()
        let forwards = try forwardEntries()
        let reverses = try reverseEntries()
        let now = CTClock.coarseNanoseconds()
        var live: [bl_ct_key: bl_nat_entry] = [:]
        var expired: [bl_ct_key] = []
        for (key, entry) in forwards {
            if lifetimes.isExpired(entry.ct, proto: key.proto, now: now) { expired.append(key) } else { live[key] = entry }
        }
        let stale = reverses.filter { reverse in
            let owner = bl_ct_key(proto: reverse.key.proto, source: IPv4Address(UInt32(bigEndian: reverse.entry.pod_addr)),
                                  destination: IPv4Address(UInt32(bigEndian: reverse.key.remote_addr)),
                                  sourcePort: reverse.entry.pod_port, destinationPort: reverse.key.remote_port)
            guard let entry = live[owner] else { return true }
            return entry.nat_port != reverse.key.nat_port || entry.nat_addr != reverse.key.nat_addr
        }.map(\.key)
        try Self.delete(expired, from: forward)
        try Self.delete(stale, from: reverse)
        let end = MonotonicClock.nanoseconds()
        return CTSweep(examined: forwards.count, deleted: expired, deletedAtNanoseconds: end, startNanoseconds: start,
                       durationNanoseconds: end - start)
    }
}

extension NATMaps {
    /// One BPF_MAP_DELETE_BATCH; a key the datapath or an LRU eviction removed meanwhile stops the
    /// batch with ENOENT, so the rest goes one by one (as CTTable.delete).
    static func delete<Key: BitwiseCopyable>(_ keys: [Key], from map: BPFMap) throws {
        do {
            try map.deleteBatch(keys: keys)
        } catch let error as BPFError where error.errno == ENOENT {
            for key in keys { try map.delete(key) }
        }
    }
}

extension bl_ct_key: @retroactive Hashable {
    public static func == (lhs: bl_ct_key, rhs: bl_ct_key) -> Bool {
        lhs.saddr == rhs.saddr && lhs.daddr == rhs.daddr && lhs.sport == rhs.sport && lhs.dport == rhs.dport && lhs.proto == rhs.proto
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(saddr)
        hasher.combine(daddr)
        hasher.combine(sport)
        hasher.combine(dport)
        hasher.combine(proto)
    }
}

extension bl_nat_reverse_key {
    public init(proto: UInt8, natAddress: IPv4Address, natPort: UInt16, remote: IPv4Address, remotePort: UInt16) {
        self.init()
        self.proto = proto
        nat_addr = natAddress.value.bigEndian
        nat_port = natPort
        remote_addr = remote.value.bigEndian
        remote_port = remotePort
    }
}
