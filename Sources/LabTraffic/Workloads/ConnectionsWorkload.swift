import LabNetwork
import LabResults
import LabSystem

/// New flows per second: short TCP connections (connect, one request/response, close) or UDP
/// exchanges (a fresh socket, one request/response), each a fresh 5-tuple, at a rate or as fast as
/// `concurrency` allows — optionally with `established` long-lived TCP connections kept alive
/// alongside, whose breakage is counted. What a connection tracker at the policy point costs and
/// breaks; it runs the same against a stateless policy and `none`.
public struct ConnectionsWorkload: WorkloadDefinition, Equatable {
    public var name: String
    public var proto: TransportProtocol
    /// Attempts per second, 0 = as fast as possible.
    public var rate: Int
    public var durationSeconds: Double
    public var concurrency: Int
    public var established: Int
    public var establishedIntervalSeconds: Double

    public init(name: String, proto: TransportProtocol, rate: Int = 0, durationSeconds: Double = 5, concurrency: Int = 64,
                established: Int = 0, establishedIntervalSeconds: Double = 1) {
        self.name = name
        self.proto = proto
        self.rate = rate
        self.durationSeconds = durationSeconds
        self.concurrency = concurrency
        self.established = established
        self.establishedIntervalSeconds = establishedIntervalSeconds
    }

    public static let concurrencies = 1...1024
    public static let kind = "connections"
    public static let fields = [
        WorkloadField("protocol", .transportProtocol, .required, namesTheWorkload: true),
        WorkloadField("rate", .integer(0...1_000_000), .defaulted(.integer(0))),
        WorkloadField("duration", .milliseconds(100...300_000, wholeSeconds: false), .defaulted(.integer(5_000))),
        WorkloadField("concurrency", .integer(concurrencies), .defaulted(.integer(64))),
        WorkloadField("established", .integer(0...EstablishedFlows.maximumFlows), .defaulted(.integer(0))),
        WorkloadField("established_interval", .milliseconds(10...60_000, wholeSeconds: false), .defaulted(.integer(1_000))),
    ]

    public static let newFlowsPerSecond = MetricInfo(name: "new_flows_per_s", unit: "flows/s", direction: .higherIsBetter,
                                                     summary: "new connections (TCP) or flows (UDP) completing a request/response per second")
    public static let openP50 = MetricInfo(name: "flow_open_p50_us", unit: "µs", direction: .lowerIsBetter,
                                           summary: "TCP connect time or UDP first-response time, median")
    public static let openP90 = MetricInfo(name: "flow_open_p90_us", unit: "µs", direction: .lowerIsBetter,
                                           summary: "TCP connect time or UDP first-response time, 90th percentile")
    public static let openP99 = MetricInfo(name: "flow_open_p99_us", unit: "µs", direction: .lowerIsBetter,
                                           summary: "TCP connect time or UDP first-response time, 99th percentile")
    public static let attempted = MetricInfo(name: "flows_attempted", unit: "count", direction: .neutral, summary: "new flows attempted")
    public static let failedRefused = MetricInfo(name: "flows_failed_refused", unit: "count", direction: .lowerIsBetter,
                                                 summary: "new flows refused (RST to the SYN, ICMP unreachable)")
    public static let failedReset = MetricInfo(name: "flows_failed_reset", unit: "count", direction: .lowerIsBetter,
                                               summary: "new flows reset after the handshake")
    public static let failedConnectTimeout = MetricInfo(name: "flows_failed_connect_timeout", unit: "count", direction: .lowerIsBetter,
                                                        summary: "new TCP connections without a SYN-ACK in 1 s")
    public static let failedReplyTimeout = MetricInfo(name: "flows_failed_reply_timeout", unit: "count", direction: .lowerIsBetter,
                                                      summary: "new flows without a reply in 1 s")
    public static let failedOther = MetricInfo(name: "flows_failed_other", unit: "count", direction: .lowerIsBetter,
                                               summary: "new flows failed otherwise (no route, no port)")
    public static let establishedBroken = MetricInfo(name: "established_broken", unit: "flows", direction: .lowerIsBetter,
                                                     summary: "long-lived flows broken (reset, timeout, reply dropped) during the workload")
    public static let metrics = [newFlowsPerSecond, openP50, openP90, openP99, attempted, failedRefused, failedReset,
                                 failedConnectTimeout, failedReplyTimeout, failedOther, establishedBroken]
    /// The rate and the tail open time; the other percentiles and the failure counts are shown.
    public static let primaryMetrics = [newFlowsPerSecond, openP99]

