import LabNetwork
import LabResults
import LabSystem

/// TCP handshakes: connect time distribution and connections per second.
public struct ConnectWorkload: WorkloadDefinition, Equatable {
    public var name: String
    public var count: Int
    public var durationSeconds: Double

    public init(name: String, count: Int = 2000, durationSeconds: Double = 5) {
        self.name = name
        self.count = count
        self.durationSeconds = durationSeconds
    }

    public static let kind = "connect"
    public static let fields = [
        WorkloadField("count", .integer(WorkloadLimits.counts), .defaulted(.integer(2_000))),
        WorkloadField("duration", .milliseconds(WorkloadLimits.durations, wholeSeconds: false), .defaulted(.integer(5_000))),
    ]

    public static let p50 = MetricInfo(name: "connect_p50_us", unit: "µs", direction: .lowerIsBetter, summary: "TCP handshake time, median")
    public static let p90 = MetricInfo(name: "connect_p90_us", unit: "µs", direction: .lowerIsBetter,
                                       summary: "TCP handshake time, 90th percentile")
    public static let p99 = MetricInfo(name: "connect_p99_us", unit: "µs", direction: .lowerIsBetter,
                                       summary: "TCP handshake time, 99th percentile")
    public static let p999 = MetricInfo(name: "connect_p999_us", unit: "µs", direction: .lowerIsBetter,
                                        summary: "TCP handshake time, 99.9th percentile")
    public static let cps = MetricInfo(name: "cps", unit: "connections/s", direction: .higherIsBetter, summary: "new TCP connections per second")
    public static let failures = MetricInfo(name: "connect_failures", unit: "count", direction: .lowerIsBetter,
                                            summary: "connects refused or timed out")
    public static let metrics = [p50, p90, p99, p999, cps, failures]
    /// The rate; handshake percentiles are its inverse view and are shown, not gated.
    public static let primaryMetrics = [cps]

    public static func defaultName(_ values: WorkloadValues) -> String { "tcp-connect" }

    public init(values: WorkloadValues) {
        self.init(name: Self.defaultName(values), count: values.integer("count") ?? 2_000,
                  durationSeconds: Double(values.integer("duration") ?? 5_000) / 1000)
    }

    public var settings: String { "count=\(count) duration=\(formatSeconds(durationSeconds))" }

    public var maximumSeconds: Double { durationSeconds + 5 }

    public func run(in context: TrafficContext, filter: FilterUnderTest, window: TrafficWindow) throws -> [Sample] {
        let port = WorkloadRunner.connectPort
        let request = AgentRequest.connectClient(ConnectClientRequest(
            target: Endpoint(host: "\(context.topology.serverAddress)", port: port), count: count, duration: durationSeconds))
        let report = try WorkloadRunner.withEchoServer(.tcp, port: port, lifetime: durationSeconds + 10, name: name, context) {
            try WorkloadRunner.runAgent(request, timeout: durationSeconds + 10, context, window)
        }
        guard report.completed > 0 else {
            throw LabFailure("\(name): no connection completed (\(report.firstError ?? "\(report.failed) failed"))")
        }
        return Self.samples(report, workload: name)
    }

    /// The connect-client agent's report as samples.
    public static func samples(_ report: AgentReport, workload: String) -> [Sample] {
        [
            Sample(workload: workload, metric: p50, value: report.p50Microseconds),
            Sample(workload: workload, metric: p90, value: report.p90Microseconds),
            Sample(workload: workload, metric: p99, value: report.p99Microseconds),
            Sample(workload: workload, metric: p999, value: report.p999Microseconds),
            Sample(workload: workload, metric: cps, value: report.elapsedSeconds > 0 ? Double(report.completed) / report.elapsedSeconds : 0),
            Sample(workload: workload, metric: failures, value: Double(report.failed)),
        ]
    }
}
