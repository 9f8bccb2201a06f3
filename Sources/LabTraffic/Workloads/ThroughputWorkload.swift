import LabNetwork
import LabResults
import LabSystem

/// Bulk transfer through iperf3.
public struct ThroughputWorkload: WorkloadDefinition, Equatable {
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

    public static let kind = "throughput"
    public static let fields = [
        WorkloadField("protocol", .transportProtocol, .required, namesTheWorkload: true),
        WorkloadField("streams", .integer(1...64), .defaulted(.integer(1))),
        WorkloadField("duration", .milliseconds(1_000...600_000, wholeSeconds: true), .defaulted(.integer(5_000))),
        WorkloadField("message_size", .bytes(1...(1 << 20)), .optional),
        WorkloadField("bitrate", .bitsPerSecond, .defaulted(.integer(0))),
    ]
    public static let requiredTools = ["iperf3"]
    public static let metrics = Iperf3Summary.metrics
    /// Goodput alone: for UDP, pps is the same number over the datagram size, so gating both would
    /// count one effect twice.
    public static let primaryMetrics = [Iperf3Summary.throughputGbps]

    /// UDP messages are single datagrams; a TCP stream has no target rate here (iperf3 paces it only with -b).
    public static func conflicts(in values: WorkloadValues) -> [WorkloadFieldIssue] {
        var issues: [WorkloadFieldIssue] = []
        let proto = values.transport("protocol")
        if proto == .udp, let message = values.integer("message_size"), message > WorkloadLimits.largestUDPPayload {
            issues.append(WorkloadFieldIssue(key: "message_size", at: .value,
                                             "'message_size' must be at most \(WorkloadLimits.largestUDPPayload) bytes for UDP "
                                             + "(the largest payload of one IPv4 datagram), got \(values.texts["message_size"] ?? "\(message)")"))
        }
        if proto == .tcp, values.written.contains("bitrate") {
            issues.append(WorkloadFieldIssue(key: "bitrate", at: .key, "'bitrate' applies only to UDP throughput"))
        }
        return issues
    }

    public static func defaultName(_ values: WorkloadValues) -> String {
        "\(values.transport("protocol")?.rawValue ?? "tcp")-throughput"
    }

    public init(values: WorkloadValues) {
        self.init(name: Self.defaultName(values), proto: values.transport("protocol") ?? .tcp,
                  streams: values.integer("streams") ?? 1, durationSeconds: (values.integer("duration") ?? 5_000) / 1000,
                  messageBytes: values.integer("message_size"), bitrateBitsPerSecond: UInt64(values.integer("bitrate") ?? 0))
    }

    public var settings: String {
        var parts = ["protocol=\(proto.rawValue)", "streams=\(streams)", "duration=\(durationSeconds)s"]
        if let messageBytes { parts.append("message=\(messageBytes)B") }
        if proto == .udp { parts.append("bitrate=\(bitrateBitsPerSecond == 0 ? "unlimited" : "\(bitrateBitsPerSecond)bit/s")") }
        return parts.joined(separator: " ")
    }

    public var maximumSeconds: Double { Double(durationSeconds) + 10 }

    public func run(in context: TrafficContext, filter: FilterUnderTest, window: TrafficWindow) throws -> [Sample] {
        let topology = context.topology
        let port = WorkloadRunner.iperf3Port
        let server = try BackgroundProcess(
            Command("iperf3", ["-s", "-1", "-B", "\(topology.serverAddress)", "-p", "\(port)",
                               // A server orphaned by a crashed run exits on its own.
                               "--idle-timeout", "\(durationSeconds + 30)"]).inNamespace(topology.server),
            stdoutPath: context.file("\(name)-iperf3-server.out"), stderrPath: context.file("\(name)-iperf3-server.err"))
        defer { server.stop() }
        try ListenerProbe.waitForListener(namespace: topology.server, port: port, transport: .tcp, process: server)
        var arguments = ["-c", "\(topology.serverAddress)", "-p", "\(port)", "-t", "\(durationSeconds)",
                         "-P", "\(streams)", "-J", "--connect-timeout", "3000"]
        if let messageBytes { arguments += ["-l", "\(messageBytes)"] }
        if proto == .udp { arguments += ["-u", "-b", "\(bitrateBitsPerSecond)"] }
        let result = try window.measure {
            try Subprocess.run(Command("iperf3", arguments).inNamespace(topology.client), timeout: Double(durationSeconds) + 15)
        }
        let summary: Iperf3Summary
        do {
            summary = try Iperf3Parser.parse(result.stdout)
        } catch let error as Iperf3Error {
            throw LabFailure("\(name): \(error.description)")
        }
        return summary.samples(workload: name)
    }
}
