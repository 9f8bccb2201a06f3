import LabCollectors
import LabResults
import LabSystem
import LabTopology
import LabTraffic

/// One workload of a case: its traffic window, the collectors opened and closed with it, and the
/// workload's own run. Returns the workload's samples followed by the collectors', and the series
/// (the workload's, then the collectors');
/// logs the workload's wall time, its traffic window alone, and the collectors' own reads.
enum WorkloadPhase {
    static func run(_ workload: Workload, in context: TrafficContext, filter: FilterUnderTest,
                    phases: inout PhaseLog) throws -> CollectedData {
        try Cancellation.shared.checkpoint()
        let collectors = CollectorSet(topology: context.topology, tracker: filter.tracker)
        var opened: UInt64?
        var closed: UInt64 = 0
        var collectorNanoseconds: UInt64 = 0
        var collected: CollectedData?
        // The window is the traffic alone: it opens after the collectors' first read and closes
        // before their last, whose cost is logged as the collectors' phase.
        let window = TrafficWindow(
            opening: {
                let start = MonotonicClock.nanoseconds()
                try collectors.open()
                let now = MonotonicClock.nanoseconds()
                collectorNanoseconds += now &- start
                opened = now
            },
            closing: {
                guard opened != nil else { return }
                closed = MonotonicClock.nanoseconds()
                collected = try collectors.close(workload: workload.name)
                collectorNanoseconds += MonotonicClock.nanoseconds() &- closed
            })
        let measured = try phases.time(PhaseRecord.workload(workload.name)) {
            try WorkloadRunner.measure(workload, in: context, filter: filter, window: window)
        }
        guard let collected, let opened else {
            throw LabFailure("\(workload.name): its driver never opened and closed the traffic window")
        }
        phases.append(PhaseRecord.traffic(workload.name), milliseconds: Double(closed &- opened) / 1e6)
        phases.append(PhaseRecord.collectors, milliseconds: Double(collectorNanoseconds) / 1e6)
        return CollectedData(samples: measured.samples, series: measured.series) + collected
    }
}
