import LabNetwork

/// What traffic a case drives. Each workload has a name unique in its scenario (default: derived from
/// its type and protocol, e.g. "tcp-throughput"); results are keyed by it.
public enum Workload: Sendable, Equatable {
    case throughput(ThroughputWorkload)
    case latency(LatencyWorkload)
    case connect(ConnectWorkload)
    case packetRate(PacketRateWorkload)

    public var name: String {
        switch self {
        case .throughput(let w): return w.name
        case .latency(let w): return w.name
        case .connect(let w): return w.name
        case .packetRate(let w): return w.name
        }
    }

    /// The `type:` key in the scenario file.
    public var kind: String {
        switch self {
        case .throughput: return "throughput"
        case .latency: return "latency"
        case .connect: return "connect"
        case .packetRate: return "packet-rate"
        }
    }

    /// Settings in effect, as one line for reports ("protocol=tcp streams=1 duration=5s").
    public var settings: String {
        switch self {
        case .throughput(let w):
            var parts = ["protocol=\(w.proto.rawValue)", "streams=\(w.streams)", "duration=\(w.durationSeconds)s"]
            if let size = w.messageBytes { parts.append("message=\(size)B") }
            if w.proto == .udp { parts.append("bitrate=\(w.bitrateBitsPerSecond == 0 ? "unlimited" : "\(w.bitrateBitsPerSecond)bit/s")") }
            return parts.joined(separator: " ")
        case .latency(let w):
            return "protocol=\(w.proto.rawValue) payload=\(w.payloadBytes)B count=\(w.count) duration=\(formatSeconds(w.durationSeconds))"
        case .connect(let w):
            return "count=\(w.count) duration=\(formatSeconds(w.durationSeconds))"
        case .packetRate(let w):
            let rate = w.packetsPerSecond == 0 ? "unlimited" : "\(w.packetsPerSecond)pps"
            let share = w.deniedShare == w.deniedShare.rounded() ? "\(Int(w.deniedShare))" : "\(w.deniedShare)"
            return "size=\(w.payloadBytes)B rate=\(rate) denied_share=\(share) duration=\(formatSeconds(w.durationSeconds))"
        }
    }

    /// Upper bound on how long the workload may take, used for child-process deadlines.
    public var maximumSeconds: Double {
        switch self {
        case .throughput(let w): return Double(w.durationSeconds) + 10
        case .latency(let w): return w.durationSeconds + 5
        case .connect(let w): return w.durationSeconds + 5
        case .packetRate(let w): return w.durationSeconds + 5
        }
    }
}

func formatSeconds(_ seconds: Double) -> String {
    seconds == seconds.rounded() ? "\(Int(seconds))s" : "\(Int((seconds * 1000).rounded()))ms"
}

/// Bulk transfer through iperf3.
public struct ThroughputWorkload: Sendable, Equatable {
    public var name: String
    public var proto: TransportProtocol
    public var streams: Int
    /// iperf3 takes whole seconds.
    public var durationSeconds: Int
    /// iperf3 -l: bytes per write (TCP) or datagram payload (UDP); nil = iperf3's default.
    public var messageBytes: Int?
    /// UDP target rate in bit/s, 0 = unlimited. Ignored for TCP.
    public var bitrateBitsPerSecond: UInt64

    public init(name: String, proto: TransportProtocol, streams: Int = 1, durationSeconds: Int = 5,
                messageBytes: Int? = nil, bitrateBitsPerSecond: UInt64 = 0) {
        self.name = name
        self.proto = proto
        self.streams = streams
        self.durationSeconds = durationSeconds
        self.messageBytes = messageBytes
        self.bitrateBitsPerSecond = bitrateBitsPerSecond
    }
}

/// Request/response round trips, one in flight, by benchlab's own agent.
public struct LatencyWorkload: Sendable, Equatable {
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
}

/// TCP handshakes: connect time distribution and connections per second.
public struct ConnectWorkload: Sendable, Equatable {
    public var name: String
    public var count: Int
    public var durationSeconds: Double

    public init(name: String, count: Int = 2000, durationSeconds: Double = 5) {
        self.name = name
        self.count = count
        self.durationSeconds = durationSeconds
    }
}

/// Small UDP datagrams at a target rate (or as fast as the path takes them) through the filter
/// point: what a filter costs per packet. A share of the packets can come from sources the case's
/// policy denies, so the drop path is measured too.
public struct PacketRateWorkload: Sendable, Equatable {
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

    public init(name: String = "udp-packet-rate", payloadBytes: Int = minimumFramePayload, durationSeconds: Double = 5,
                packetsPerSecond: Int = 0, deniedShare: Double = 0) {
        self.name = name
        self.payloadBytes = payloadBytes
        self.durationSeconds = durationSeconds
        self.packetsPerSecond = packetsPerSecond
        self.deniedShare = deniedShare
    }
}
