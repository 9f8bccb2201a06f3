import LabResults
import LabTopology

/// Machine CPU time over the window, from /proc/stat (all CPUs: softirq work lands on whichever CPU).
public final class CPUCollector: WorkloadCollector {
    public static let softirqMs = MetricInfo(name: "cpu_softirq_ms", unit: "ms", direction: .neutral, summary: "softirq CPU time, all CPUs")
    public static let systemMs = MetricInfo(name: "cpu_system_ms", unit: "ms", direction: .neutral, summary: "system CPU time, all CPUs")
    public static let userMs = MetricInfo(name: "cpu_user_ms", unit: "ms", direction: .neutral, summary: "user CPU time, all CPUs")
    public static let busyRatio = MetricInfo(name: "cpu_busy_ratio", unit: "ratio", direction: .neutral,
                                             summary: "non-idle CPU time / wall time × CPUs")
    public static let metrics = [softirqMs, systemMs, userMs, busyRatio]

    private var before: CPUTimes?

    public init(topology: Topology) {}

    public func open() throws { before = try CPUTimes.read() }

    public func close(workload: String) throws -> CollectedData {
        guard let before else { return CollectedData() }
        return CollectedData(samples: Self.samples(workload: workload, from: before, to: try CPUTimes.read()))
    }

    public static func samples(workload: String, from before: CPUTimes, to after: CPUTimes,
                               ticksPerSecond: Double = CPUUsage.ticksPerSecond) -> [Sample] {
        let usage = CPUUsage(from: before, to: after, ticksPerSecond: ticksPerSecond)
        return [
            Sample(workload: workload, metric: softirqMs, value: usage.softirqMs),
            Sample(workload: workload, metric: systemMs, value: usage.systemMs),
            Sample(workload: workload, metric: userMs, value: usage.userMs),
            Sample(workload: workload, metric: busyRatio, value: usage.busyRatio),
        ]
    }
}
