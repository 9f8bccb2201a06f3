import LabNetwork
import LabResults

/// Small UDP datagrams at a target rate (or as fast as the path takes them) through the filter
/// point: what a filter costs per packet. A share of the packets can come from sources the case's
/// policy denies, so the drop path is measured too.
public struct PacketRateWorkload: WorkloadDefinition, Equatable {
    /// 18 bytes of UDP payload make the smallest Ethernet frame, 64 bytes on the wire with the FCS.
    public static let minimumFramePayload = 18
    /// The largest payload of one unfragmented datagram on the lab's 1500-byte links: 1500 − 20 − 8.
    public static let largestPayload = 1472

    public var name: String
    /// UDP payload bytes per packet.
    public var payloadBytes: Int
    public var durationSeconds: Double
    /// Target packets per second, 0 = as fast as the path takes them.
    public var packetsPerSecond: Int
    /// Share (0…1) of the packets sent from sources the case's policy denies.
    public var deniedShare: Double
    /// Where the denied sources come from (nil: the first the policy denies, see `PacketRateSources`).
    public var deniedFrom: IPv4Prefix?
    /// The CPU the filter point's receive path and the sink are steered to (nil: no steering — the
    /// receive path runs on the flood's CPU, as veth does, and the sink anywhere but there).
    public var receiveCPU: Int?
    /// Open loop: a frame the full receive queue refuses is lost, as behind a NIC's ring, and the
    /// flood keeps its pace (`pps_offered`, `pps_refused`). Closed loop (the default): it is sent again,
    /// so the flood is sent what the path accepts.
    public var openLoop: Bool

    public init(name: String = "udp-packet-rate", payloadBytes: Int = minimumFramePayload, durationSeconds: Double = 5,
                packetsPerSecond: Int = 0, deniedShare: Double = 0, deniedFrom: IPv4Prefix? = nil, receiveCPU: Int? = nil,
                openLoop: Bool = false) {
        self.name = name
        self.payloadBytes = payloadBytes
        self.durationSeconds = durationSeconds
        self.packetsPerSecond = packetsPerSecond
        self.deniedShare = deniedShare
        self.deniedFrom = deniedFrom
        self.receiveCPU = receiveCPU
        self.openLoop = openLoop
    }

    public static let kind = "packet-rate"
    public static let fields = [
        WorkloadField("size", .bytes(1...largestPayload), .defaulted(.integer(minimumFramePayload))),
        WorkloadField("duration", .milliseconds(WorkloadLimits.durations, wholeSeconds: false), .defaulted(.integer(5_000))),
        WorkloadField("rate", .packetsPerSecond, .defaulted(.integer(0))),
        WorkloadField("denied_share", .share, .defaulted(.number(0))),
        WorkloadField("denied_from", .ipv4Prefix, .optional),
        WorkloadField("receive_cpu", .integer(ReceiveCPUField.range), .optional),
        WorkloadField("open_loop", .boolean, .defaulted(.boolean(false))),
    ]
    public static let metrics = PacketRateMeasurement.metrics + ReceiveCPUCost.metrics

    public static func conflicts(in values: WorkloadValues) -> [WorkloadFieldIssue] {
        ReceiveCPUField.conflicts(in: values)
    }
    /// Delivered or dropped per second: pps alone would reward a filter that drops more. The CPU
    /// cost per packet is gated too, as the collectors declare (`CollectorRegistry.primaryMetrics`).
    public static let primaryMetrics = [PacketRateMeasurement.ppsHandled]

    public static func defaultName(_ values: WorkloadValues) -> String { "udp-packet-rate" }

    public init(values: WorkloadValues) {
        self.init(name: Self.defaultName(values), payloadBytes: values.integer("size") ?? Self.minimumFramePayload,
                  durationSeconds: Double(values.integer("duration") ?? 5_000) / 1000,
                  packetsPerSecond: values.integer("rate") ?? 0, deniedShare: values.number("denied_share") ?? 0,
                  deniedFrom: values.prefix("denied_from"), receiveCPU: values.integer("receive_cpu"),
                  openLoop: values.boolean("open_loop") ?? false)
    }

    public var settings: String {
        let rate = packetsPerSecond == 0 ? "unlimited" : "\(packetsPerSecond)pps"
        let share = deniedShare == deniedShare.rounded() ? "\(Int(deniedShare))" : "\(deniedShare)"
        var line = "size=\(payloadBytes)B rate=\(rate) denied_share=\(share) duration=\(formatSeconds(durationSeconds))"
        if let deniedFrom { line += " denied_from=\(deniedFrom)" }
        if let receiveCPU { line += " flood_cpu=\(PacketRateDriver.floodCPU) receive_cpu=\(receiveCPU)" }
        if openLoop { line += " open_loop=true" }
        return line
    }

    public var maximumSeconds: Double { durationSeconds + 5 }

    public func run(in context: TrafficContext, filter: FilterUnderTest, window: TrafficWindow) throws -> [Sample] {
        try PacketRateDriver.run(self, filter: filter, context, window)
    }
}
