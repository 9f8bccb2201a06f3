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
    /// The benchlab binary, which also hosts the latency and connect agents (`benchlab agent …`).
    public var agentExecutable: String

    public init(topology: Topology, scratchDirectory: String, agentExecutable: String) {
        self.topology = topology
        self.scratchDirectory = scratchDirectory
        self.agentExecutable = agentExecutable
    }

    func file(_ name: String) -> String { "\(scratchDirectory)/\(name)" }
}

/// Runs one workload between the client and server namespaces and returns its samples. Every child
/// is started inside its namespace and reaped before this returns, also when it throws.
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
        switch workload {
        case .throughput(let spec): return try throughput(spec, context, window)
        case .latency(let spec): return try latency(spec, context, window)
        case .connect(let spec): return try connect(spec, context, window)
        case .packetRate(let spec): return try PacketRateDriver.run(spec, filter: filter, context, window)
        }
    }

    static func throughput(_ spec: ThroughputWorkload, _ context: TrafficContext, _ window: TrafficWindow) throws -> [Sample] {
        let topology = context.topology
        let server = try BackgroundProcess(
            Command("iperf3", ["-s", "-1", "-B", "\(topology.serverAddress)", "-p", "\(iperf3Port)",
                               // A server orphaned by a crashed run exits on its own.
                               "--idle-timeout", "\(spec.durationSeconds + 30)"]).inNamespace(topology.server),
            stdoutPath: context.file("\(spec.name)-iperf3-server.out"), stderrPath: context.file("\(spec.name)-iperf3-server.err"))
        defer { server.stop() }
        try ListenerProbe.waitForListener(namespace: topology.server, port: iperf3Port, transport: .tcp, process: server)
        var arguments = ["-c", "\(topology.serverAddress)", "-p", "\(iperf3Port)", "-t", "\(spec.durationSeconds)",
                         "-P", "\(spec.streams)", "-J", "--connect-timeout", "3000"]
        if let size = spec.messageBytes { arguments += ["-l", "\(size)"] }
        if spec.proto == .udp { arguments += ["-u", "-b", "\(spec.bitrateBitsPerSecond)"] }
        let result = try window.measure {
            try Subprocess.run(Command("iperf3", arguments).inNamespace(topology.client), timeout: Double(spec.durationSeconds) + 15)
        }
        let summary: Iperf3Summary
        do {
            summary = try Iperf3Parser.parse(result.stdout)
        } catch let error as Iperf3Error {
            throw LabFailure("\(spec.name): \(error.description)")
        }
        return summary.samples(workload: spec.name)
    }

    static func latency(_ spec: LatencyWorkload, _ context: TrafficContext, _ window: TrafficWindow) throws -> [Sample] {
        let transport = spec.proto
        let port = transport == .tcp ? tcpEchoPort : udpEchoPort
        let report = try withEchoServer(transport, port: port, lifetime: spec.durationSeconds + 10, name: spec.name, context) {
            try runAgent(["rr-client", "--protocol", transport.rawValue, "--target", "\(context.topology.serverAddress):\(port)",
                          "--payload", "\(spec.payloadBytes)", "--count", "\(spec.count)",
                          "--duration", "\(spec.durationSeconds)"], timeout: spec.durationSeconds + 10, context, window)
        }
        guard report.completed > 0 else {
            throw LabFailure("\(spec.name): no round trip completed (\(report.firstError ?? "\(report.failed) timed out"))")
        }
        let name = spec.name
        return [
            Sample(workload: name, metric: "latency_p50_us", value: report.p50Microseconds),
            Sample(workload: name, metric: "latency_p90_us", value: report.p90Microseconds),
            Sample(workload: name, metric: "latency_p99_us", value: report.p99Microseconds),
            Sample(workload: name, metric: "latency_p999_us", value: report.p999Microseconds),
            Sample(workload: name, metric: "latency_mean_us", value: report.meanMicroseconds),
            Sample(workload: name, metric: "transactions", value: Double(report.completed)),
            Sample(workload: name, metric: "timeouts", value: Double(report.failed)),
        ]
    }

    static func connect(_ spec: ConnectWorkload, _ context: TrafficContext, _ window: TrafficWindow) throws -> [Sample] {
        let report = try withEchoServer(.tcp, port: connectPort, lifetime: spec.durationSeconds + 10, name: spec.name, context) {
            try runAgent(["connect-client", "--target", "\(context.topology.serverAddress):\(connectPort)",
                          "--count", "\(spec.count)", "--duration", "\(spec.durationSeconds)"],
                         timeout: spec.durationSeconds + 10, context, window)
        }
        guard report.completed > 0 else {
            throw LabFailure("\(spec.name): no connection completed (\(report.firstError ?? "\(report.failed) failed"))")
        }
        let name = spec.name
        return [
            Sample(workload: name, metric: "connect_p50_us", value: report.p50Microseconds),
            Sample(workload: name, metric: "connect_p90_us", value: report.p90Microseconds),
            Sample(workload: name, metric: "connect_p99_us", value: report.p99Microseconds),
            Sample(workload: name, metric: "connect_p999_us", value: report.p999Microseconds),
            Sample(workload: name, metric: "cps", value: report.elapsedSeconds > 0 ? Double(report.completed) / report.elapsedSeconds : 0),
            Sample(workload: name, metric: "connect_failures", value: Double(report.failed)),
        ]
    }

    /// Starts `benchlab agent rr-server` in the server namespace for the duration of `body`.
    static func withEchoServer<T>(_ transport: TransportProtocol, port: UInt16, lifetime: Double, name: String,
                                  _ context: TrafficContext, _ body: () throws -> T) throws -> T {
        let topology = context.topology
        let server = try BackgroundProcess(
            Command(context.agentExecutable, ["agent", "rr-server", "--protocol", transport.rawValue,
                                              "--bind", "\(topology.serverAddress):\(port)", "--deadline", "\(lifetime)"])
                .inNamespace(topology.server),
            stdoutPath: context.file("\(name)-server.out"), stderrPath: context.file("\(name)-server.err"))
        defer { server.stop(grace: 1) }
        try ListenerProbe.waitForListener(namespace: topology.server, port: port, transport: transport, process: server)
        return try body()
    }

    /// Runs a client agent in the client namespace and decodes the JSON report on its last line.
    static func runAgent(_ arguments: [String], timeout: Double, _ context: TrafficContext,
                         _ window: TrafficWindow = .unobserved) throws -> AgentReport {
        let result = try window.measure {
            try Subprocess.run(Command(context.agentExecutable, ["agent"] + arguments).inNamespace(context.topology.client),
                               timeout: timeout)
        }
        try result.requireSuccess("agent \(arguments[0])")
        guard let line = result.stdout.split(separator: "\n").last,
              let report = try? JSONDecoder().decode(AgentReport.self, from: Data(line.utf8)) else {
            throw LabFailure("agent \(arguments[0]) printed no report: \(result.stdout.prefix(200))")
        }
        return report
    }
}
