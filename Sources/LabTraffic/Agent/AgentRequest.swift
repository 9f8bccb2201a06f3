import LabNetwork
import LabPacket
import LabPolicy
import LabSystem

/// Everything `benchlab agent` can be asked to do inside a lab namespace. A request travels as one
/// JSON object naming its command, `{"rr-client": {"protocol": "udp", "target": "198.18.1.2:7001", …}}`,
/// built and read only by `AgentChannel`; the agent checks it (`validate`) before acting on it.
public enum AgentRequest: Sendable, Equatable {
    /// Echo server for the latency and connect workloads; prints "ready" once bound.
    case rrServer(RoundTripServerRequest)
    /// Request/response latency client; replies with an `AgentReport`.
    case rrClient(RoundTripClientRequest)
    /// TCP connect-rate client; replies with an `AgentReport`.
    case connectClient(ConnectClientRequest)
    /// Answers equivalence probes on every port they use; prints "ready" once bound.
    case probeSink(ProbeSinkRequest)
    /// Sends equivalence probes; replies with one `ProbeObservation` per flow.
    case probeClient(ProbeClientRequest)
    /// Packet-rate generator (UDP frames through AF_PACKET); replies with a `FloodReport`.
    case flood(FloodRequest)
    /// Packet-rate sink: counts datagrams until SIGTERM; prints "ready", then replies with a `SinkReport`.
    case ppsSink(PacketSinkRequest)
    /// Flow fill: one UDP frame per flow of a plan; writes per-flow timestamps, replies with a `FlowFillReport`.
    case flowFill(FlowFillRequest)
    /// TCP echo server for many concurrent connections; prints "ready" once bound.
    case connServer(ConnectionServerRequest)
    /// Short connections at a rate; replies with a `ChurnReport`.
    case churnClient(ChurnClientRequest)
    /// Long-lived connections kept alive; prints "ready" once open, replies with an `EstablishedReport` on SIGTERM.
    case establishedClient(EstablishedClientRequest)
    /// The snat-exhaustion ramp: opens and holds connections step by step, then times recovery; replies with a `SNATRampReport`.
    case snatRamp(SNATRampRequest)
    /// Connects from one new pod address until a connection opens; prints "ready", replies with a `FirstConnectReport`.
    case firstConnect(FirstConnectRequest)

    /// The command's name in the JSON and in error messages ("agent rr-client").
    public var command: String {
        switch self {
        case .rrServer: return "rr-server"
        case .rrClient: return "rr-client"
        case .connectClient: return "connect-client"
        case .probeSink: return "probe-sink"
        case .probeClient: return "probe-client"
        case .flood: return "flood"
        case .ppsSink: return "pps-sink"
        case .flowFill: return "flow-fill"
        case .connServer: return "conn-server"
        case .churnClient: return "churn-client"
        case .establishedClient: return "established-client"
        case .snatRamp: return "snat-ramp"
        case .firstConnect: return "first-connect"
        }
    }

    /// Rejects a request no agent could carry out, with a message naming the offending field.
    public func validate() throws {
        switch self {
        case .rrServer(let r): try r.validate()
        case .rrClient(let r): try r.validate()
        case .connectClient(let r): try r.validate()
        case .probeSink(let r): try AgentCheck.lifetime(r.deadline)
        case .probeClient(let r): try AgentCheck.require(r.timeout > 0 && r.timeout <= 10, "timeout must be in (0, 10] seconds")
        case .flood(let r): try r.validate()
        case .ppsSink(let r): try AgentCheck.lifetime(r.deadline)
        case .flowFill(let r): try r.validate()
        case .connServer(let r): try r.validate()
        case .churnClient(let r): try r.validate()
        case .establishedClient(let r): try r.validate()
        case .snatRamp(let r): try r.validate()
        case .firstConnect(let r): try r.validate()
        }
    }
}

public struct RoundTripServerRequest: Codable, Sendable, Equatable {
    public var transport: TransportProtocol
    public var bind: Endpoint
    /// Hard lifetime in seconds: a server orphaned by a crashed run exits on its own.
    public var deadline: Double
    /// The CPU to run on (flood-goodput: the receive CPU, where it competes with the flood's filtering).
    public var cpu: Int?

    public init(transport: TransportProtocol, bind: Endpoint, deadline: Double, cpu: Int? = nil) {
        self.transport = transport
        self.bind = bind
        self.deadline = deadline
        self.cpu = cpu
    }

    func validate() throws { try AgentCheck.lifetime(deadline) }

    enum CodingKeys: String, CodingKey { case transport = "protocol", bind, deadline, cpu }
}

