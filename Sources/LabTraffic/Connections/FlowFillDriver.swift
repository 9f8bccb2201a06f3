import Foundation
import LabNetwork
import LabSystem

extension FlowFill {
    /// The fill's server port, where a pps-sink counts what crossed the policy point (and, by
    /// listening, keeps the server from answering each flow with an ICMP port unreachable that the
    /// tracker would see as related traffic).
    public static let port: UInt16 = 7007
    /// Bound on a fill: 4M frames are 240 MB of prebuilt frames in the agent.
    public static let maximumFlows = 4_000_000

    /// Sends `count` flows at `rate` (0 = as fast as possible) from the client namespace through the
    /// policy point, at most for `durationSeconds`, from client-pool sources `filter`'s policy allows.
    /// The flows follow `FlowFillPlan(count, seed, …)`; the result pairs each with its packet's time.
    public static func run(count: Int, rate: Int, seed: UInt64 = 1, durationSeconds: Double = 60, name: String = "flow-fill",
                           filter: FilterUnderTest, _ context: TrafficContext, _ window: TrafficWindow = .unobserved) throws -> FlowFillResult {
        guard (1...maximumFlows).contains(count) else { throw LabFailure("\(name): count must be 1...\(maximumFlows), not \(count)") }
        let neededSources = (count + FlowFillPlan.portsPerSource - 1) / FlowFillPlan.portsPerSource
        let sources = try ConnectionSources.select(for: filter.policy, proto: .udp, port: port,
                                                   wanted: max(neededSources, 4), pool: SourcePool(topology: context.topology), workload: name)
        guard count <= FlowFillPlan.capacity(sources: sources.count) else {
            throw LabFailure("\(name): the policy allows \(sources.count) client-pool sources, enough for "
                             + "\(FlowFillPlan.capacity(sources: sources.count)) flows, not \(count)")
        }
        let topology = context.topology
        let stampsFile = context.file("\(name)-timestamps.bin")
        let request = FlowFillRequest(
            interface: topology.clientInterface.name, sourceMac: topology.clientInterface.mac, gatewayMac: topology.clientGateway.mac,
            target: Endpoint(host: "\(topology.serverAddress)", port: port), sources: sources.map { "\($0)" }, count: count,
            seed: seed, rate: rate, duration: durationSeconds, timestampsFile: stampsFile)
        let sinkRequest = AgentRequest.ppsSink(PacketSinkRequest(bind: Endpoint(host: "\(topology.serverAddress)", port: port),
                                                                 deadline: durationSeconds + 60, avoidCpu: nil))
        let sink = try BackgroundProcess(context.agent(sinkRequest, in: topology.server),
                                         stdoutPath: context.file("\(name)-sink.out"), stderrPath: context.file("\(name)-sink.err"))
        defer { sink.stop(grace: 2) }
        try ListenerProbe.waitForListener(namespace: topology.server, port: port, transport: .udp, process: sink)
        let result = try window.measure {
            try Subprocess.run(context.agent(.flowFill(request), in: topology.client), timeout: durationSeconds + 30)
        }
        try result.requireSuccess("\(name): agent flow-fill")
        let report = try AgentChannel.decodeReply(FlowFillReport.self, from: result.stdout, "\(name): agent flow-fill")
        defer { try? FileManager.default.removeItem(atPath: stampsFile) }
        // A backlog handed to ksoftirqd can trail the sender by a few milliseconds: let it land.
        usleep(100_000)
        let status = sink.stop(grace: 2)
        guard status == 0 else {
            let detail = sink.readStderr().split(whereSeparator: \.isNewline).last.map(String.init) ?? "no output"
            throw LabFailure("\(name): agent pps-sink exited \(status): \(detail)")
        }
        let delivered = try AgentChannel.decodeReply(SinkReport.self, from: sink.readStdout(), "\(name): agent pps-sink")
        return FlowFillResult(plan: request.plan!, report: report, delivered: delivered.received,
                              lastPacketNanoseconds: try FlowFillTimestamps.read(stampsFile, count: count))
    }
}