    public static func defaultName(_ values: WorkloadValues) -> String {
        "\(values.transport("protocol")?.rawValue ?? "tcp")-connections"
    }

    public init(values: WorkloadValues) {
        self.init(name: Self.defaultName(values), proto: values.transport("protocol") ?? .tcp, rate: values.integer("rate") ?? 0,
                  durationSeconds: Double(values.integer("duration") ?? 5_000) / 1000,
                  concurrency: values.integer("concurrency") ?? 64, established: values.integer("established") ?? 0,
                  establishedIntervalSeconds: Double(values.integer("established_interval") ?? 1_000) / 1000)
    }

    public var settings: String {
        var text = "protocol=\(proto.rawValue) rate=\(rate == 0 ? "unlimited" : "\(rate)/s") duration=\(formatSeconds(durationSeconds))"
            + " concurrency=\(concurrency)"
        if established > 0 { text += " established=\(established) established_interval=\(formatSeconds(establishedIntervalSeconds))" }
        return text
    }

    /// The churn, its in-flight tail (connect and reply bounds), and opening the established flows.
    public var maximumSeconds: Double { durationSeconds + 5 + Double(established) * 0.01 }

    public func run(in context: TrafficContext, filter: FilterUnderTest, window: TrafficWindow) throws -> [Sample] {
        var background: EstablishedFlows?
        if established > 0 {
            background = try EstablishedFlows.start(count: established, intervalSeconds: establishedIntervalSeconds,
                                                    lifetime: durationSeconds + 30, name: "\(name)-established", filter: filter, context)
        }
        let churn = try ConnectionChurn.run(transport: proto, rate: rate, durationSeconds: durationSeconds, concurrency: concurrency,
                                            name: name, filter: filter, context, window)
        let kept = try background?.stop()
        guard churn.succeeded > 0 else {
            throw LabFailure("\(name): no \(proto.rawValue) flow completed (\(churn.attempted) attempted, "
                             + "failed \(churn.failed.counts.filter { $0.value > 0 }.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " "))"
                             + (churn.firstError.map { ": \($0)" } ?? "") + ")")
        }
        return Self.samples(churn, established: kept, workload: name)
    }

    /// The agents' reports as samples (`established_broken` only when long-lived flows ran).
    public static func samples(_ churn: ChurnReport, established: EstablishedReport?, workload: String) -> [Sample] {
        var samples = [
            Sample(workload: workload, metric: newFlowsPerSecond, value: churn.achievedRate),
            Sample(workload: workload, metric: openP50, value: churn.open.p50Microseconds),
            Sample(workload: workload, metric: openP90, value: churn.open.p90Microseconds),
            Sample(workload: workload, metric: openP99, value: churn.open.p99Microseconds),
            Sample(workload: workload, metric: attempted, value: Double(churn.attempted)),
            Sample(workload: workload, metric: failedRefused, value: Double(churn.failed[.refused])),
            Sample(workload: workload, metric: failedReset, value: Double(churn.failed[.reset])),
            Sample(workload: workload, metric: failedConnectTimeout, value: Double(churn.failed[.connectTimeout])),
            Sample(workload: workload, metric: failedReplyTimeout, value: Double(churn.failed[.replyTimeout])),
            Sample(workload: workload, metric: failedOther, value: Double(churn.failed[.other] + churn.failed[.timeout])),
        ]
        if let established {
            samples.append(Sample(workload: workload, metric: establishedBroken, value: Double(established.brokenCount)))
        }
        return samples
    }
}
