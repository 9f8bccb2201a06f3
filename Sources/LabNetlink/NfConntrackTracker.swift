import LabConntrack
import LabPolicy
import LabSystem

/// nf_conntrack of one lab namespace seen as a `ConnectionTracker`: what every netfilter backend's
/// stateful policy (`ct state`, `-m conntrack`) tracks with. Counts and statistics come over
/// ctnetlink; deletions from the destroy-event stream. The kernel reclaims expired entries itself,
/// so there are no sweeps and no collector CPU of the lab's to report.
public final class NfConntrackTracker: GloballyLimitedTracker {
    public let namespace: String
    /// nf_conntrack, or nf_conntrack as the BPF kfunc tracker drives it (the same table, read the same way).
    public let kind: TrackerKind
    /// Sets or restores the global nf_conntrack_max (nil: back to what it was). The runner fills it,
    /// because the knob is global and must be journaled and restored; resizing without it is refused.
    public var limiter: ((Int?) throws -> Int)?
    /// Whether destroy events carry the kernel's stop stamp (nf_conntrack_timestamp could be enabled
    /// in the namespace): the expiry the kernel saw for a reclaimed entry, the deletion for another.
    public let kernelTimestamps: Bool
    private let reader: ConntrackStatsReader
    /// Counters at open: statistics are reported since install.
    private let baseline: [String: UInt64]
    private var events: DestroyEventStream?

    public init(namespace: String, kind: TrackerKind = .nfConntrack) throws {
        self.namespace = namespace
        self.kind = kind
        kernelTimestamps = try ConntrackEventSwitches.enable(in: namespace)
        reader = try ConntrackStatsReader(namespace: namespace)
        baseline = ConntrackCPUStatistics.sum(try reader.perCPU())
    }

    /// The tracker a netfilter installation of `policy` in `namespace` exposes: nil when the policy is stateless.
    public static func forInstallation(of policy: Policy, in namespace: String) throws -> NfConntrackTracker? {
        policy.isStateful ? try NfConntrackTracker(namespace: namespace) : nil
    }

    public func capacity() throws -> Int { try reader.tableCount().maxEntries }

    public func occupancy() throws -> Int { try reader.tableCount().entries }

    /// The per-CPU counters summed, since the tracker opened, under `ConntrackStatistic.names`.
    public func statistics() throws -> [String: UInt64] {
        var since: [String: UInt64] = [:]
        for (name, value) in ConntrackCPUStatistics.sum(try reader.perCPU()) {
            let before = baseline[name] ?? 0
            since[name] = value >= before ? value - before : value
        }
        // Destroy events the log lost: GC lag silently misses them otherwise.
        if let health = events?.health {
            since["events_lost"] = max(health.droppedMessages, UInt64(health.overruns)) + UInt64(health.decodeFailures)
        }
        return since
    }

    public func startDeletionLog() throws -> Bool {
        if events == nil {
            let stream = try DestroyEventStream(namespace: namespace)
            stream.start()
            events = stream
        }
        return true
    }

    /// Each deletion at the moment its event arrived — when the entry left the table. Not the
    /// kernel's stop stamp: for an expired entry the kernel backdates that to the expiry, which would
    /// make every GC lag zero. `drainDeletionRecords` gives both.
    public func drainDeletions() throws -> [TrackedDeletion] {
        drainDeletionRecords().map { TrackedDeletion(flow: $0.flow, monotonicNanoseconds: $0.receivedNanoseconds) }
    }

    /// The deletions since the last drain with the kernel's stop stamp beside the receive time.
    public func drainDeletionRecords() -> [ReceivedDeletion] { events?.drain() ?? [] }

    /// How the destroy-event stream fared (lost events, receive-timed ones); nil before the log started.
    public var deletionLogHealth: DestroyEventStream.Health? { events?.health }

    public func sweeps() -> [SweepRecord] { [] }

    public func collectorCPUNanoseconds() -> UInt64 { 0 }

    /// nf_conntrack_max through the runner's journaled `limiter`; entries stay (the kernel refuses
    /// new ones, with early drops, once the table is over the new limit).
    public func resize(to entries: Int?) throws {
        guard let limiter else {
            throw LabFailure("nf_conntrack in namespace \(namespace): resizing needs the runner's journaled nf_conntrack_max setter, and none was given")
        }
        _ = try limiter(entries)
    }

    public func stop() {
        events?.stop()
    }
}
