import LabNetwork
import LabResults
import LabSystem

/// Request/response round trips, one in flight, by benchlab's own agent.
public struct LatencyWorkload: WorkloadDefinition, Equatable {
    public var name: String
    public var proto: TransportProtocol
    public var payloadBytes: Int
    /// Stops at `count` round trips or `durationSeconds`, whichever comes first.
    public var count: Int
    public var durationSeconds: Double

    public init(name: String, proto: TransportProtocol, payloadBytes: Int = 64, count: Int = 10_000,
                durationSeconds: Double = 5) {
        self.name = name
        self.proto = proto
        self.payloadBytes = payloadBytes
        self.count = count
        self.durationSeconds = durationSeconds
    }

    public static let kind = "latency"
    public static let fields = [
        WorkloadField("protocol", .transportProtocol, .required, namesTheWorkload: true),
        WorkloadField("payload", .bytes(1...WorkloadLimits.largestUDPPayload), .defaulted(.integer(64))),
        WorkloadField("count", .integer(WorkloadLimits.counts), .defaulted(.integer(10_000))),
        WorkloadField("duration", .milliseconds(WorkloadLimits.durations, wholeSeconds: false), .defaulted(.integer(5_000))),
    ]

    public static let p50 = MetricInfo(name: "latency_p50_us", unit: "µs", direction: .lowerIsBetter, summary: "request/response round trip, median")
    public static let p90 = MetricInfo(name: "latency_p90_us", unit: "µs", direction: .lowerIsBetter, summary: "round trip, 90th percentile")
    public static let p99 = MetricInfo(name: "latency_p99_us", unit: "µs", direction: .lowerIsBetter, summary: "round trip, 99th percentile")
    public static let p999 = MetricInfo(name: "latency_p999_us", unit: "µs", direction: .lowerIsBetter, summary: "round trip, 99.9th percentile")
    public static let mean = MetricInfo(name: "latency_mean_us", unit: "µs", direction: .lowerIsBetter, summary: "round trip, mean")
    public static let transactions = MetricInfo(name: "transactions", unit: "count", direction: .neutral, summary: "round trips completed")
    public static let timeouts = MetricInfo(name: "timeouts", unit: "count", direction: .lowerIsBetter,
                                            summary: "requests without an answer in time")
    public static let metrics = [p50, p90, p99, p999, mean, transactions, timeouts]
    /// The typical and the tail round trip; p90, p99.9 and the mean move with them and are shown.
    public static let primaryMetrics = [p50, p99]

    public static func defaultName(_ values: WorkloadValues) -> String {
        "\(values.transport("protocol")?.rawValue ?? "udp")-latency"
    }

    public init(values: WorkloadValues) {
        self.init(name: Self.defaultName(values), proto: values.transport("protocol") ?? .udp,
                  payloadBytes: values.integer("payload") ?? 64, count: values.integer("count") ?? 10_000,
                  durationSeconds: Double(values.integer("duration") ?? 5_000) / 1000)
    }

    public var settings: String {
        "protocol=\(proto.rawValue) payload=\(payloadBytes)B count=\(count) duration=\(formatSeconds(durationSeconds))"
    }

    public var maximumSeconds: Double { durationSeconds + 5 }

    /// The series holding each repeat's percentile ladder (x percentile, y µs), for distribution plots.
    public static let percentileSeries = "latency-percentiles"

    public func run(in context: TrafficContext, filter: FilterUnderTest, window: TrafficWindow) throws -> [Sample] {
        try measure(in: context, filter: filter, window: window).samples
    }

    public func measure(in context: TrafficContext, filter: FilterUnderTest, window: TrafficWindow) throws -> WorkloadMeasurement {
        let port = proto == .tcp ? WorkloadRunner.tcpEchoPort : WorkloadRunner.udpEchoPort
        let request = AgentRequest.rrClient(RoundTripClientRequest(
            transport: proto, target: Endpoint(host: "\(context.topology.serverAddress)", port: port),
            payload: payloadBytes, count: count, duration: durationSeconds))
        let report = try WorkloadRunner.withEchoServer(proto, port: port, lifetime: durationSeconds + 10, name: name, context) {
            try WorkloadRunner.runAgent(request, timeout: durationSeconds + 10, context, window)
        }
        guard report.completed > 0 else {
            throw LabFailure("\(name): no round trip completed (\(report.firstError ?? "\(report.failed) timed out"))")
        }
        return WorkloadMeasurement(samples: Self.samples(report, workload: name), series: Self.series(report, workload: name))
    }

    /// The agent's percentile ladder as one series; none from an agent that sent no ladder.
    public static func series(_ report: AgentReport, workload: String) -> [Series] {
        guard let ladder = report.percentiles, !ladder.isEmpty else { return [] }
        return [Series(workload: workload, name: percentileSeries, xLabel: "percentile", yLabel: "round trip (µs)",
                       x: ladder.map(\.percentile), y: ladder.map(\.microseconds))]
    }

    /// The rr-client agent's report as samples.
    public static func samples(_ report: AgentReport, workload: String) -> [Sample] {
        [
            Sample(workload: workload, metric: p50, value: report.p50Microseconds),
            Sample(workload: workload, metric: p90, value: report.p90Microseconds),
            Sample(workload: workload, metric: p99, value: report.p99Microseconds),
            Sample(workload: workload, metric: p999, value: report.p999Microseconds),
            Sample(workload: workload, metric: mean, value: report.meanMicroseconds),
            Sample(workload: workload, metric: transactions, value: Double(report.completed)),
            Sample(workload: workload, metric: timeouts, value: Double(report.failed)),
        ]
    }
}
