/// The connection trackers the lab compares. nf_conntrack serves every netfilter backend; the BPF
/// ones are the lab's own (bpf/lib/conntrack.h) and the kernel's conntrack asked from BPF.
public enum TrackerKind: String, Sendable, Codable, CaseIterable {
    /// The kernel's nf_conntrack (iptables `-m conntrack`, nftables `ct state`).
    case nfConntrack = "nf_conntrack"
    /// The lab's BPF tracker in an LRU hash: nothing sweeps it; the kernel evicts the least recently
    /// used entry when the map is full, live or expired.
    case bpfLRU = "bpf-lru"
    /// The lab's BPF tracker in a plain hash, swept by a user-space collector; a full map refuses new flows.
    case bpfSwept = "bpf-swept"
    /// nf_conntrack looked up and created from BPF through the conntrack kfuncs.
    case bpfKfunc = "bpf-kfunc"
}

/// A live view of one installation's connection table, for collectors and the conntrack workloads.
/// Reads are cheap enough to sample every few hundred milliseconds during traffic.
public protocol ConnectionTracker: AnyObject {
    var kind: TrackerKind { get }
    /// Entries the table may hold (the BPF map's size; nf_conntrack_max for nf_conntrack).
    func capacity() throws -> Int
    /// Entries in the table now, expired ones not yet reclaimed included.
    func occupancy() throws -> Int
    /// Cumulative counters since install, by name (nf_conntrack's per-CPU statistics summed —
    /// found, invalid, insert, insert_failed, drop, early_drop, error, search_restart, clash_resolve,
    /// chaintoolong — or the BPF tracker's own: created, refused_full, evicted_live, ...).
    func statistics() throws -> [String: UInt64]
    /// Starts recording deletions (entry, monotonic time it left the table). A tracker that cannot
    /// tell when an entry leaves (an LRU map evicts silently) returns false and records nothing.
    func startDeletionLog() throws -> Bool
    /// Deletions recorded since the log started or was last drained.
    func drainDeletions() throws -> [TrackedDeletion]
    /// Sweeps the collector made since install (empty for trackers nothing in the lab sweeps).
    func sweeps() -> [SweepRecord]
    /// CPU time the lab's own collector spent, in nanoseconds (0 where the kernel reclaims).
    func collectorCPUNanoseconds() -> UInt64
    /// Starts a fresh, empty table of `entries` entries for a phase that needs a different size (the
    /// table-full phase), or goes back to the installed size with nil. BPF trackers swap in a new map
    /// under the running program; nf_conntrack lowers the global nf_conntrack_max (journaled by the
    /// runner, which hands the tracker the means to set it) and keeps its entries.
    func resize(to entries: Int?) throws
    /// Stops anything `startDeletionLog` started. Idempotent.
    func stop()
}

/// One entry leaving a table.
public struct TrackedDeletion: Sendable, Equatable {
    public var flow: TrackedFlow
    /// CLOCK_MONOTONIC nanoseconds.
    public var monotonicNanoseconds: UInt64
    public init(flow: TrackedFlow, monotonicNanoseconds: UInt64) {
        self.flow = flow
        self.monotonicNanoseconds = monotonicNanoseconds
    }
}

/// One sweep of a table by a collector.
public struct SweepRecord: Sendable, Equatable, Codable {
    /// CLOCK_MONOTONIC nanoseconds when the sweep started.
    public var startNanoseconds: UInt64
    public var durationNanoseconds: UInt64
    public var examined: Int
    public var deleted: Int
    /// The wait chosen after this sweep, in milliseconds.
    public var nextIntervalMilliseconds: Int
    public init(startNanoseconds: UInt64, durationNanoseconds: UInt64, examined: Int, deleted: Int, nextIntervalMilliseconds: Int) {
        self.startNanoseconds = startNanoseconds
        self.durationNanoseconds = durationNanoseconds
        self.examined = examined
        self.deleted = deleted
        self.nextIntervalMilliseconds = nextIntervalMilliseconds
    }
}

/// A tracker whose table size is a global kernel knob (nf_conntrack_max) rather than its own: the
/// runner, which journals global knobs, hands it the means to change it. `limiter(n)` sets the limit
/// to n entries (or more, when the host needs more) and returns the limit in effect; `limiter(nil)`
/// goes back to the run's value.
public protocol GloballyLimitedTracker: ConnectionTracker {
    var limiter: ((Int?) throws -> Int)? { get set }
}
