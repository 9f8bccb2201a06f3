import Foundation
import LabNetwork
import LabSystem
import LabTopology

/// The two agents every flood workload drives — the generator in the client namespace and the sink
/// that absorbs it in the server namespace — started, stopped and read back the same way by
/// packet-rate and flood-goodput.
enum FloodAgents {
    /// The sink's and the flood's UDP port.
    static let port: UInt16 = 7004
    /// No flood sends faster than this (veth paths forward a few hundred kpps to a few Mpps): the count
    /// bound of an unpaced flood, beside its time bound.
    static let ceilingPacketsPerSecond = 50_000_000.0

    /// What one flood sends; `rate` 0 is unpaced.
    struct Shape {
        var sources: PacketRateSources
        var deniedShare: Double
        var payloadBytes: Int
        var rate: Int
        var durationSeconds: Double
        var cpu: Int?
        /// The frames' destination MAC; nil = the next hop's.
        var destinationMAC: String? = nil
        /// Lose refused frames instead of sending them again (`FloodRequest.openLoop`).
        var openLoop = false
    }

    /// A locally administered MAC no lab interface has (theirs start 02:62:6c): frames sent to it
    /// cross the veth into the next hop and are dropped there as "other host" at the start of IP
    /// input, before any netfilter hook and any socket, for a fraction of a microsecond of the
    /// receive CPU. The receive side keeps up, so what the flood reaches is the generator's own limit.
    static let unclaimedMAC = "02:00:00:00:00:01"

    /// Starts the sink bound to the server's address and waits until it listens. `lifetime`: a sink
    /// orphaned by a crashed run exits on its own after it.
    static func startSink(lifetime: Double, avoidCPU: Int?, cpu: Int?, label: String,
                          _ context: TrafficContext) throws -> BackgroundProcess {
        let topology = context.topology
        let request = AgentRequest.ppsSink(PacketSinkRequest(
            bind: Endpoint(host: "\(topology.serverAddress)", port: port), deadline: lifetime, avoidCpu: avoidCPU, cpu: cpu))
        let sink = try BackgroundProcess(context.agent(request, in: topology.server),
                                         stdoutPath: context.file("\(label)-sink.out"), stderrPath: context.file("\(label)-sink.err"))
        do {
            try ListenerProbe.waitForListener(namespace: topology.server, port: port, transport: .udp, process: sink)
        } catch {
            sink.stop(grace: 1)
            throw error
        }
        return sink
    }

    /// Stops the sink (SIGTERM: it drains and reports) and reads its report.
    static func stopSink(_ sink: BackgroundProcess, _ name: String) throws -> SinkReport {
        let status = sink.stop(grace: 2)
        guard status == 0 else {
            let detail = sink.readStderr().split(whereSeparator: \.isNewline).last.map(String.init) ?? "no output"
            throw LabFailure("\(name): agent pps-sink exited \(status): \(detail)")
        }
        return try AgentChannel.decodeReply(SinkReport.self, from: sink.readStdout(), "\(name): agent pps-sink")
    }

    static func request(_ shape: Shape, topology: Topology) -> AgentRequest {
        let nextHop = topology.clientGateway
        let maximum = Double(shape.rate > 0 ? Double(shape.rate) : ceilingPacketsPerSecond) * shape.durationSeconds
        return .flood(FloodRequest(
            interface: topology.clientInterface.name, sourceMac: topology.clientInterface.mac, gatewayMac: shape.destinationMAC ?? nextHop.mac,
            target: Endpoint(host: "\(topology.serverAddress)", port: port),
            allowed: shape.sources.allowed.map { "\($0)" }, denied: shape.sources.denied.map { "\($0)" },
            deniedShare: shape.deniedShare, size: shape.payloadBytes, rate: shape.rate, duration: shape.durationSeconds,
            count: UInt64(maximum.rounded(.up)), cpu: shape.cpu, openLoop: shape.openLoop ? true : nil))
    }

    /// Runs a flood to its end and reads its report.
    static func run(_ shape: Shape, name: String, _ context: TrafficContext) throws -> FloodReport {
        let result = try Subprocess.run(context.agent(request(shape, topology: context.topology), in: context.topology.client),
                                        timeout: shape.durationSeconds + 10)
        try result.requireSuccess("\(name): agent flood")
        return try AgentChannel.decodeReply(FloodReport.self, from: result.stdout, "\(name): agent flood")
    }

    /// Starts a flood in the background, for traffic that must run beside it; `finish` reaps it.
    static func start(_ shape: Shape, label: String, _ context: TrafficContext) throws -> BackgroundProcess {
        try BackgroundProcess(context.agent(request(shape, topology: context.topology), in: context.topology.client),
                              stdoutPath: context.file("\(label)-flood.out"), stderrPath: context.file("\(label)-flood.err"))
    }

    /// Waits for a flood started by `start` to end on its own (its duration bounds it), then reads its report.
    static func finish(_ flood: BackgroundProcess, _ shape: Shape, name: String) throws -> FloodReport {
        let status = try flood.waitForExit(timeout: shape.durationSeconds + 10) ?? flood.stop(grace: 1)
        guard status == 0 else {
            let detail = flood.readStderr().split(whereSeparator: \.isNewline).last.map(String.init) ?? "no output"
            throw LabFailure("\(name): agent flood exited \(status): \(detail)")
        }
        return try AgentChannel.decodeReply(FloodReport.self, from: flood.readStdout(), "\(name): agent flood")
    }
}
