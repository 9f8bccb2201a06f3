import LabResults
import LabTopology

/// CPU time the hypervisor gave to other guests during the window (/proc/stat's steal column). On a
/// shared virtual machine this is time the lab's traffic wanted and did not get: a measurement taken
/// under noticeable steal says as much about the neighbours as about the filter.
public final class StealCollector: WorkloadCollector {
    public static let stealMs = MetricInfo(name: "cpu_steal_ms", unit: "ms", direction: .neutral,
                                           summary: "CPU time stolen by the hypervisor, all CPUs")
    public static let stealShare = MetricInfo(name: "steal_share", unit: "ratio", direction: .neutral,
                                              summary: "stolen CPU ticks / all CPU ticks over the window")
    public static let metrics = [stealMs, stealShare]
    /// Above this share the report flags the window's measurements.
    public static let flagThreshold = 0.05

    private var before: CPUTimes?

    public init(topology: Topology) {}

    public func open() throws { before = try CPUTimes.read() }

    public func close(workload: String) throws -> CollectedData {
        guard let before else { return CollectedData() }
        return CollectedData(samples: Self.samples(workload: workload, from: before, to: try CPUTimes.read()))
    }

    public static func samples(workload: String, from before: CPUTimes, to after: CPUTimes,
                               ticksPerSecond: Double = CPUUsage.ticksPerSecond) -> [Sample] {
        let steal = after.steal &- before.steal
        let total = after.total &- before.total
        return [
            Sample(workload: workload, metric: stealMs, value: Double(steal) * 1000 / ticksPerSecond),
            Sample(workload: workload, metric: stealShare, value: total == 0 ? 0 : Double(steal) / Double(total)),
        ]
    }
}
