import LabCollectors
import LabResults
import LabSystem
import LabTopology
import LabTraffic

/// One workload of a case: its traffic window, the collectors opened and closed with it, and the
/// workload's own run. Returns the workload's samples followed by the collectors', and the series.
enum WorkloadPhase {
    static func run(_ workload: Workload, in context: TrafficContext, filter: FilterUnderTest) throws -> CollectedData {
        try Cancellation.shared.checkpoint()
        let collectors = CollectorSet(topology: context.topology)
        var opened = false
        var collected: CollectedData?
        let window = TrafficWindow(opening: { try collectors.open(); opened = true },
                                   closing: { if opened { collected = try collectors.close(workload: workload.name) } })
        let samples = try WorkloadRunner.run(workload, in: context, filter: filter, window: window)
        guard let collected else {
            throw LabFailure("\(workload.name): its driver never opened and closed the traffic window")
        }
        return CollectedData(samples: samples, series: []) + collected
    }
}
