import LabBPF
import LabConntrack
import LabNetlink

/// The kfunc tracker's view: its table is the namespace's nf_conntrack table, read over ctnetlink
/// like the netfilter backends' (count, destroy events, nf_conntrack's per-CPU statistics) and bounded
/// by the global nf_conntrack_max the runner holds; the program's own counters (created, unsolicited,
/// invalid, …) are added to nf_conntrack's statistics. nf_conntrack's GC reclaims the entries, so
/// there are no sweeps and no collector CPU of the lab's.
final class KfuncConnectionTracker: GloballyLimitedTracker {
    let filter: CTKfuncFilter
    let table: NfConntrackTracker

    init(filter: CTKfuncFilter, namespace: String) throws {
        self.filter = filter
        table = try NfConntrackTracker(namespace: namespace, kind: .bpfKfunc)
    }

    var kind: TrackerKind { .bpfKfunc }
    var limiter: ((Int?) throws -> Int)? {
        get { table.limiter }
        set { table.limiter = newValue }
    }

    /// nf_conntrack's limit and count only: the program's ICMP echo table (CTKfuncFilter.icmpTable, a
    /// small LRU of the lab's) is left out, so capacity, occupancy and the table-full phase are
    /// nf_conntrack's, which holds every TCP and UDP flow.
    func capacity() throws -> Int { try table.capacity() }
    func occupancy() throws -> Int { try table.occupancy() }
    /// nf_conntrack's statistics, then the program's counters (their names do not overlap), which
    /// count TCP/UDP and ICMP echo packets alike.
    func statistics() throws -> [String: UInt64] {
        try table.statistics().merging(try filter.counters().byName) { kernel, _ in kernel }
    }
    func startDeletionLog() throws -> Bool { try table.startDeletionLog() }
    func drainDeletions() throws -> [TrackedDeletion] { try table.drainDeletions() }
    func sweeps() -> [SweepRecord] { [] }
    func collectorCPUNanoseconds() -> UInt64 { 0 }
    func resize(to entries: Int?) throws { try table.resize(to: entries) }
    func stop() { table.stop() }
}
