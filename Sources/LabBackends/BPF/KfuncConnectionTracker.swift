import Foundation
import LabBPF
import LabConntrack
import LabSystem

/// The kfunc tracker's view: its table is the namespace's nf_conntrack table, counted through the
/// per-namespace nf_conntrack_count sysctl; its counters are the program's own. nf_conntrack's GC
/// reclaims the entries, so there are no sweeps here; deletions and nf_conntrack's own statistics
/// come from the netlink collector (libnetfilter_conntrack), not from this view.
final class KfuncConnectionTracker: ConnectionTracker {
    let filter: CTKfuncFilter
    let namespace: String

    init(filter: CTKfuncFilter, namespace: String) {
        self.filter = filter
        self.namespace = namespace
    }

    var kind: TrackerKind { .bpfKfunc }

    /// nf_conntrack_max: one global limit, shared with the host and every namespace.
    func capacity() throws -> Int { try sysctl("nf_conntrack_max") }
    func occupancy() throws -> Int { try sysctl("nf_conntrack_count") }
    func statistics() throws -> [String: UInt64] { try filter.counters().byName }
    func startDeletionLog() throws -> Bool { false }
    func drainDeletions() throws -> [TrackedDeletion] { [] }
    func sweeps() -> [SweepRecord] { [] }
    func collectorCPUNanoseconds() -> UInt64 { 0 }

    func resize(to entries: Int?) throws {
        throw LabFailure("resize the kfunc tracker's table: it is nf_conntrack's, bounded by the global nf_conntrack_max, "
            + "which the runner sets (journaled), not the installation")
    }

    func stop() {}

    /// /proc/sys/net/netfilter/<name> as seen from the lab's namespace (the files are per namespace).
    private func sysctl(_ name: String) throws -> Int {
        let path = "/proc/sys/net/netfilter/\(name)"
        let text = try NetworkNamespace.run(in: namespace) { try String(contentsOfFile: path, encoding: .utf8) }
        guard let value = Int(text.trimmingCharacters(in: .whitespacesAndNewlines)) else {
            throw LabFailure("read \(path) in \(namespace): not a number: \(text.prefix(40))")
        }
        return value
    }
}
