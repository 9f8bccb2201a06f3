#if canImport(Glibc)
import Glibc
#endif
import CLibBPF
import LabSystem

/// A table the swept tracker's collector (LabBackends' CTCollector) reclaims: the tracker's own
/// connection table, or the SNAT's NAT maps, whose forward entries carry the tracker's lifetimes.
/// One collector, one sweep record type, one interval rule for both.
public protocol SweptTable: AnyObject, Sendable {
    /// One pass: delete what has expired, say what was examined and deleted.
    func sweep(lifetimes: CTLifetimes) throws -> CTSweep
}

extension CTTable: SweptTable {
    public func sweep(lifetimes: CTLifetimes) throws -> CTSweep { try CTSweep.run(self, lifetimes: lifetimes) }
}

/// One pass of the collector over a plain-hash table: read every entry in batches, delete the
/// expired ones in one batch. The decision is made on the copy just read, as cilium's GC does, so
/// an entry the datapath refreshes between the read and the delete is deleted although live — the
/// race the lab's churn phase measures, deliberately not hidden here.
public struct CTSweep: Sendable {
    public let examined: Int
    /// The expired flows deleted, with the monotonic time of the delete.
    public let deleted: [bl_ct_key]
    public let deletedAtNanoseconds: UInt64
    public let startNanoseconds: UInt64
    public let durationNanoseconds: UInt64

    public static func run(_ table: CTTable, lifetimes: CTLifetimes) throws -> CTSweep {
        let start = MonotonicClock.nanoseconds()
        let entries = try table.entries()
        // Compared with the time of the read, not the start: an entry that expires during a long walk
        // is the next sweep's. The datapath's clock (CLOCK_MONOTONIC_COARSE, bpf/include/conntrack_maps.h),
        // so the collector never deletes what the program still treats as live.
        let now = CTClock.coarseNanoseconds()
        let expired = entries.filter { lifetimes.isExpired($0.entry, proto: $0.key.proto, now: now) }.map(\.key)
        try table.delete(expired)
        let end = MonotonicClock.nanoseconds()
        return CTSweep(examined: entries.count, deleted: expired, deletedAtNanoseconds: end, startNanoseconds: start,
                       durationNanoseconds: end - start)
    }
}

/// CLOCK_MONOTONIC_COARSE, the clock the tracker stamps entries with (bpf_ktime_get_coarse_ns).
public enum CTClock {
    public static func coarseNanoseconds() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC_COARSE, &ts)
        return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
    }
}
