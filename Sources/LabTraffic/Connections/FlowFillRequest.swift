import LabNetwork
import LabPacket

/// `benchlab agent flow-fill`: the plan travels as its inputs (count, seed, sources, target), which
/// the agent expands exactly as the driver does.
public struct FlowFillRequest: Codable, Sendable, Equatable {
    public var interface: String
    public var sourceMac: String
    public var gatewayMac: String
    public var target: Endpoint
    public var sources: [String]
    public var count: Int
    public var seed: UInt64
    /// Flows per second, 0 = as fast as possible.
    public var rate: Int
    public var duration: Double
    /// UDP payload bytes of each flow's datagram.
    public var size: Int
    public var timestampsFile: String
    public var cpu: Int?

    public init(interface: String, sourceMac: String, gatewayMac: String, target: Endpoint, sources: [String], count: Int,
                seed: UInt64, rate: Int, duration: Double, size: Int = 18, timestampsFile: String, cpu: Int? = nil) {
        self.interface = interface
        self.sourceMac = sourceMac
        self.gatewayMac = gatewayMac
        self.target = target
        self.sources = sources
        self.count = count
        self.seed = seed
        self.rate = rate
        self.duration = duration
        self.size = size
        self.timestampsFile = timestampsFile
        self.cpu = cpu
    }

    /// The plan the request names (nil when it cannot hold `count` flows; `validate` says so).
    public var plan: FlowFillPlan? {
        let addresses = sources.compactMap { IPv4Address($0) }
        guard addresses.count == sources.count, let destination = IPv4Address(target.host) else { return nil }
        return FlowFillPlan(count: count, seed: seed, sources: addresses, destination: destination, destinationPort: target.port)
    }

    func validate() throws {
        try AgentCheck.require(MACAddress(sourceMac) != nil && MACAddress(gatewayMac) != nil,
                               "MAC addresses look like 02:62:6c:00:00:01")
        try AgentCheck.require(!sources.isEmpty && sources.allSatisfy { IPv4Address($0) != nil }, "sources must be IPv4 addresses")
        try AgentCheck.require(IPv4Address(target.host) != nil, "target must be an IPv4 address and port")
        try AgentCheck.require((1...FlowFill.maximumFlows).contains(count), "count must be 1...\(FlowFill.maximumFlows)")
        try AgentCheck.require(count <= FlowFillPlan.capacity(sources: sources.count),
                               "count \(count) exceeds what \(sources.count) sources give (\(FlowFillPlan.capacity(sources: sources.count)))")
        try AgentCheck.require(rate >= 0, "rate must be 0 or more")
        try AgentCheck.require((1...1472).contains(size), "size must be 1...1472 bytes")
        try AgentCheck.duration(duration)
        try AgentCheck.require(!timestampsFile.isEmpty, "timestamps_file is needed")
    }

    func options() -> FlowFill.Options {
        FlowFill.Options(interface: interface, sourceMAC: MACAddress(sourceMac)!, gatewayMAC: MACAddress(gatewayMac)!, plan: plan!,
                         payloadBytes: size, flowsPerSecond: rate, durationSeconds: duration, timestampsFile: timestampsFile, cpu: cpu)
    }

    enum CodingKeys: String, CodingKey {
        case interface, target, sources, count, seed, rate, duration, size, cpu
        case sourceMac = "source_mac", gatewayMac = "gateway_mac", timestampsFile = "timestamps_file"
    }
}
