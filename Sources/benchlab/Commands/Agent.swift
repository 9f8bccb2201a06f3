import ArgumentParser
import Foundation
import LabNetwork
import LabPacket
import LabPolicy
import LabScenario
import LabSystem
import LabTraffic

/// `benchlab agent …`: the traffic agents benchlab starts inside lab namespaces (through
/// `ip netns exec`). Hidden from help: they are an implementation detail with a stable interface.
struct AgentCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "agent",
        abstract: "Traffic agents run inside lab namespaces (internal).",
        shouldDisplay: false,
        subcommands: [RoundTripServerAgent.self, RoundTripClientAgent.self, ConnectClientAgent.self, ProbeSinkAgent.self, ProbeClientAgent.self,
                      FloodAgent.self, PacketSinkAgent.self]
    )
}

extension TransportProtocol: ExpressibleByArgument {}

extension Endpoint: ExpressibleByArgument {
    public init?(argument: String) { self.init(argument) }
}

struct RoundTripServerAgent: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "rr-server", abstract: "Echo server for latency and connect workloads.")

    @Option(name: .customLong("protocol")) var transport: TransportProtocol
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

    @Option(name: .customLong("protocol")) var transport: TransportProtocol
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

struct FloodAgent: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "flood", abstract: "Packet-rate generator: UDP frames through AF_PACKET; prints a JSON report.")

    @Option(help: "Interface to send on (the client's lab interface).") var interface: String
    @Option(help: "The interface's own MAC address.") var sourceMac: String
    @Option(help: "MAC address of the next hop on the interface's link.") var gatewayMac: String
    @Option var target: Endpoint
    @Option(help: "A source address the policy allows (repeat the option for more).") var allowed: [String] = []
    @Option(help: "A source address the policy denies (repeat the option for more).") var denied: [String] = []
    @Option(help: "Share of packets sent from the denied sources, 0...1.") var deniedShare: Double = 0
    @Option(help: "UDP payload bytes.") var size: Int = PacketRateWorkload.minimumFramePayload
    @Option(help: "Packets per second, 0 = as fast as possible.") var rate: Int = 0
    @Option(help: "Seconds to send.") var duration: Double = 5
    @Option(help: "Hard bound on packets sent.") var count: UInt64
    @Option(help: "CPU to pin the flood to.") var cpu: Int?

    func validate() throws {
        guard MACAddress(sourceMac) != nil, MACAddress(gatewayMac) != nil else { throw ValidationError("MAC addresses look like 02:62:6c:00:00:01") }
        guard (1...PacketRateWorkload.largestPayload).contains(size) else {
            throw ValidationError("--size must be 1...\(PacketRateWorkload.largestPayload) bytes")
        }
        guard (0...1).contains(deniedShare) else { throw ValidationError("--denied-share must be in [0, 1]") }
        guard deniedShare == 1 || !allowed.isEmpty else { throw ValidationError("--allowed is needed unless --denied-share is 1") }
        guard deniedShare == 0 || !denied.isEmpty else { throw ValidationError("--denied is needed when --denied-share is above 0") }
        guard (allowed + denied).allSatisfy({ IPv4Address($0) != nil }) else { throw ValidationError("sources must be IPv4 addresses") }
        guard rate >= 0 else { throw ValidationError("--rate must be 0 or more") }
        guard duration > 0, duration <= 600 else { throw ValidationError("--duration must be in (0, 600] seconds") }
        guard count >= 1 else { throw ValidationError("--count must be at least 1") }
    }

    func run() throws {
        Cancellation.shared.install(emergency: {})
        let sources = PacketRateSources(allowed: allowed.compactMap { IPv4Address($0) }, denied: denied.compactMap { IPv4Address($0) })
        let schedule = PacketSchedule(sources: sources, deniedShare: deniedShare)
        guard let destination = IPv4Address(target.host) else { throw ValidationError("--target must be an IPv4 address and port") }
        let frames = schedule.slots.map {
            UDPFrame(sourceMAC: MACAddress(sourceMac)!, destinationMAC: MACAddress(gatewayMac)!, source: $0.source,
                     destination: destination, sourcePort: $0.sourcePort, destinationPort: target.port, payloadBytes: size)
        }
        let options = PacketFlood.Options(interface: interface, frames: frames, schedule: schedule, packetsPerSecond: rate,
                                          durationSeconds: duration, maximumPackets: count, cpu: cpu)
        try printJSON(try PacketFlood.run(options))
    }
}

struct PacketSinkAgent: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pps-sink", abstract: "Packet-rate sink: reads and counts UDP datagrams until stopped; prints a JSON report.")

    @Option var bind: Endpoint
    @Option(help: "Hard lifetime in seconds.") var deadline: Double = 60
    @Option(help: "A CPU to stay off (the flood's).") var avoidCpu: Int?

    func validate() throws {
        guard deadline > 0, deadline <= 3600 else { throw ValidationError("--deadline must be in (0, 3600] seconds") }
    }

    func run() throws {
        // SIGTERM is the driver's "stop and report": it only sets the flag the receive loop polls.
        Cancellation.shared.install(emergency: {})
        let report = try PacketSink.serve(bind: bind, deadline: deadline, avoidCPU: avoidCpu) {
            print("ready")
            fflush(nil)
        }
        try printJSON(report)
    }
}
