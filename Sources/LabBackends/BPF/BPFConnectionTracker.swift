import LabBPF
import LabConntrack

/// The lab's BPF tracker as the collectors and workloads see it: the stateful filter's table and
/// counters, and for the swept table the collector that reclaims it.
final class BPFConnectionTracker: SweptByCollector {
    let filter: CTFilter
    let installedSize: Int
    let collector: CTCollector?

    init(filter: CTFilter, installedSize: Int, collector: CTCollector?) {
        self.filter = filter
        self.installedSize = installedSize
        self.collector = collector
    }

    var kind: TrackerKind { filter.table.kind == .lru ? .bpfLRU : .bpfSwept }
    func capacity() throws -> Int { filter.table.capacity }
    func occupancy() throws -> Int { try filter.table.count() }
    func statistics() throws -> [String: UInt64] { try filter.counters().byName }


    func resize(to entries: Int?) throws {
        let table = try filter.replaceTable(capacity: entries ?? installedSize)
        collector?.sweep(table)
    }

    func stop() { collector?.stopLog() }
}

/// A BPF table whose deletions the lab's collector makes (the swept kind) — or nobody (an LRU map
/// evicts without telling anyone, so there is no deletion to log and no sweep).
protocol SweptByCollector: ConnectionTracker {
    var collector: CTCollector? { get }
}

extension SweptByCollector {
    func startDeletionLog() throws -> Bool {
        guard let collector else { return false }
        collector.startLog()
        return true
    }

    func drainDeletions() throws -> [TrackedDeletion] { collector?.drain() ?? [] }
    func sweeps() -> [SweepRecord] { collector?.sweeps ?? [] }
    func collectorCPUNanoseconds() -> UInt64 { collector?.cpu ?? 0 }
}
