import LabPolicy

/// A live view of one installation's source NAT (an egress gateway's), for the SNAT workloads, the
/// collectors and the report. Every backend family counts the same things, in its own way.
public protocol AddressTranslator: AnyObject {
    /// Counters since install; reads are cheap enough to take around every ramp step.
    func statistics() throws -> SNATStatistics
    /// Puts `rule` in front of the installed egress rules (a new pod's policy, as an egress-gateway
    /// controller programs it) through the backend's own update path; returns the time taken in
    /// milliseconds, from the request until the backend's tool or map update returned.
    func add(_ rule: EgressRule) throws -> Double
}

/// What one gateway's SNAT did since install. Fields a backend cannot count are nil, never 0.
public struct SNATStatistics: Sendable, Equatable, Codable {
    /// New flows given a translation (netfilter: packets seen by the nat rules, which see only a
    /// connection's first packet; BPF: mappings created).
    public var flowsTranslated: UInt64
    /// New flows that got no port: every try collided (BPF: after the 128 tries; netfilter: the
    /// clash found when the entry is confirmed, counted by nf_conntrack as insert_failed and dropped).
    public var allocationFailures: UInt64
    /// Packets from sources no egress rule lets out through this gateway, dropped there.
    public var droppedUnselected: UInt64
    /// Mappings alive now (BPF: NAT entries whose flow has not expired; netfilter: conntrack entries
    /// with a source translation), if the backend can tell.
    public var liveMappings: Int?
    /// How many tries allocations needed, where the backend records it (the BPF NAT does).
    public var retries: RetryHistogram?

    public init(flowsTranslated: UInt64, allocationFailures: UInt64, droppedUnselected: UInt64, liveMappings: Int? = nil,
                retries: RetryHistogram? = nil) {
        self.flowsTranslated = flowsTranslated
        self.allocationFailures = allocationFailures
        self.droppedUnselected = droppedUnselected
        self.liveMappings = liveMappings
        self.retries = retries
    }

    /// The change from `earlier` to this reading (counters only; the live count is this reading's).
    public func since(_ earlier: SNATStatistics) -> SNATStatistics {
        func delta(_ now: UInt64, _ then: UInt64) -> UInt64 { now >= then ? now - then : 0 }
        return SNATStatistics(flowsTranslated: delta(flowsTranslated, earlier.flowsTranslated),
                              allocationFailures: delta(allocationFailures, earlier.allocationFailures),
                              droppedUnselected: delta(droppedUnselected, earlier.droppedUnselected),
                              liveMappings: liveMappings,
                              retries: retries.map { $0.since(earlier.retries) })
    }

    enum CodingKeys: String, CodingKey {
        case flowsTranslated = "flows_translated", allocationFailures = "allocation_failures",
             droppedUnselected = "dropped_unselected", liveMappings = "live_mappings", retries
    }
}

/// Allocations by the number of tries they needed: bucket i counts allocations that succeeded at
/// try `lowerBounds[i]` up to the next bound (try 0 is the original port kept); `failed` those that
/// ran out of tries.
public struct RetryHistogram: Sendable, Equatable, Codable {
    public var lowerBounds: [Int]
    public var counts: [UInt64]
    public var failed: UInt64

    public init(lowerBounds: [Int], counts: [UInt64], failed: UInt64) {
        precondition(lowerBounds.count == counts.count, "one count per bucket")
        self.lowerBounds = lowerBounds
        self.counts = counts
        self.failed = failed
    }

    public func since(_ earlier: RetryHistogram?) -> RetryHistogram {
        guard let earlier, earlier.lowerBounds == lowerBounds else { return self }
        return RetryHistogram(lowerBounds: lowerBounds, counts: zip(counts, earlier.counts).map { $0 >= $1 ? $0 - $1 : 0 },
                              failed: failed >= earlier.failed ? failed - earlier.failed : 0)
    }

    enum CodingKeys: String, CodingKey { case lowerBounds = "lower_bounds", counts, failed }
}