public struct RoundTripClientRequest: Codable, Sendable, Equatable {
    public var transport: TransportProtocol
    public var target: Endpoint
    public var payload: Int
    /// Stops at `count` round trips or `duration` seconds, whichever comes first.
    public var count: Int
    public var duration: Double
    /// Local source address to bind (e.g. a client-pool address); nil = the route's.
    public var source: String?
    /// The CPU to run on (flood-goodput: the flood's, as a loaded client host's would be).
    public var cpu: Int?

    public init(transport: TransportProtocol, target: Endpoint, payload: Int = 64, count: Int = 10_000,
                duration: Double = 5, source: String? = nil, cpu: Int? = nil) {
        self.transport = transport
        self.target = target
        self.payload = payload
        self.count = count
        self.duration = duration
        self.source = source
        self.cpu = cpu
    }

    func validate() throws {
        try AgentCheck.require((1...65_507).contains(payload), "payload must be 1...65507 bytes")
        try AgentCheck.require(count >= 1, "count must be at least 1")
        try AgentCheck.duration(duration)
    }

    enum CodingKeys: String, CodingKey { case transport = "protocol", target, payload, count, duration, source, cpu }
}

public struct ConnectClientRequest: Codable, Sendable, Equatable {
    public var target: Endpoint
    public var count: Int
    public var duration: Double

    public init(target: Endpoint, count: Int = 2000, duration: Double = 5) {
        self.target = target
        self.count = count
        self.duration = duration
    }

    func validate() throws {
        try AgentCheck.require(count >= 1, "count must be at least 1")
        try AgentCheck.duration(duration)
    }
}

/// The flows travel in a file: a probe set can hold thousands, more than a command line should.
public struct ProbeSinkRequest: Codable, Sendable, Equatable {
    public var flowsFile: String
    public var deadline: Double

    public init(flowsFile: String, deadline: Double) {
        self.flowsFile = flowsFile
        self.deadline = deadline
    }

    enum CodingKeys: String, CodingKey { case flowsFile = "flows_file", deadline }
}

public struct ProbeClientRequest: Codable, Sendable, Equatable {
    public var flowsFile: String
    /// Seconds to wait for answers per batch.
    public var timeout: Double

    public init(flowsFile: String, timeout: Double) {
        self.flowsFile = flowsFile
        self.timeout = timeout
    }

    enum CodingKeys: String, CodingKey { case flowsFile = "flows_file", timeout }
}

public struct FloodRequest: Codable, Sendable, Equatable {
    /// The client's lab interface, and its own MAC address.
    public var interface: String
    public var sourceMac: String
    /// MAC address of the next hop on the interface's link.
    public var gatewayMac: String
    public var target: Endpoint
    /// Source addresses the policy allows and denies.
    public var allowed: [String]
    public var denied: [String]
    /// Share of packets sent from the denied sources, 0...1.
    public var deniedShare: Double
    /// UDP payload bytes.
    public var size: Int
    /// Packets per second, 0 = as fast as possible.
    public var rate: Int
    public var duration: Double
    /// Hard bound on packets sent.
    public var count: UInt64
    /// The CPU to pin the flood to.
    public var cpu: Int?
    /// Open loop (true): a frame the device refuses is lost, as an attacker's packet is when a NIC's
    /// ring is full, and the pace goes on. Closed loop (absent/false): it is sent again, so the flood
    /// is sent what the receive side accepts — the drop rate of a saturated filter.
    public var openLoop: Bool?

    public init(interface: String, sourceMac: String, gatewayMac: String, target: Endpoint, allowed: [String],
                denied: [String], deniedShare: Double, size: Int, rate: Int, duration: Double, count: UInt64, cpu: Int?,
                openLoop: Bool? = nil) {
        self.interface = interface
        self.sourceMac = sourceMac
        self.gatewayMac = gatewayMac
        self.target = target
        self.allowed = allowed
        self.denied = denied
        self.deniedShare = deniedShare
        self.size = size
        self.rate = rate
        self.duration = duration
        self.count = count
        self.cpu = cpu
        self.openLoop = openLoop
    }

    func validate() throws {
        try AgentCheck.require(MACAddress(sourceMac) != nil && MACAddress(gatewayMac) != nil,
                               "MAC addresses look like 02:62:6c:00:00:01")
        try AgentCheck.require((1...PacketRateWorkload.largestPayload).contains(size),
                               "size must be 1...\(PacketRateWorkload.largestPayload) bytes")
        try AgentCheck.require((0...1).contains(deniedShare), "denied_share must be in [0, 1]")
        try AgentCheck.require(deniedShare == 1 || !allowed.isEmpty, "allowed is needed unless denied_share is 1")
        try AgentCheck.require(deniedShare == 0 || !denied.isEmpty, "denied is needed when denied_share is above 0")
        try AgentCheck.require((allowed + denied).allSatisfy { IPv4Address($0) != nil }, "sources must be IPv4 addresses")
        try AgentCheck.require(IPv4Address(target.host) != nil, "target must be an IPv4 address and port")
        try AgentCheck.require(rate >= 0, "rate must be 0 or more")
        try AgentCheck.duration(duration)
        try AgentCheck.require(count >= 1, "count must be at least 1")
    }

