import LabResults
import LabSystem

/// `snat-exhaustion`: concurrent TCP connections from many pods to one {server address, port}, ramped
/// in steps from `from` to `to` times the SNAT port range, each step's connections held open, so the
/// gateway's port map fills and then overflows; per step the attempts, failures, occupancy, the
/// translators' allocation failures and retries, and the model's expected failure share
/// (`PortExhaustionModel`). Then every connection is released (RST) and a new one tried every 100 ms:
/// `recovery_ms` is how long the tracker keeps a closed flow's port.
///
/// The range is the case policy's `snat.ports` unless `range` is set; `range` exists for cases whose
/// policy has no SNAT (`pair`/`routed` filter policies, a hand-made installation), where it is the only
/// source — a case with neither fails with one line saying so. Set on a policy with SNAT it wins, so a
/// scenario can ramp against a range it knows differs (documented, not silently reconciled).
public struct SNATExhaustionWorkload: WorkloadDefinition, Equatable {
    public var name: String
    public var from: Double
    public var to: Double
    public var steps: Int
    public var pods: Int
    /// Shorter than the first SYN retransmission (1 s): a SYN the NAT dropped for want of a port
    /// counts as a failure, instead of being retransmitted and perhaps finding a port the second time.
    public var connectTimeoutSeconds: Double
    public var range: Int?
    public var concurrency: Int
    public var recoveryTimeoutSeconds: Double

    public init(name: String = "snat-exhaustion", from: Double = 0.5, to: Double = 1.1, steps: Int = 7, pods: Int = 64,
                connectTimeoutSeconds: Double = 0.9, range: Int? = nil, concurrency: Int = 256, recoveryTimeoutSeconds: Double = 30) {
        self.name = name
        self.from = from
        self.to = to
        self.steps = steps
        self.pods = pods
        self.connectTimeoutSeconds = connectTimeoutSeconds
        self.range = range
        self.concurrency = concurrency
        self.recoveryTimeoutSeconds = recoveryTimeoutSeconds
    }

    public static let kind = "snat-exhaustion"
    public static let port: UInt16 = 7008
    public static let fields = [
        WorkloadField("from", .number(0.01...4), .defaulted(.number(0.5))),
        WorkloadField("to", .number(0.01...4), .defaulted(.number(1.1))),
        WorkloadField("steps", .integer(1...50), .defaulted(.integer(7))),
        WorkloadField("pods", .integer(1...4096), .defaulted(.integer(64))),
        WorkloadField("connect_timeout", .milliseconds(10...10_000, wholeSeconds: false), .defaulted(.integer(900))),
        WorkloadField("range", .integer(1...65_535), .optional),
        WorkloadField("concurrency", .integer(1...4096), .defaulted(.integer(256))),
        WorkloadField("recovery_timeout", .milliseconds(100...600_000, wholeSeconds: false), .defaulted(.integer(30_000))),
    ]

    public static func conflicts(in values: WorkloadValues) -> [WorkloadFieldIssue] {
        guard let from = values.number("from"), let to = values.number("to"), from > to else { return [] }
        return [WorkloadFieldIssue(key: "from", at: .value, "from (\(from)) must be at most to (\(to)): the ramp only goes up")]
    }

    public static let metrics = SNATExhaustionMetrics.all
    public static let primaryMetrics = [SNATExhaustionMetrics.failRatio, SNATExhaustionMetrics.recovery]

    public static func defaultName(_ values: WorkloadValues) -> String { kind }

    public init(values: WorkloadValues) {
        self.init(name: Self.defaultName(values), from: values.number("from") ?? 0.5, to: values.number("to") ?? 1.1,
                  steps: values.integer("steps") ?? 7, pods: values.integer("pods") ?? 64,
                  connectTimeoutSeconds: Double(values.integer("connect_timeout") ?? 900) / 1000, range: values.integer("range"),
                  concurrency: values.integer("concurrency") ?? 256,
                  recoveryTimeoutSeconds: Double(values.integer("recovery_timeout") ?? 30_000) / 1000)
    }

    public var settings: String {
        "from=\(from) to=\(to) steps=\(steps) pods=\(pods) connect_timeout=\(formatSeconds(connectTimeoutSeconds))"
            + (range.map { " range=\($0)" } ?? "") + " concurrency=\(concurrency) recovery_timeout=\(formatSeconds(recoveryTimeoutSeconds))"
    }

    /// Every attempt of the largest range failing at the connect bound, one concurrency window at a
    /// time, plus recovery and start-up.
    public var maximumSeconds: Double {
        let top = Int((to * Double(range ?? 65_535)).rounded())
        let windows = Double(steps) + Double(top) / Double(concurrency)
        return windows * (connectTimeoutSeconds + 0.1) + recoveryTimeoutSeconds + 30
    }

    /// The port range the ramp is sized by: `range`, else the policy's SNAT ports.
    public func portRange(_ filter: FilterUnderTest) throws -> Int {
        if let range { return range }
        guard let ports = filter.policy.snat?.ports else {
            throw LabFailure("\(name): the case's policy has no snat section, so the port range is unknown; set `range` on the workload")
        }
        return ports.count
    }

    public func run(in context: TrafficContext, filter: FilterUnderTest, window: TrafficWindow) throws -> [Sample] {
        try measure(in: context, filter: filter, window: window).samples
    }

    public func measure(in context: TrafficContext, filter: FilterUnderTest, window: TrafficWindow) throws -> WorkloadMeasurement {
        let plan = try SNATRampPlan(range: try portRange(filter), from: from, to: to, steps: steps)
        return try SNATExhaustionRun(workload: self, plan: plan, context: context, filter: filter).run(window)
    }
}
