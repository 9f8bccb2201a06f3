import LabResults
import LabSystem

/// `masquerade-delay`: how long after an egress-gateway controller programs a new pod's rule the pod's
/// connections get through. Per sample, a new pod address that no egress rule selects starts
/// connecting to the server every `interval` (the gateway drops it); while it does, every gateway's
/// translator is given a rule for it (`AddressTranslator.add`); `masquerade_delay_ms` runs from that
/// call to the first connection that opened, so it includes the datapath's time to see the rule, and
/// `program_ms` until the call returned. Without a translator (`none`) nothing is programmed and only
/// `first_connect_ms`, from the first attempt to the first open connection, is recorded.
public struct MasqueradeDelayWorkload: WorkloadDefinition, Equatable {
    public var name: String
    public var samples: Int
    public var intervalSeconds: Double
    /// Each attempt's bound: well under the first SYN retransmission (1 s), so attempts made before
    /// the rule fail and only new ones can succeed.
    public var attemptTimeoutSeconds: Double
    /// Per sample, how long to wait for the first connection.
    public var timeoutSeconds: Double

    public init(name: String = "masquerade-delay", samples: Int = 5, intervalSeconds: Double = 0.002,
                attemptTimeoutSeconds: Double = 0.2, timeoutSeconds: Double = 10) {
        self.name = name
        self.samples = samples
        self.intervalSeconds = intervalSeconds
        self.attemptTimeoutSeconds = attemptTimeoutSeconds
        self.timeoutSeconds = timeoutSeconds
    }

    public static let kind = "masquerade-delay"
    public static let port: UInt16 = 7009
    public static let fields = [
        WorkloadField("samples", .integer(1...100), .defaulted(.integer(5))),
        WorkloadField("interval", .milliseconds(1...1_000, wholeSeconds: false), .defaulted(.integer(2))),
        WorkloadField("attempt_timeout", .milliseconds(10...900, wholeSeconds: false), .defaulted(.integer(200))),
        WorkloadField("timeout", .milliseconds(1_000...120_000, wholeSeconds: false), .defaulted(.integer(10_000))),
    ]

    public static let delay = MetricInfo(name: "masquerade_delay_ms", unit: "ms", direction: .lowerIsBetter,
                                         summary: "from programming a new pod's egress rule to its first connection through the gateway")
    public static let program = MetricInfo(name: "program_ms", unit: "ms", direction: .lowerIsBetter,
                                           summary: "time the backend's update (tool or map write) took to return for a new egress rule")
    public static let firstConnect = MetricInfo(name: "first_connect_ms", unit: "ms", direction: .lowerIsBetter,
                                                summary: "without SNAT: from a new pod's first connection attempt to its first open connection")
    public static let metrics = [delay, program, firstConnect]
    public static let primaryMetrics = [delay]

    public static func defaultName(_ values: WorkloadValues) -> String { kind }

    public init(values: WorkloadValues) {
        self.init(name: Self.defaultName(values), samples: values.integer("samples") ?? 5,
                  intervalSeconds: Double(values.integer("interval") ?? 2) / 1000,
                  attemptTimeoutSeconds: Double(values.integer("attempt_timeout") ?? 200) / 1000,
                  timeoutSeconds: Double(values.integer("timeout") ?? 10_000) / 1000)
    }

    public var settings: String {
        "samples=\(samples) interval=\(formatSeconds(intervalSeconds)) attempt_timeout=\(formatSeconds(attemptTimeoutSeconds)) "
            + "timeout=\(formatSeconds(timeoutSeconds))"
    }

    public var maximumSeconds: Double { Double(samples) * (timeoutSeconds + 5) + 10 }

    public func run(in context: TrafficContext, filter: FilterUnderTest, window: TrafficWindow) throws -> [Sample] {
        try window.measure { try MasqueradeDelayRun(workload: self, context: context, filter: filter).run() }
    }
}
