import LabResults
import LabSystem

/// One packet-rate run's counts, turned into samples. Every rate divides by the flood's own send time.
///
/// - `pps_sent`: packets the flood handed to the client's interface (its own count).
/// - `pps`: datagrams the server's sink read from its UDP socket — what got through the filter and
///   the server's stack to an application (the server interface's rx count is the `rx_packets`
///   collector beside it).
/// - `pps_dropped`: the filter's own drop counter, delta around the flood.
/// - `pps_handled`: `pps` + `pps_dropped`, the packets the filter point disposed of either way. With a
///   denied share, `pps` falls because the filter works, so this (not `pps`) is the rate to compare
///   across backends; without one, it equals `pps`.
/// - `loss_ratio`: packets the filter should have delivered that the sink did not read, over those it
///   should have delivered — the packets from allowed sources, or all of them when the filter
///   enforces nothing (`none`). Intended drops are not loss.
/// - `pps_offered`, `pps_refused` (open loop only): what the flood offered — sent, or refused at the
///   sender by a full receive queue and let go — and the refused part, per second.
/// - `sink_drops`: datagrams the sink's socket dropped for want of buffer (a sink bottleneck, not
///   the filter's doing).
public struct PacketRateMeasurement: Sendable, Equatable {
    public var flood: FloodReport
    public var sink: SinkReport
    public var filterDropped: UInt64?
    public var enforces: Bool

    public init(flood: FloodReport, sink: SinkReport, filterDropped: UInt64?, enforces: Bool) {
        self.flood = flood
        self.sink = sink
        self.filterDropped = filterDropped
        self.enforces = enforces
    }

    public static let ppsDropped = MetricInfo(name: "pps_dropped", unit: "packets/s", direction: .neutral,
                                              summary: "packets dropped per second at the filter")
    public static let ppsHandled = MetricInfo(name: "pps_handled", unit: "packets/s", direction: .higherIsBetter,
                                              summary: "packets per second the filter delivered or dropped (pps + pps_dropped)")
    public static let ppsOffered = MetricInfo(name: "pps_offered", unit: "packets/s", direction: .neutral,
                                              summary: "packets per second the open-loop flood offered (sent or refused at the sender)")
    public static let ppsRefused = MetricInfo(name: "pps_refused", unit: "packets/s", direction: .neutral,
                                              summary: "packets per second a full receive queue refused at the open-loop flood's sender")
    public static let sinkDrops = MetricInfo(
        name: "sink_drops", unit: "packets", direction: .neutral,
        summary: "datagrams the packet-rate sink's socket dropped for want of buffer (sink, not filter)")
    /// Everything `samples` can produce, in report order.
    public static let metrics = [PacketMetrics.pps, PacketMetrics.ppsSent, ppsOffered, ppsRefused, ppsDropped, ppsHandled,
                                 PacketMetrics.lossRatio, sinkDrops]

    /// Packets that should have reached the sink.
    public var expectedDelivered: UInt64 { enforces ? flood.sent - flood.sentDenied : flood.sent }

    public func samples(workload: String) throws -> [Sample] {
        guard flood.sent > 0, flood.elapsedSeconds > 0 else {
            throw LabFailure("\(workload): the flood sent no packet (\(flood.firstError ?? "no error reported"))")
        }
        let seconds = flood.elapsedSeconds
        var samples = [
            Sample(workload: workload, metric: PacketMetrics.ppsSent, value: Double(flood.sent) / seconds),
            Sample(workload: workload, metric: PacketMetrics.pps, value: Double(sink.received) / seconds),
        ]
        if let refused = flood.refused {
            samples.append(Sample(workload: workload, metric: Self.ppsOffered, value: Double(flood.offered) / seconds))
            samples.append(Sample(workload: workload, metric: Self.ppsRefused, value: Double(refused) / seconds))
        }
        if let filterDropped {
            samples.append(Sample(workload: workload, metric: Self.ppsDropped, value: Double(filterDropped) / seconds))
            samples.append(Sample(workload: workload, metric: Self.ppsHandled, value: Double(sink.received + filterDropped) / seconds))
        }
        let expected = expectedDelivered
        if expected > 0 {
            let lost = expected - min(sink.received, expected)
            samples.append(Sample(workload: workload, metric: PacketMetrics.lossRatio, value: Double(lost) / Double(expected)))
        }
        if let drops = sink.socketDrops {
            samples.append(Sample(workload: workload, metric: Self.sinkDrops, value: Double(drops)))
        }
        return samples
    }
}
