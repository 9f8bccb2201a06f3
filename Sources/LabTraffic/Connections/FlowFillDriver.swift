import Foundation
import LabNetwork
import LabSystem

extension FlowFill {
    /// The fill's server port (nothing listens: each flow is one datagram; the server's port
    /// unreachable answers are rate-limited by its ICMP limits and do not matter to the tracker).
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
                                                   wanted: max(neededSources, 4), workload: name)
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
        let result = try window.measure {
            try Subprocess.run(context.agent(.flowFill(request), in: topology.client), timeout: durationSeconds + 30)
        }
        try result.requireSuccess("\(name): agent flow-fill")
        let report = try AgentChannel.decodeReply(FlowFillReport.self, from: result.stdout, "\(name): agent flow-fill")
        defer { try? FileManager.default.removeItem(atPath: stampsFile) }
        return FlowFillResult(plan: request.plan!, report: report, lastPacketNanoseconds: try FlowFillTimestamps.read(stampsFile, count: count))
    }
}
