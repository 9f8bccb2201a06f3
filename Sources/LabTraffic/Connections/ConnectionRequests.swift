import LabNetwork

/// `benchlab agent conn-server`: the TCP echo server for many connections at once.
public struct ConnectionServerRequest: Codable, Sendable, Equatable {
    public var bind: Endpoint
    /// Hard lifetime in seconds: a server orphaned by a crashed run exits on its own.
    public var deadline: Double

    public init(bind: Endpoint, deadline: Double) {
        self.bind = bind
        self.deadline = deadline
    }

    func validate() throws { try AgentCheck.lifetime(deadline) }
}

/// The 5-tuples of the connection agents: a `FlowFillPlan` named by its inputs.
public struct FlowPlanRequest: Codable, Sendable, Equatable {
    public var sources: [String]
    public var target: Endpoint
    public var count: Int
    public var seed: UInt64

    public init(sources: [String], target: Endpoint, count: Int, seed: UInt64) {
        self.sources = sources
        self.target = target
        self.count = count
        self.seed = seed
    }

    func plan(_ transport: TransportProtocol) -> FlowFillPlan? {
        let addresses = sources.compactMap { IPv4Address($0) }
        guard addresses.count == sources.count, let destination = IPv4Address(target.host) else { return nil }
        return FlowFillPlan(count: count, seed: seed, sources: addresses, destination: destination, destinationPort: target.port,
                            proto: transport == .tcp ? 6 : 17)
    }

    func validate(_ transport: TransportProtocol) throws {
        try AgentCheck.require(!sources.isEmpty && sources.allSatisfy { IPv4Address($0) != nil }, "sources must be IPv4 addresses")
        try AgentCheck.require(IPv4Address(target.host) != nil, "target must be an IPv4 address and port")
        try AgentCheck.require(count >= 1 && count <= FlowFillPlan.capacity(sources: sources.count),
                               "count must be 1...\(FlowFillPlan.capacity(sources: sources.count)) for \(sources.count) sources")
        _ = transport
    }
}

/// `benchlab agent churn-client`.
public struct ChurnClientRequest: Codable, Sendable, Equatable {
    public var transport: TransportProtocol
    public var flows: FlowPlanRequest
    public var rate: Int
    public var duration: Double
    public var count: Int
    public var concurrency: Int
    public var connectTimeout: Double
    public var replyTimeout: Double

    public init(transport: TransportProtocol, flows: FlowPlanRequest, rate: Int, duration: Double, count: Int, concurrency: Int,
                connectTimeout: Double = 1, replyTimeout: Double = 1) {
        self.transport = transport
        self.flows = flows
        self.rate = rate
        self.duration = duration
        self.count = count
        self.concurrency = concurrency
        self.connectTimeout = connectTimeout
        self.replyTimeout = replyTimeout
    }

    func validate() throws {
        try flows.validate(transport)
        try AgentCheck.require(rate >= 0, "rate must be 0 or more")
        try AgentCheck.duration(duration)
        try AgentCheck.require(count >= 1, "count must be at least 1")
        try AgentCheck.require((1...ConnectionsWorkload.concurrencies.upperBound).contains(concurrency),
                               "concurrency must be 1...\(ConnectionsWorkload.concurrencies.upperBound)")
        try AgentCheck.require(connectTimeout > 0 && connectTimeout <= 10 && replyTimeout > 0 && replyTimeout <= 10,
                               "timeouts must be in (0, 10] seconds")
    }

    func options() -> ConnectionChurn.Options {
        ConnectionChurn.Options(transport: transport, plan: flows.plan(transport)!, rate: rate, durationSeconds: duration, count: count,
                                concurrency: concurrency, connectTimeout: connectTimeout, replyTimeout: replyTimeout)
    }

    enum CodingKeys: String, CodingKey {
        case transport = "protocol", flows, rate, duration, count, concurrency
        case connectTimeout = "connect_timeout", replyTimeout = "reply_timeout"
    }
}

/// `benchlab agent established-client`.
public struct EstablishedClientRequest: Codable, Sendable, Equatable {
    public var flows: FlowPlanRequest
    public var interval: Double
    public var replyTimeout: Double
    /// Hard lifetime in seconds, in case the driver never says stop.
    public var deadline: Double

    public init(flows: FlowPlanRequest, interval: Double, replyTimeout: Double, deadline: Double) {
        self.flows = flows
        self.interval = interval
        self.replyTimeout = replyTimeout
        self.deadline = deadline
    }

    func validate() throws {
        try flows.validate(.tcp)
        try AgentCheck.require(flows.count <= EstablishedFlows.maximumFlows, "count must be at most \(EstablishedFlows.maximumFlows)")
        try AgentCheck.require(interval >= 0.01 && interval <= 60, "interval must be in [0.01, 60] seconds")
        try AgentCheck.require(replyTimeout > 0 && replyTimeout <= 10, "reply_timeout must be in (0, 10] seconds")
        try AgentCheck.lifetime(deadline)
    }

    func options() -> EstablishedFlowsClient.Options {
        EstablishedFlowsClient.Options(plan: flows.plan(.tcp)!, intervalSeconds: interval, replyTimeout: replyTimeout,
                                       deadlineSeconds: deadline)
    }

    enum CodingKeys: String, CodingKey { case flows, interval, deadline, replyTimeout = "reply_timeout" }
}
