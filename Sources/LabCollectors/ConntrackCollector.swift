import LabConntrack
import LabResults
import LabTopology

/// The connection table around a workload's traffic, when the case's policy is stateful: the
/// tracker's counters as deltas over the window (nf_conntrack's per-CPU statistics read over netlink,
/// or the BPF tracker's own), the peak and final entry counts, and the table's fill over time as the
/// series "ct_fill_percent". Records nothing for a stateless case.
public final class ConntrackCollector: WorkloadCollector {
    public static let seriesName = "ct_fill_percent"
    public static let tickSeconds = 0.25

    public static let entriesPeak = MetricInfo(name: "ct_entries_peak", unit: "entries", direction: .neutral,
                                               summary: "most connection-table entries seen during the window")
    public static let entriesEnd = MetricInfo(name: "ct_entries_end", unit: "entries", direction: .neutral,
                                              summary: "connection-table entries when the window closed")
    /// What the window's traffic left in the table: entries at close minus entries at open. The
    /// kernel's own per-CPU `insert` and `found` counters stay at 0 on recent kernels (seen on 6.18
    /// with 200k delivered packets/s), so the count is what can tell whether traffic was tracked.
    public static let entriesAdded = MetricInfo(name: "ct_entries_added", unit: "entries", direction: .neutral,
                                                summary: "connection-table entries added during the window (end minus start)")

    /// Counter deltas, by the tracker's statistic name. nf_conntrack's come from its per-CPU statistics;
    /// the BPF tracker's from its per-CPU counters (bpf/lib/conntrack.h).
    public static let counters: [String: MetricInfo] = {
        let declared: [(String, Direction, String)] = [
            ("found", .neutral, "lookups that found an entry"),
            ("invalid", .neutral, "packets the tracker could not classify (dropped by a stateful policy)"),
            ("insert", .neutral, "entries inserted"),
            ("insert_failed", .lowerIsBetter, "entries that could not be inserted (a race or a full table)"),
            ("drop", .lowerIsBetter, "packets dropped because no entry could be made (table full)"),
            ("early_drop", .lowerIsBetter, "entries dropped early to make room (table full)"),
            ("error", .lowerIsBetter, "packets the tracker refused as erroneous"),
            ("search_restart", .neutral, "lookups restarted because the table changed under them"),
            ("clash_resolve", .neutral, "insert races resolved in favour of one entry"),
            ("chaintoolong", .lowerIsBetter, "inserts refused because a hash chain was too long"),
            ("created", .neutral, "entries the BPF tracker created"),
            ("refused_full", .lowerIsBetter, "new flows the BPF tracker refused because its map was full"),
            ("unsolicited", .neutral, "server-side packets with no entry (dropped)"),
            ("expired_reused", .neutral, "expired entries a new flow took over before a sweep reclaimed them"),
            ("events_lost", .lowerIsBetter, "nf_conntrack destroy events the lab's log lost (socket overrun, undecodable)"),
        ]
        var table: [String: MetricInfo] = [:]
        for (name, direction, summary) in declared {
            table[name] = MetricInfo(name: "ct_\(name)", unit: "count", direction: direction, summary: summary)
        }
        return table
    }()

    public static var metrics: [MetricInfo] {
        [entriesPeak, entriesEnd, entriesAdded] + counters.keys.sorted().compactMap { counters[$0] }
    }

    private let tracker: (any ConnectionTracker)?
    private var sampler: OccupancySampler?
    private var before: [String: UInt64] = [:]
    private var entriesAtOpen: Int?

    public init(topology: Topology) { tracker = nil }
    public init(topology: Topology, tracker: (any ConnectionTracker)?) { self.tracker = tracker }

    deinit { _ = sampler?.stop() }

    public func open() throws {
        guard let tracker else { return }
        before = try tracker.statistics()
        entriesAtOpen = try tracker.occupancy()
        let sampler = OccupancySampler(tracker: tracker, interval: Self.tickSeconds)
        sampler.start()
        self.sampler = sampler
    }

    public func close(workload: String) throws -> CollectedData {
        guard let tracker, let sampler else { return CollectedData() }
        let points = sampler.stop()
        self.sampler = nil
        let after = try tracker.statistics()
        var samples: [Sample] = []
        if let peak = points.map(\.entries).max() {
            samples.append(Sample(workload: workload, metric: Self.entriesPeak, value: Double(peak)))
        }
        if let last = points.last {
            samples.append(Sample(workload: workload, metric: Self.entriesEnd, value: Double(last.entries)))
            if let start = entriesAtOpen {
                samples.append(Sample(workload: workload, metric: Self.entriesAdded, value: Double(max(0, last.entries - start))))
            }
        }
        samples += Self.deltas(before: before, after: after, workload: workload)
        let series = Series(workload: workload, name: Self.seriesName, xLabel: "s", yLabel: "% of table",
                            x: points.map(\.seconds),
                            y: points.map { $0.capacity > 0 ? 100 * Double($0.entries) / Double($0.capacity) : 0 })
        return CollectedData(samples: samples, series: points.isEmpty ? [] : [series])
    }

    /// Counter growth over the window, for the declared counters only (in name order). Counters are
    /// cumulative; one that went backwards (a table swapped in by a phase) counts from zero.
    public static func deltas(before: [String: UInt64], after: [String: UInt64], workload: String) -> [Sample] {
        after.keys.sorted().compactMap { name in
            guard let metric = counters[name], let now = after[name] else { return nil }
            let then = before[name] ?? 0
            return Sample(workload: workload, metric: metric, value: Double(now >= then ? now - then : now))
        }
    }
}
