import LabConntrack
import LabResults
import LabSystem

/// `conntrack-gc`: the conntrack lab's phases on one stateful installation (issue 8) — fill the
/// table with N one-datagram UDP flows, let them expire and time how late the tracker reclaims them
/// (GC lag per flow, time to empty), race short TCP connections against the collector (churn), then
/// shrink the table and flood it while long-lived flows keep running (table full). Each phase can be
/// turned off with a 0. Needs a stateful policy (`policy.stateful: true`); on a case without a
/// tracker (`none`) it runs the fill alone, which is the generator's ceiling the others are read against.
public struct ConntrackGCWorkload: WorkloadDefinition, Equatable {
    public var name: String
    public var fill: Int
    /// Flows per second; 0 = as fast as the generator goes.
    public var fillRate: Int
    /// How long the expire phase waits after the last fill flow expired before giving up on an empty table.
    public var expireWaitSeconds: Double
    /// Short TCP connections per second in the churn phase; 0 skips it.
    public var churnRate: Int
    public var churnSeconds: Double
    /// Table size in the table-full phase; 0 skips it.
    public var fullTable: Int
    public var fullSeconds: Double
    /// Long-lived TCP flows kept alive through the churn and table-full phases.
    public var established: Int
    /// How often each long-lived flow exchanges a request and its reply: the longer, the older its
    /// entry looks to an LRU when the flood arrives (an idle-but-live connection is what an LRU evicts).
    public var establishedIntervalSeconds: Double

    public init(name: String = "conntrack-gc", fill: Int = 262_144, fillRate: Int = 0, expireWaitSeconds: Double = 60,
                churnRate: Int = 2000, churnSeconds: Double = 10, fullTable: Int = 8192, fullSeconds: Double = 5,
                established: Int = 64, establishedIntervalSeconds: Double = 1) {
        self.name = name
        self.fill = fill
        self.fillRate = fillRate
        self.expireWaitSeconds = expireWaitSeconds
        self.churnRate = churnRate
        self.churnSeconds = churnSeconds
        self.fullTable = fullTable
        self.fullSeconds = fullSeconds
        self.established = established
        self.establishedIntervalSeconds = establishedIntervalSeconds
    }

    public static let kind = "conntrack-gc"
    public static let fields = [
        WorkloadField("fill", .integer(1...4_000_000), .defaulted(.integer(262_144))),
        WorkloadField("fill_rate", .packetsPerSecond, .defaulted(.integer(0))),
        WorkloadField("expire_wait", .milliseconds(1_000...600_000, wholeSeconds: false), .defaulted(.integer(60_000))),
        WorkloadField("churn_rate", .integer(0...100_000), .defaulted(.integer(2000))),
        WorkloadField("churn_duration", .milliseconds(1_000...120_000, wholeSeconds: false), .defaulted(.integer(10_000))),
        WorkloadField("full_table", .integer(0...1_000_000), .defaulted(.integer(8192))),
        WorkloadField("full_duration", .milliseconds(1_000...120_000, wholeSeconds: false), .defaulted(.integer(5_000))),
        WorkloadField("established", .integer(0...2000), .defaulted(.integer(64))),
        WorkloadField("established_interval", .milliseconds(10...10_000, wholeSeconds: false), .defaulted(.integer(1_000))),
    ]

    public static func conflicts(in values: WorkloadValues) -> [WorkloadFieldIssue] {
        guard let table = values.integer("full_table"), table != 0, table < 256 else { return [] }
        return [WorkloadFieldIssue(key: "full_table", at: .value,
                                   "full_table must be 0 (no table-full phase) or at least 256 entries, not \(table)")]
    }

    public static let metrics = ConntrackGCMetrics.all
    /// One per effect: how late entries go, how many connections a full table or a sweep breaks.
    public static let primaryMetrics = [ConntrackGCMetrics.lagP99, ConntrackGCMetrics.timeToEmpty,
                                        ConntrackGCMetrics.fullEstablishedBroken, ConntrackGCMetrics.churnBroken]

    public static func defaultName(_ values: WorkloadValues) -> String { kind }

    public init(values: WorkloadValues) {
        self.init(name: Self.defaultName(values), fill: values.integer("fill") ?? 262_144,
                  fillRate: values.integer("fill_rate") ?? 0,
                  expireWaitSeconds: Double(values.integer("expire_wait") ?? 60_000) / 1000,
                  churnRate: values.integer("churn_rate") ?? 2000,
                  churnSeconds: Double(values.integer("churn_duration") ?? 10_000) / 1000,
                  fullTable: values.integer("full_table") ?? 8192,
                  fullSeconds: Double(values.integer("full_duration") ?? 5_000) / 1000,
                  established: values.integer("established") ?? 64,
                  establishedIntervalSeconds: Double(values.integer("established_interval") ?? 1_000) / 1000)
    }

    public var settings: String {
        "fill=\(fill) fill_rate=\(fillRate == 0 ? "max" : "\(fillRate)") expire_wait=\(formatSeconds(expireWaitSeconds)) "
            + "churn_rate=\(churnRate) churn_duration=\(formatSeconds(churnSeconds)) full_table=\(fullTable) "
            + "full_duration=\(formatSeconds(fullSeconds)) established=\(established) "
            + "established_interval=\(formatSeconds(establishedIntervalSeconds))"
    }

    /// The fill at the generator's slowest plausible rate, every timeout the phases wait on, and the
    /// phases' own durations; the longest timeouts a conntrack-gc scenario should use are seconds.
    public var maximumSeconds: Double {
        Double(fill) / 20_000 + expireWaitSeconds + 2 * ConntrackPhases.longestTimeoutWaited + churnSeconds + fullSeconds + 60
    }

    public func run(in context: TrafficContext, filter: FilterUnderTest, window: TrafficWindow) throws -> [Sample] {
        try window.measure { try ConntrackPhases(workload: self, context: context, filter: filter).run() }
    }
}
