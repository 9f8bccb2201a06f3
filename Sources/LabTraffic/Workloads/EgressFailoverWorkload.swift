import LabNetwork
import LabResults
import LabSystem

/// An egress gateway fails during traffic (issue 9, `egress-failover`): long-lived TCP connections
/// and new connections at a steady rate leave through the active gateway; after `fail_after` it is
/// taken away from the nodes (its node-facing links go down) and the nodes' routes move to the
/// standby gateway. Measured: the time until a new connection succeeds through the standby, the new
/// connections lost meanwhile, the long-lived ones broken (their NAT state stayed on the failed
/// gateway), and the packets the server saw from pod addresses — left untranslated, which must be 0
/// for every translating backend (`none` routes without SNAT, so all of its packets are).
///
/// `fail_after` defaults to 2.5 s because the kernel batches non-urgent link events to one run per
/// second (net/core/link_watch.c): a carrier loss within a second of the previous link change — the
/// lab's own topology build, when the install is quick — reached the nodes' routes 0.4–0.6 s late
/// here, against 3 ms otherwise (measured: nftables 2.6 ms at fail_after 2.5 s, 520–560 ms at 1 s).
public struct EgressFailoverWorkload: WorkloadDefinition, Equatable {
    public var name: String
    /// New connections per second (one every 1/rate s).
    public var rate: Int
    public var established: Int
    public var establishedIntervalSeconds: Double
    public var failAfterSeconds: Double
    public var durationSeconds: Double
    public var connectTimeoutSeconds: Double

    public init(name: String = "egress-failover", rate: Int = 200, established: Int = 16, establishedIntervalSeconds: Double = 0.1,
                failAfterSeconds: Double = 2.5, durationSeconds: Double = 6, connectTimeoutSeconds: Double = 0.3) {
        self.name = name
        self.rate = rate
        self.established = established
        self.establishedIntervalSeconds = establishedIntervalSeconds
        self.failAfterSeconds = failAfterSeconds
        self.durationSeconds = durationSeconds
        self.connectTimeoutSeconds = connectTimeoutSeconds
    }

    public static let kind = "egress-failover"
    public static let fields = [
        WorkloadField("rate", .integer(1...2_000), .defaulted(.integer(200))),
        WorkloadField("established", .integer(1...EstablishedFlows.maximumFlows), .defaulted(.integer(16))),
        WorkloadField("established_interval", .milliseconds(10...10_000, wholeSeconds: false), .defaulted(.integer(100))),
        WorkloadField("fail_after", .milliseconds(200...60_000, wholeSeconds: false), .defaulted(.integer(2_500))),
        WorkloadField("duration", .milliseconds(500...120_000, wholeSeconds: false), .defaulted(.integer(6_000))),
        WorkloadField("connect_timeout", .milliseconds(10...5_000, wholeSeconds: false), .defaulted(.integer(300))),
    ]

    public static func conflicts(in values: WorkloadValues) -> [WorkloadFieldIssue] {
        guard let fail = values.integer("fail_after"), let duration = values.integer("duration"),
              let timeout = values.integer("connect_timeout") else { return [] }
        guard fail + timeout < duration else {
            return [WorkloadFieldIssue(key: "fail_after", at: .value,
                                       "fail_after (\(fail) ms) plus connect_timeout (\(timeout) ms) must end before duration (\(duration) ms), or the failover cannot be seen")]
        }
        return []
    }

    public static let failoverMs = MetricInfo(name: "failover_ms", unit: "ms", direction: .lowerIsBetter,
                                              summary: "from the active gateway's failure to the first new connection that succeeded through the standby")
    public static let failedDuring = MetricInfo(name: "failover_connections_failed", unit: "count", direction: .lowerIsBetter,
                                                summary: "new connections that failed after the gateway failed (in flight at the failure or started after it)")
    public static let attempted = MetricInfo(name: "connections_attempted", unit: "count", direction: .neutral,
                                             summary: "new connections the prober opened over the whole workload")
    /// Long-lived connections broken: their NAT state stayed on the failed gateway.
    public static let establishedBroken = ConnectionsWorkload.establishedBroken
    public static let leaked = MetricInfo(name: "leaked_untranslated", unit: "packets", direction: .lowerIsBetter,
                                          summary: "packets the server saw from a pod address: left the cluster untranslated (must be 0 with SNAT)")
    public static let standbyShare = MetricInfo(name: "standby_share", unit: "share", direction: .neutral,
                                                summary: "share of the translated packets toward the server that came from the standby gateway's egress IP")
    public static let recovered = MetricInfo(name: "failover_recovered", unit: "0/1", direction: .higherIsBetter,
                                             summary: "1 when a new connection succeeded through the standby gateway before the workload ended")
    public static let metrics = [failoverMs, recovered, failedDuring, attempted, establishedBroken, leaked, standbyShare]
    public static let primaryMetrics = [failoverMs, establishedBroken]

    public static func defaultName(_ values: WorkloadValues) -> String { kind }

    public init(values: WorkloadValues) {
        self.init(name: Self.defaultName(values), rate: values.integer("rate") ?? 200, established: values.integer("established") ?? 16,
                  establishedIntervalSeconds: Double(values.integer("established_interval") ?? 100) / 1000,
                  failAfterSeconds: Double(values.integer("fail_after") ?? 2_500) / 1000,
                  durationSeconds: Double(values.integer("duration") ?? 6_000) / 1000,
                  connectTimeoutSeconds: Double(values.integer("connect_timeout") ?? 300) / 1000)
    }

    public var settings: String {
        "rate=\(rate)/s established=\(established) established_interval=\(formatSeconds(establishedIntervalSeconds)) "
            + "fail_after=\(formatSeconds(failAfterSeconds)) duration=\(formatSeconds(durationSeconds)) "
            + "connect_timeout=\(formatSeconds(connectTimeoutSeconds))"
    }

    public var maximumSeconds: Double { durationSeconds + connectTimeoutSeconds + 10 + Double(established) * 0.01 }

    public func run(in context: TrafficContext, filter: FilterUnderTest, window: TrafficWindow) throws -> [Sample] {
        let outcome = try EgressFailoverDriver(workload: self, context: context, filter: filter).run(window)
        let standby = context.topology.policyPoints.dropFirst().compactMap { context.topology.egressAddress(of: $0) }
        let translated = outcome.packetsByEgress.values.reduce(0, +)
        let viaStandby = outcome.packetsByEgress.filter { standby.contains($0.key) }.values.reduce(0, +)
        // No recovery is a result, not an error: `none` has no state at the standby to answer with,
        // and its replies keep going to the failed gateway.
        let recovery = outcome.timing.recoveryMilliseconds.map { [Sample(workload: name, metric: Self.failoverMs, value: $0)] } ?? []
        return recovery + [
            Sample(workload: name, metric: Self.recovered, value: outcome.timing.recoveryMilliseconds == nil ? 0 : 1),
            Sample(workload: name, metric: Self.failedDuring, value: Double(outcome.timing.failedAfter)),
            Sample(workload: name, metric: Self.attempted, value: Double(outcome.attempts)),
            Sample(workload: name, metric: Self.establishedBroken, value: Double(outcome.established.brokenCount)),
            Sample(workload: name, metric: Self.leaked, value: Double(outcome.leakedPackets)),
            Sample(workload: name, metric: Self.standbyShare, value: translated > 0 ? Double(viaStandby) / Double(translated) : 0),
        ]
    }
}
