import LabNetwork
import LabTraffic
import Yams

/// Reads the settings of one workload kind, with the defaults the schema documents.
struct WorkloadSettingsReader {
    let reader: ValueReader
    let fields: MappingFields

    /// Long enough to hold a few hundred round trips, short enough to bound a run.
    static let durations = 100...600_000
    static let counts = 1...10_000_000
    /// The largest UDP payload in one IPv4 datagram: 65535 − 20 (IP header) − 8 (UDP header).
    static let largestUDPPayload = 65_507

    func read(_ kind: WorkloadKind) -> Workload? {
        switch kind {
        case .throughput: return throughput().map(Workload.throughput)
        case .latency: return latency().map(Workload.latency)
        case .connect: return connect().map(Workload.connect)
        case .packetRate: return packetRate().map(Workload.packetRate)
        }
    }

    private func throughput() -> ThroughputWorkload? {
        let proto = transportProtocol()
        let streams = fields.value("streams", default: 1) { reader.integer($0, subject("streams"), in: 1...64) }
        let duration = fields.value("duration", default: 5_000) {
            reader.milliseconds($0, subject("duration"), in: 1_000...600_000, wholeSeconds: true)
        }
        let message = fields["message_size"].map { reader.bytes($0, subject("message_size"), in: 1...(1 << 20)) }
        let bitrate = fields.value("bitrate", default: 0) { reader.bitsPerSecond($0, subject("bitrate")) }
        let fits = proto.map { fitsProtocol($0, message: message ?? nil) } ?? false
        guard let proto, let streams, let duration, isValid(message), let bitrate, fits else { return nil }
        return ThroughputWorkload(name: "\(proto.rawValue)-throughput", proto: proto, streams: streams,
                                  durationSeconds: duration / 1000, messageBytes: message??.bytes,
                                  bitrateBitsPerSecond: UInt64(bitrate))
    }

    /// UDP messages are single datagrams; a TCP stream has no target rate here (iperf3 paces it only with -b).
    private func fitsProtocol(_ proto: TransportProtocol, message: (bytes: Int, value: ScalarValue)?) -> Bool {
        var fits = true
        if proto == .udp, let message, message.bytes > Self.largestUDPPayload {
            reader.log.error("'message_size' must be at most \(Self.largestUDPPayload) bytes for UDP "
                             + "(the largest payload of one IPv4 datagram), got \(message.value.text)", at: message.value.site)
            fits = false
        }
        if proto == .tcp, let position = fields.keyPosition("bitrate") {
            reader.log.error("'bitrate' applies only to UDP throughput", at: position)
            fits = false
        }
        return fits
    }

    private func latency() -> LatencyWorkload? {
        let proto = transportProtocol()
        let payload = fields.value("payload", default: 64) {
            reader.bytes($0, subject("payload"), in: 1...Self.largestUDPPayload)?.bytes
        }
        let count = fields.value("count", default: 10_000) { reader.integer($0, subject("count"), in: Self.counts) }
        let duration = fields.value("duration", default: 5_000) {
            reader.milliseconds($0, subject("duration"), in: Self.durations)
        }
        guard let proto, let payload, let count, let duration else { return nil }
        return LatencyWorkload(name: "\(proto.rawValue)-latency", proto: proto, payloadBytes: payload, count: count,
                               durationSeconds: Double(duration) / 1000)
    }

    private func connect() -> ConnectWorkload? {
        let count = fields.value("count", default: 2_000) { reader.integer($0, subject("count"), in: Self.counts) }
        let duration = fields.value("duration", default: 5_000) {
            reader.milliseconds($0, subject("duration"), in: Self.durations)
        }
        guard let count, let duration else { return nil }
        return ConnectWorkload(name: "tcp-connect", count: count, durationSeconds: Double(duration) / 1000)
    }

    private func packetRate() -> PacketRateWorkload? {
        let size = fields.value("size", default: PacketRateWorkload.minimumFramePayload) {
            reader.bytes($0, subject("size"), in: 1...PacketRateWorkload.largestPayload)?.bytes
        }
        let duration = fields.value("duration", default: 5_000) {
            reader.milliseconds($0, subject("duration"), in: Self.durations)
        }
        let rate = fields.value("rate", default: 0) { reader.packetsPerSecond($0, subject("rate")) }
        let share = fields.value("denied_share", default: 0) { reader.share($0, subject("denied_share")) }
        guard let size, let duration, let rate, let share else { return nil }
        return PacketRateWorkload(payloadBytes: size, durationSeconds: Double(duration) / 1000, packetsPerSecond: rate,
                                  deniedShare: share)
    }

    private func transportProtocol() -> TransportProtocol? {
        fields.required("protocol").flatMap { reader.choice($0, subject("protocol"), noun: "protocol") }
    }
}
