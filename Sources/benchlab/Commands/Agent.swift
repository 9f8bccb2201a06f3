import ArgumentParser
import Foundation
import LabPolicy
import LabSystem
import LabTraffic

/// `benchlab agent …`: the traffic agents benchlab starts inside lab namespaces (through
/// `ip netns exec`). Hidden from help: they are an implementation detail with a stable interface.
struct AgentCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "agent",
        abstract: "Traffic agents run inside lab namespaces (internal).",
        shouldDisplay: false,
        subcommands: [RoundTripServerAgent.self, RoundTripClientAgent.self, ConnectClientAgent.self, ProbeSinkAgent.self, ProbeClientAgent.self]
    )
}

extension TransportKind: ExpressibleByArgument {}

extension Endpoint: ExpressibleByArgument {
    public init?(argument: String) { self.init(argument) }
}

struct RoundTripServerAgent: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "rr-server", abstract: "Echo server for latency and connect workloads.")

    @Option(name: .customLong("protocol")) var transport: TransportKind
    @Option var bind: Endpoint
    @Option(help: "Hard lifetime in seconds.") var deadline: Double = 60

    func validate() throws {
        guard deadline > 0, deadline <= 3600 else { throw ValidationError("--deadline must be in (0, 3600] seconds") }
    }

    func run() throws {
        try RoundTripServer.serve(protocol: transport, bind: bind, deadline: deadline) {
            print("ready")
            fflush(nil)
        }
    }
}

struct RoundTripClientAgent: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "rr-client", abstract: "Request/response latency client; prints a JSON report.")

    @Option(name: .customLong("protocol")) var transport: TransportKind
    @Option var target: Endpoint
    @Option var payload: Int = 64
    @Option var count: Int = 10_000
    @Option var duration: Double = 5
    @Option(help: "Local source address to bind (e.g. a client-pool address).") var source: String?

    func validate() throws {
        guard (8...65_507).contains(payload) || (1...7).contains(payload) else { throw ValidationError("--payload must be 1...65507 bytes") }
        guard count >= 1 else { throw ValidationError("--count must be at least 1") }
        guard duration > 0, duration <= 600 else { throw ValidationError("--duration must be in (0, 600] seconds") }
    }

    func run() throws {
        let report = try RoundTripClient.run(protocol: transport, target: target, payload: payload, count: count,
                                             duration: duration, source: source)
        try printJSON(report)
    }
}

struct ConnectClientAgent: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "connect-client", abstract: "TCP connect-rate client; prints a JSON report.")

    @Option var target: Endpoint
    @Option var count: Int = 2000
    @Option var duration: Double = 5

    func validate() throws {
        guard count >= 1 else { throw ValidationError("--count must be at least 1") }
        guard duration > 0, duration <= 600 else { throw ValidationError("--duration must be in (0, 600] seconds") }
    }

    func run() throws {
        try printJSON(try ConnectClient.run(target: target, count: count, duration: duration))
    }
}

func printJSON<T: Encodable>(_ value: T) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    print(String(decoding: try encoder.encode(value), as: UTF8.self))
}

struct ProbeSinkAgent: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "probe-sink", abstract: "Answers equivalence probes on every port they use.")

    @Option(help: "JSON file with the probe flows.") var flows: String
    @Option(help: "Hard lifetime in seconds.") var deadline: Double = 60

    func run() throws {
        try ProbeSink.serve(flows: try readFlows(flows), deadline: deadline) {
            print("ready")
            fflush(nil)
        }
    }
}

struct ProbeClientAgent: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "probe-client", abstract: "Sends equivalence probes; prints a JSON verdict list.")

    @Option(help: "JSON file with the probe flows.") var flows: String
    @Option(help: "Seconds to wait for answers per batch.") var timeout: Double = 0.4

    func validate() throws {
        guard timeout > 0, timeout <= 10 else { throw ValidationError("--timeout must be in (0, 10] seconds") }
    }

    func run() throws {
        try printJSON(try ProbeClient.run(flows: try readFlows(flows), timeout: timeout))
    }
}

func readFlows(_ path: String) throws -> [Flow] {
    guard let data = FileManager.default.contents(atPath: path) else { throw LabFailure("cannot read \(path)", exitStatus: .badInput) }
    return try JSONDecoder().decode([Flow].self, from: data)
}
