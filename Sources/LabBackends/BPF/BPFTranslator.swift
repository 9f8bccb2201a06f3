import LabBPF
import LabConntrack
import LabPolicy
import LabSystem

/// The BPF SNAT as the SNAT workloads and collectors see it: statistics from its counters, retries
/// histogram and NAT maps; a new egress rule goes into the selection trie (only the entries that
/// change are written).
final class BPFTranslator: AddressTranslator {
    let maps: NATMaps
    let lifetimes: CTLifetimes
    /// The gateway's policy with the rules added since install.
    private(set) var policy: SNATPolicy

    init(maps: NATMaps, lifetimes: CTLifetimes, policy: SNATPolicy) {
        self.maps = maps
        self.lifetimes = lifetimes
        self.policy = policy
    }

    func statistics() throws -> SNATStatistics {
        let counters = try maps.counters()
        let retries = try maps.retries()
        let now = CTClock.coarseNanoseconds()
        let live = try maps.forwardEntries().filter { !lifetimes.isExpired($0.entry.ct, proto: $0.key.proto, now: now) }.count
        return SNATStatistics(flowsTranslated: counters.flowsTranslated,
                              allocationFailures: counters.allocationFailures,
                              droppedUnselected: counters.droppedUnselected,
                              liveMappings: live,
                              retries: RetryHistogram(lowerBounds: NATRetryBuckets.lowerBounds, counts: retries.counts,
                                                      failed: retries.failed))
    }

    func add(_ rule: EgressRule) throws -> Double {
        var next = policy
        next.egress.insert(rule, at: 0)
        let entries = SNATSelection.entries(next)
        let (_, milliseconds) = try MonotonicClock.measure { try maps.setSelection(entries) }
        policy = next
        return milliseconds
    }
}

/// The SNAT's NAT maps as a connection tracker: its forward map is a table of flows with the
/// tracker's lifetimes, reclaimed by LRU eviction or by the swept tracker's collector.
final class SNATConnectionTracker: SweptByCollector {
    let maps: NATMaps
    let collector: CTCollector?

    init(maps: NATMaps, collector: CTCollector?) {
        self.maps = maps
        self.collector = collector
    }

    var kind: TrackerKind { maps.kind == .lru ? .bpfLRU : .bpfSwept }
    func capacity() throws -> Int { maps.capacity }
    func occupancy() throws -> Int { try maps.forwardEntries().count }
    func statistics() throws -> [String: UInt64] { try maps.counters().byName }


    /// The NAT maps are the object's own (not an inner map the tracker can swap): a size change is a reinstall.
    func resize(to entries: Int?) throws {
        throw LabFailure("tc-snat: the NAT maps cannot be resized under the running programs; reinstall with table_size \(entries.map(String.init) ?? "as installed")")
    }

    func stop() { collector?.stopLog() }
}
