import Histogram

/// Several churn clients' reports as one. The driver runs one client per CPU on disjoint sources so
/// that a single generator process is never what limits the rate: against `none` on this 2-core VM
/// one and two clients reached the same rates within the machine's noise (8–22k TCP conn/s in
/// interleaved 3 s tries), i.e. the path and the server, not the generator, set the ceiling there;
/// on a machine with more CPUs one process would. Counts add;
/// open-time percentiles come from the merged histograms (each client ships its buckets), not from
/// averaging percentiles; the timeline adds slice by slice (the clients start within milliseconds).
enum MergedChurn {
    static func merge(_ reports: [ChurnReport]) -> ChurnReport {
        precondition(!reports.isEmpty, "at least one churn report")
        if reports.count == 1 { return reports[0] }
        var recorder = LatencyRecorder()
        var failed = FailureCounts()
        var timeline = OutcomeTimeline()
        for report in reports {
            recorder.add(buckets: report.openBuckets)
            for failure in FlowFailure.allCases { failed.add(failure, count: report.failed[failure]) }
            timeline.add(report.timeline)
        }
        let elapsed = reports.map(\.elapsedSeconds).max()!
        return ChurnReport(transport: reports[0].transport, attempted: reports.map(\.attempted).reduce(0, +),
                           succeeded: reports.map(\.succeeded).reduce(0, +), failed: failed, elapsedSeconds: elapsed,
                           open: recorder.report(failed: 0, elapsedSeconds: elapsed, firstError: nil), openBuckets: recorder.buckets,
                           timeline: timeline, firstError: reports.lazy.compactMap(\.firstError).first)
    }
}

extension LatencyRecorder {
    /// The histogram as (value ns, count) pairs, one per recorded bucket: small enough for a report
    /// line, exact enough to merge (each value lands back in its own bucket).
    var buckets: [[UInt64]] { histogram.recordedValues().map { [$0.value, UInt64($0.count)] } }

    mutating func add(buckets: [[UInt64]]) {
        for pair in buckets where pair.count == 2 { _ = histogram.record(pair[0], count: pair[1]) }
    }
}

