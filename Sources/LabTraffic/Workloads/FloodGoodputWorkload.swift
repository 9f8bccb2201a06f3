import LabNetwork
import LabResults

/// Good request/response transactions from an allowed source while a flood from denied sources runs
/// against the same server at a share of the generator's ceiling (the XDP paper's DDoS test): how
/// much of the good traffic a filter keeps when it must also drop a flood.
public struct FloodGoodputWorkload: WorkloadDefinition, Equatable {
    public var name: String
    /// The flood's rate as a share (0…1) of the generator's ceiling measured in the same run:
    /// 0 = no flood, 1 = unpaced. Ignored when `floodRate` is set.
    public var floodShare: Double
    /// The flood's rate in packets per second (0 = no flood): the same offered flood for every
    /// backend. The ceiling a share is taken of depends on the receiving device's mode (with XDP
    /// attached veth hands packets to a NAPI ring, a cheaper send than the backlog), so a share is a
    /// different rate per backend; an absolute rate is not.
    public var floodRate: Int?
    public var durationSeconds: Double
    /// The flood's UDP payload bytes.
    public var payloadBytes: Int
    /// The transactions' UDP payload bytes.
    public var rrPayloadBytes: Int
    /// Where the flood's sources come from (nil: the first the policy denies, see `PacketRateSources`).
    public var deniedFrom: IPv4Prefix?
    /// The CPU the filter point's receive path, the sink and the echo server are steered to.
    public var receiveCPU: Int?

    public init(name: String = "flood-goodput", floodShare: Double, durationSeconds: Double = 2,
                payloadBytes: Int = PacketRateWorkload.minimumFramePayload, rrPayloadBytes: Int = 64,
                deniedFrom: IPv4Prefix? = nil, receiveCPU: Int? = nil, floodRate: Int? = nil) {
        self.name = name
        self.floodShare = floodShare
        self.floodRate = floodRate
        self.durationSeconds = durationSeconds
        self.payloadBytes = payloadBytes
        self.rrPayloadBytes = rrPayloadBytes
        self.deniedFrom = deniedFrom
        self.receiveCPU = receiveCPU
    }

    public static let kind = "flood-goodput"
    public static let fields = [
        WorkloadField("flood_share", .share, .optional),
        WorkloadField("flood_rate", .packetsPerSecond, .optional),
        WorkloadField("duration", .milliseconds(WorkloadLimits.durations, wholeSeconds: false), .defaulted(.integer(2_000))),
        WorkloadField("size", .bytes(1...PacketRateWorkload.largestPayload), .defaulted(.integer(PacketRateWorkload.minimumFramePayload))),
        // One datagram per request: a fragmented one would test reassembly, not the filter.
        WorkloadField("payload", .bytes(1...PacketRateWorkload.largestPayload), .defaulted(.integer(64))),
        WorkloadField("denied_from", .ipv4Prefix, .optional),
        WorkloadField("receive_cpu", .integer(ReceiveCPUField.range), .optional),
    ]
    public static let metrics = FloodGoodputMeasurement.metrics + ReceiveCPUCost.metrics
    /// The good traffic's rate; its latency moves with it and is shown.
    public static let primaryMetrics = [FloodGoodputMeasurement.tps]

    public static func conflicts(in values: WorkloadValues) -> [WorkloadFieldIssue] {
        var issues = ReceiveCPUField.conflicts(in: values)
        switch (values.written.contains("flood_share"), values.written.contains("flood_rate")) {
        case (true, true):
            issues.append(WorkloadFieldIssue(key: "flood_rate", at: .key, "give flood_share or flood_rate, not both"))
        case (false, false):
            issues.append(WorkloadFieldIssue(key: "flood_share", at: .key,
                                             "flood-goodput needs flood_share (a share of the generator's ceiling) or flood_rate (packets/s)"))
        default: break
        }
        return issues
    }

    public static func defaultName(_ values: WorkloadValues) -> String { kind }

    public init(values: WorkloadValues) {
        self.init(name: Self.defaultName(values), floodShare: values.number("flood_share") ?? 0,
                  durationSeconds: Double(values.integer("duration") ?? 2_000) / 1000,
                  payloadBytes: values.integer("size") ?? PacketRateWorkload.minimumFramePayload,
                  rrPayloadBytes: values.integer("payload") ?? 64, deniedFrom: values.prefix("denied_from"),
                  receiveCPU: values.integer("receive_cpu"), floodRate: values.integer("flood_rate"))
    }

    /// One transaction is in flight at a time and none takes less than a microsecond: the count bound
    /// never ends a run before its duration does, it only bounds it if the clock misbehaves.
    var transactionBound: Int { max(1, Int(durationSeconds * 1_000_000)) }

    public var settings: String {
        let share = floodShare == floodShare.rounded() ? "\(Int(floodShare))" : "\(floodShare)"
        let level = floodRate.map { "flood_rate=\($0)pps" } ?? "flood_share=\(share)"
        var line = "\(level) size=\(payloadBytes)B payload=\(rrPayloadBytes)B duration=\(formatSeconds(durationSeconds))"
        if let deniedFrom { line += " denied_from=\(deniedFrom)" }
        let flood = PacketRateDriver.floodCPU
        if let receiveCPU {
            line += " cpus: flood+rr-client=cpu\(flood) receive-path+sink+rr-server=cpu\(receiveCPU)"
        } else {
            line += " cpus: flood+rr-client=cpu\(flood) receive-path unsteered (veth: the sender's CPU)"
        }
        return line
    }

    /// The ceiling flood, the flood's lead, and the start and stop of five agents.
    public var maximumSeconds: Double { durationSeconds + 6 }

    public func run(in context: TrafficContext, filter: FilterUnderTest, window: TrafficWindow) throws -> [Sample] {
        try FloodGoodputDriver.run(self, filter: filter, context, window)
    }
}
