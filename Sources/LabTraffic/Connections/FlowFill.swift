#if canImport(Glibc)
import Glibc
#endif
import CLabShims
import Foundation
import LabConntrack
import LabNetwork
import LabPacket
import LabSystem

/// A flow fill (`benchlab agent flow-fill`, in the client namespace): one UDP datagram per flow of a
/// `FlowFillPlan`, each a new 5-tuple for the tracker at the policy point, sent as prebuilt Ethernet
/// frames through AF_PACKET with sendmmsg (the packet-rate flood's path: the client's own UDP stack,
/// which would bind a socket per source port, never runs). The agent writes the CLOCK_MONOTONIC time
/// each flow's frame left (taken when its sendmmsg batch returned: on veth the frame has crossed the
/// policy point by then, in the sender's softirq) as little-endian UInt64s, one per flow in plan
/// order, to `timestamps_file`; flows never sent (bounded by time) are 0.
///
/// Why frames and not sockets — measured on this VM, 256k flows, routed lab, backend none: see the
/// README's "Workloads" section (connections): frames reach 256k in about a second, a socket per flow
/// (socket, bind, sendto, close) is several times slower.
public enum FlowFill {
    public struct Options: Sendable {
        public var interface: String
        public var sourceMAC: MACAddress
        public var gatewayMAC: MACAddress
        public var plan: FlowFillPlan
        public var payloadBytes: Int
        /// Flows per second, 0 = as fast as the path takes them.
        public var flowsPerSecond: Int
        public var durationSeconds: Double
        public var timestampsFile: String
        public var cpu: Int?

        public init(interface: String, sourceMAC: MACAddress, gatewayMAC: MACAddress, plan: FlowFillPlan, payloadBytes: Int = 18,
                    flowsPerSecond: Int, durationSeconds: Double, timestampsFile: String, cpu: Int? = nil) {
            self.interface = interface
            self.sourceMAC = sourceMAC
            self.gatewayMAC = gatewayMAC
            self.plan = plan
            self.payloadBytes = payloadBytes
            self.flowsPerSecond = flowsPerSecond
            self.durationSeconds = durationSeconds
            self.timestampsFile = timestampsFile
            self.cpu = cpu
        }
    }

    /// The agent side: sends the plan's flows in order, writes their timestamps, returns the counts.
    public static func send(_ options: Options) throws -> FlowFillReport {
        let fd = try PacedFrameSender.openSocket(on: options.interface, pinnedTo: options.cpu, "fill")
        defer { close(fd) }
        let plan = options.plan
        let builder = FlowFrames(sourceMAC: options.sourceMAC, gatewayMAC: options.gatewayMAC, destination: plan.destination,
                                 destinationPort: plan.destinationPort, payloadBytes: options.payloadBytes)
        let frameLength = builder.frameLength
        var frames = [UInt8]()
        frames.reserveCapacity(frameLength * plan.count)
        for i in 0..<plan.count { builder.append(plan.flow(i), to: &frames) }
        var stamps = [UInt64](repeating: 0, count: plan.count)
        let outcome = try PacedFrameSender.send(frames, frameLength: frameLength, frameCount: plan.count, total: UInt64(plan.count),
                                                packetsPerSecond: options.flowsPerSecond, durationSeconds: options.durationSeconds,
                                                fd: fd, interface: options.interface) { first, count in
            let now = MonotonicClock.nanoseconds()
            for i in Int(first)..<(Int(first) + count) { stamps[i] = now }
        }
        try FlowFillTimestamps.write(stamps, to: options.timestampsFile)
        return FlowFillReport(sent: Int(outcome.sent), elapsedSeconds: outcome.elapsedSeconds, busy: outcome.busy,
                              firstError: outcome.firstError)
    }
}

/// What the flow-fill agent prints as its one line of JSON (the timestamps go to a file).
public struct FlowFillReport: Codable, Sendable, Equatable {
    public var sent: Int
    public var elapsedSeconds: Double
    /// Send calls that found the device queue full and were retried.
    public var busy: Int
    public var firstError: String?

    public init(sent: Int, elapsedSeconds: Double, busy: Int, firstError: String?) {
        self.sent = sent
        self.elapsedSeconds = elapsedSeconds
        self.busy = busy
        self.firstError = firstError
    }

    enum CodingKeys: String, CodingKey {
        case sent, busy
        case elapsedSeconds = "elapsed_s"
        case firstError = "first_error"
    }
}

/// The timestamps file: one little-endian UInt64 (CLOCK_MONOTONIC ns) per flow, in plan order.
public enum FlowFillTimestamps {
    public static func encode(_ stamps: [UInt64]) -> Data {
        var data = Data(capacity: stamps.count * 8)
        for stamp in stamps { withUnsafeBytes(of: stamp.littleEndian) { data.append(contentsOf: $0) } }
        return data
    }

    public static func decode(_ data: Data, count: Int) throws -> [UInt64] {
        guard data.count == count * 8 else {
            throw LabFailure("flow-fill timestamps: expected \(count * 8) bytes for \(count) flows, found \(data.count)")
        }
        return data.withUnsafeBytes { raw in (0..<count).map { UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 8, as: UInt64.self)) } }
    }

    static func write(_ stamps: [UInt64], to path: String) throws {
        guard FileManager.default.createFile(atPath: path, contents: encode(stamps)) else {
            throw LabFailure("flow-fill: cannot write \(path)")
        }
    }

    static func read(_ path: String, count: Int) throws -> [UInt64] {
        guard let data = FileManager.default.contents(atPath: path) else { throw LabFailure("flow-fill: cannot read \(path)") }
        return try decode(data, count: count)
    }
}

/// The driver's view of a finished fill: each flow sent, with the time of its (only) packet.
public struct FlowFillResult: Sendable {
    public var plan: FlowFillPlan
    public var report: FlowFillReport
    /// Datagrams the server's sink received: flows that crossed the policy point (a full table or a
    /// denying filter drops the rest; nil when no sink counted).
    public var delivered: UInt64?
    /// Per flow in plan order; 0 for flows the fill did not reach.
    public var lastPacketNanoseconds: [UInt64]

    public init(plan: FlowFillPlan, report: FlowFillReport, delivered: UInt64? = nil, lastPacketNanoseconds: [UInt64]) {
        self.plan = plan
        self.report = report
        self.delivered = delivered
        self.lastPacketNanoseconds = lastPacketNanoseconds
    }

    /// Flows sent per second, over the fill.
    public var flowsPerSecond: Double { report.elapsedSeconds > 0 ? Double(report.sent) / report.elapsedSeconds : 0 }

    /// Every flow sent as an idle flow for `GCLag.compute`, with the timeout the tracker applies.
    public func idle(timeoutSeconds: Int) -> [GCLag.Idle] {
        lastPacketNanoseconds.enumerated().compactMap { index, stamp in
            stamp == 0 ? nil : GCLag.Idle(flow: plan.flow(index), lastPacketNanoseconds: stamp, timeoutSeconds: timeoutSeconds)
        }
    }
}