    enum CodingKeys: String, CodingKey {
        case interface, target, allowed, denied, size, rate, duration, count, cpu
        case sourceMac = "source_mac", gatewayMac = "gateway_mac", deniedShare = "denied_share", openLoop = "open_loop"
    }
}

public struct PacketSinkRequest: Codable, Sendable, Equatable {
    public var bind: Endpoint
    public var deadline: Double
    /// A CPU to stay off (the flood's).
    public var avoidCpu: Int?
    /// A CPU to run on (the receive CPU, when the receive path is steered there); wins over avoidCpu.
    public var cpu: Int?

    public init(bind: Endpoint, deadline: Double, avoidCpu: Int?, cpu: Int? = nil) {
        self.bind = bind
        self.deadline = deadline
        self.avoidCpu = avoidCpu
        self.cpu = cpu
    }

    enum CodingKeys: String, CodingKey { case bind, deadline, avoidCpu = "avoid_cpu", cpu }
}

/// The bounds every agent request shares.
enum AgentCheck {
    static func require(_ condition: Bool, _ message: @autoclosure () -> String) throws {
        guard condition else { throw LabFailure("agent request: \(message())", exitStatus: .badInput) }
    }

    static func lifetime(_ deadline: Double) throws {
        try require(deadline > 0 && deadline <= 3600, "deadline must be in (0, 3600] seconds")
    }

    static func duration(_ duration: Double) throws {
        try require(duration > 0 && duration <= 600, "duration must be in (0, 600] seconds")
    }
}

/// "host:port" in JSON, as on the command line before.
extension Endpoint: Codable {
    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let endpoint = Endpoint(text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not an IPv4 host:port: \(text)"))
        }
        self = endpoint
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

/// One key, the command, holding the request's fields.
extension AgentRequest: Codable {
    private struct CommandKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CommandKey.self)
        guard container.allKeys.count == 1, let key = container.allKeys.first else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath,
                                                    debugDescription: "an agent request has exactly one command key"))
        }
        switch key.stringValue {
        case "rr-server": self = .rrServer(try container.decode(RoundTripServerRequest.self, forKey: key))
        case "rr-client": self = .rrClient(try container.decode(RoundTripClientRequest.self, forKey: key))
        case "connect-client": self = .connectClient(try container.decode(ConnectClientRequest.self, forKey: key))
        case "probe-sink": self = .probeSink(try container.decode(ProbeSinkRequest.self, forKey: key))
        case "probe-client": self = .probeClient(try container.decode(ProbeClientRequest.self, forKey: key))
        case "flood": self = .flood(try container.decode(FloodRequest.self, forKey: key))
        case "pps-sink": self = .ppsSink(try container.decode(PacketSinkRequest.self, forKey: key))
        case "flow-fill": self = .flowFill(try container.decode(FlowFillRequest.self, forKey: key))
        case "conn-server": self = .connServer(try container.decode(ConnectionServerRequest.self, forKey: key))
        case "churn-client": self = .churnClient(try container.decode(ChurnClientRequest.self, forKey: key))
        case "established-client": self = .establishedClient(try container.decode(EstablishedClientRequest.self, forKey: key))
        case "snat-ramp": self = .snatRamp(try container.decode(SNATRampRequest.self, forKey: key))
        case "first-connect": self = .firstConnect(try container.decode(FirstConnectRequest.self, forKey: key))
        default:
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath,
                                                    debugDescription: "unknown agent command '\(key.stringValue)'"))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CommandKey.self)
        let key = CommandKey(stringValue: command)
        switch self {
        case .rrServer(let r): try container.encode(r, forKey: key)
        case .rrClient(let r): try container.encode(r, forKey: key)
        case .connectClient(let r): try container.encode(r, forKey: key)
        case .probeSink(let r): try container.encode(r, forKey: key)
        case .probeClient(let r): try container.encode(r, forKey: key)
        case .flood(let r): try container.encode(r, forKey: key)
        case .ppsSink(let r): try container.encode(r, forKey: key)
        case .flowFill(let r): try container.encode(r, forKey: key)
        case .connServer(let r): try container.encode(r, forKey: key)
        case .churnClient(let r): try container.encode(r, forKey: key)
        case .establishedClient(let r): try container.encode(r, forKey: key)
        case .snatRamp(let r): try container.encode(r, forKey: key)
        case .firstConnect(let r): try container.encode(r, forKey: key)
        }
    }
}
