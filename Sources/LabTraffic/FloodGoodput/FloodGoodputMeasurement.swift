import LabResults
import LabSystem

/// One flood-goodput run's reports, turned into samples.
///
/// - `tps`: transactions completed per second of the request/response client's own run time — the
///   good traffic's rate, the primary metric.
/// - `rr_p50_us`, `rr_p99_us`: round-trip percentiles of the completed transactions (absent when
///   none completed: a percentile of nothing is not 0).
/// - `rr_timeouts`: requests that had no answer within the client's per-request timeout, or whose send
///   failed (a veth whose receive backlog is full refuses the frame: ENOBUFS).
/// - `flood_pps_offered`: what the flood sent or tried to send per second of its own send time (0 at
///   share 0); the flood runs open loop, so frames the full receive queue refused count as offered.
/// - `flood_pps_refused`: of those, the frames the path refused at the sender (its queue was full).
/// - `flood_pps_dropped`: the filter's drop counter delta over the flood's send time (absent without a
///   counter, and without a flood).
/// - `generator_ceiling_pps`: the generator's own rate in the short unpaced run before, the base of
///   the share (absent at share 0; see `FloodGoodputDriver.ceilingFlood`).
public struct FloodGoodputMeasurement: Sendable, Equatable {
    public var transactions: AgentReport
    /// nil at share 0.
    public var flood: FloodReport?
    public var ceiling: FloodReport?
    public var filterDropped: UInt64?

    public static let tps = MetricInfo(name: "tps", unit: "transactions/s", direction: .higherIsBetter,
                                       summary: "request/response transactions completed per second beside the flood")
    public static let p50 = MetricInfo(name: "rr_p50_us", unit: "µs", direction: .lowerIsBetter,
                                       summary: "round trip of the good transactions, median")
    public static let p99 = MetricInfo(name: "rr_p99_us", unit: "µs", direction: .lowerIsBetter,
                                       summary: "round trip of the good transactions, 99th percentile")
    public static let timeouts = MetricInfo(name: "rr_timeouts", unit: "count", direction: .lowerIsBetter,
                                            summary: "good requests unanswered within the client's timeout, or refused by a full path")
    public static let offered = MetricInfo(name: "flood_pps_offered", unit: "packets/s", direction: .neutral,
                                           summary: "packets per second the denied flood sent beside the transactions")
    public static let refused = MetricInfo(name: "flood_pps_refused", unit: "packets/s", direction: .neutral,
                                           summary: "flood packets per second refused at the sender by a full receive queue")
    public static let dropped = MetricInfo(name: "flood_pps_dropped", unit: "packets/s", direction: .neutral,
                                           summary: "packets per second the filter dropped during the flood")
    public static let ceilingPPS = MetricInfo(name: "generator_ceiling_pps", unit: "packets/s", direction: .neutral,
                                              summary: "unpaced denied flood's rate just before, the base of flood_share")
    public static let metrics = [tps, p50, p99, timeouts, offered, refused, dropped, ceilingPPS]

    public func samples(workload: String) throws -> [Sample] {
        let report = transactions
        guard report.elapsedSeconds > 0 else { throw LabFailure("\(workload): the request/response client ran for no time") }
        var samples = [Sample(workload: workload, metric: Self.tps, value: Double(report.completed) / report.elapsedSeconds)]
        if report.completed > 0 {
            samples.append(Sample(workload: workload, metric: Self.p50, value: report.p50Microseconds))
            samples.append(Sample(workload: workload, metric: Self.p99, value: report.p99Microseconds))
        }
        samples.append(Sample(workload: workload, metric: Self.timeouts, value: Double(report.failed)))
        guard let flood else {
            samples.append(Sample(workload: workload, metric: Self.offered, value: 0))
            return samples
        }
        samples.append(Sample(workload: workload, metric: Self.offered, value: try Self.rate(flood, "flood", workload)))
        if let refused = flood.refused {
            samples.append(Sample(workload: workload, metric: Self.refused, value: Double(refused) / flood.elapsedSeconds))
        }
        if let filterDropped {
            samples.append(Sample(workload: workload, metric: Self.dropped, value: Double(filterDropped) / flood.elapsedSeconds))
        }
        if let ceiling {
            samples.append(Sample(workload: workload, metric: Self.ceilingPPS, value: try Self.rate(ceiling, "ceiling flood", workload)))
        }
        return samples
    }

    /// Packets per second of a flood's own send time; a flood that sent nothing is an error, not a rate of 0.
    static func rate(_ flood: FloodReport, _ what: String, _ workload: String) throws -> Double {
        guard flood.offered > 0, flood.elapsedSeconds > 0 else {
            throw LabFailure("\(workload): the \(what) sent no packet (\(flood.firstError ?? "no error reported"))")
        }
        return Double(flood.offered) / flood.elapsedSeconds
    }
}
