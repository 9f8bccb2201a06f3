import Foundation
import LabNetwork
import LabResults
import LabSystem
import LabTopology

/// What a workload driver needs to know about where it runs.
public struct TrafficContext: Sendable {
    public var topology: Topology
    /// A per-repeat directory for child processes' output files.
    public var scratchDirectory: String
    /// The benchlab binary, which also hosts the agents (`benchlab agent <request>`).
    public var agentExecutable: String

    public init(topology: Topology, scratchDirectory: String, agentExecutable: String) {
        self.topology = topology
        self.scratchDirectory = scratchDirectory
        self.agentExecutable = agentExecutable
    }

    func file(_ name: String) -> String { "\(scratchDirectory)/\(name)" }

    /// `request` as a command in `namespace`.
    func agent(_ request: AgentRequest, in namespace: String) -> Command {
        AgentChannel.command(request, executable: agentExecutable).inNamespace(namespace)
    }
}

/// Runs one workload between the client and server namespaces and returns its samples, plus the
/// helpers the agent-based workloads share (the echo server, a client agent run).
public enum WorkloadRunner {
    public static let iperf3Port: UInt16 = 5201
    public static let udpEchoPort: UInt16 = 7001
    public static let tcpEchoPort: UInt16 = 7002
    public static let connectPort: UInt16 = 7003

    /// `filter`: the policy and drop counter of the filter in the path, which the packet-rate workload
    /// needs to choose its sources and count drops; the other workloads ignore it.
    /// `window`: opened just before the traffic starts and closed just after it ends.
    public static func run(_ workload: Workload, in context: TrafficContext, filter: FilterUnderTest = .unfiltered,
                           window: TrafficWindow = .unobserved) throws -> [Sample] {
        try Cancellation.shared.checkpoint()
        return try workload.definition.run(in: context, filter: filter, window: window)
    }

    /// `run` with the series the workload recorded (what a case keeps per repeat).
    public static func measure(_ workload: Workload, in context: TrafficContext, filter: FilterUnderTest = .unfiltered,
                               window: TrafficWindow = .unobserved) throws -> WorkloadMeasurement {
        try Cancellation.shared.checkpoint()
        return try workload.definition.measure(in: context, filter: filter, window: window)
    }

    /// Starts the echo agent (`rr-server`) in the server namespace for the duration of `body`,
    /// pinned to `cpu` if one is given.
    public static func withEchoServer<T>(_ transport: TransportProtocol, port: UInt16, lifetime: Double, name: String,
                                         cpu: Int? = nil, _ context: TrafficContext, _ body: () throws -> T) throws -> T {
        let topology = context.topology
        let request = AgentRequest.rrServer(RoundTripServerRequest(
            transport: transport, bind: Endpoint(host: "\(topology.serverAddress)", port: port), deadline: lifetime, cpu: cpu))
        let server = try BackgroundProcess(context.agent(request, in: topology.server),
                                           stdoutPath: context.file("\(name)-server.out"), stderrPath: context.file("\(name)-server.err"))
        defer { server.stop(grace: 1) }
        try ListenerProbe.waitForListener(namespace: topology.server, port: port, transport: transport, process: server)
        return try body()
    }

    /// Runs a client agent (rr-client, connect-client) in the client namespace and decodes its report.
    public static func runAgent(_ request: AgentRequest, timeout: Double, _ context: TrafficContext,
                                _ window: TrafficWindow = .unobserved) throws -> AgentReport {
        let result = try window.measure {
            try Subprocess.run(context.agent(request, in: context.topology.client), timeout: timeout)
        }
        try result.requireSuccess("agent \(request.command)")
        return try AgentChannel.decodeReply(AgentReport.self, from: result.stdout, "agent \(request.command)")
    }
}

/// Bounds the scenario reader checks, shared by the workloads that take them.
public enum WorkloadLimits {
    /// Long enough to hold a few hundred round trips, short enough to bound a run.
    public static let durations = 100...600_000
    public static let counts = 1...10_000_000
    /// The largest UDP payload in one IPv4 datagram: 65535 − 20 (IP header) − 8 (UDP header).
    public static let largestUDPPayload = 65_507
}
