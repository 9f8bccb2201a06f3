import LabNetwork

/// `benchlab agent snat-ramp`.
public struct SNATRampRequest: Codable, Sendable, Equatable {
    public var sources: [String]
    public var target: Endpoint
    /// Cumulative attempts after each step (`SNATRampPlan.totals`).
    public var totals: [Int]
    public var concurrency: Int
    public var connectTimeout: Double
    public var recoveryInterval: Double
    public var recoveryTimeout: Double
    public var controlFile: String
    /// Hard lifetime in seconds, in case the driver never releases.
    public var deadline: Double

    public init(sources: [String], target: Endpoint, totals: [Int], concurrency: Int, connectTimeout: Double,
                recoveryInterval: Double = 0.1, recoveryTimeout: Double, controlFile: String, deadline: Double) {
        self.sources = sources
        self.target = target
        self.totals = totals
        self.concurrency = concurrency
        self.connectTimeout = connectTimeout
        self.recoveryInterval = recoveryInterval
        self.recoveryTimeout = recoveryTimeout
        self.controlFile = controlFile
        self.deadline = deadline
    }

    func validate() throws {
        try AgentCheck.require(!sources.isEmpty && sources.allSatisfy { IPv4Address($0) != nil }, "sources must be IPv4 addresses")
        try AgentCheck.require(IPv4Address(target.host) != nil, "target must be an IPv4 address and port")
        try AgentCheck.require(!totals.isEmpty && totals[0] >= 0 && zip(totals, totals.dropFirst()).allSatisfy { $0 <= $1 }
                               && totals.last! <= SNATRampPlan.maximumConnections,
                               "totals must be non-decreasing, at most \(SNATRampPlan.maximumConnections)")
        try AgentCheck.require((1...4096).contains(concurrency), "concurrency must be 1...4096")
        try AgentCheck.require(connectTimeout > 0 && connectTimeout <= 10, "connect_timeout must be in (0, 10] seconds")
        try AgentCheck.require(recoveryInterval > 0 && recoveryInterval <= 10 && recoveryTimeout > 0 && recoveryTimeout <= 600,
                               "recovery_interval must be in (0, 10] s and recovery_timeout in (0, 600] s")
        try AgentCheck.require(!controlFile.isEmpty, "control_file must name a file")
        try AgentCheck.lifetime(deadline)
    }

    func options() -> SNATRampClient.Options {
        SNATRampClient.Options(sources: sources.compactMap { IPv4Address($0) }, target: target, totals: totals, concurrency: concurrency,
                               connectTimeout: connectTimeout, recoveryInterval: recoveryInterval, recoveryTimeout: recoveryTimeout,
                               controlFile: controlFile, deadlineSeconds: deadline)
    }

    enum CodingKeys: String, CodingKey {
        case sources, target, totals, concurrency, deadline
        case connectTimeout = "connect_timeout", recoveryInterval = "recovery_interval", recoveryTimeout = "recovery_timeout"
        case controlFile = "control_file"
    }
}

/// `benchlab agent first-connect`.
public struct FirstConnectRequest: Codable, Sendable, Equatable {
    public var source: String
    public var target: Endpoint
    public var interval: Double
    public var attemptTimeout: Double
    public var deadline: Double

    public init(source: String, target: Endpoint, interval: Double, attemptTimeout: Double, deadline: Double) {
        self.source = source
        self.target = target
        self.interval = interval
        self.attemptTimeout = attemptTimeout
        self.deadline = deadline
    }

    func validate() throws {
        try AgentCheck.require(IPv4Address(source) != nil, "source must be an IPv4 address")
        try AgentCheck.require(IPv4Address(target.host) != nil, "target must be an IPv4 address and port")
        try AgentCheck.require(interval >= 0.0001 && interval <= 10, "interval must be in [0.1 ms, 10 s]")
        try AgentCheck.require(attemptTimeout > 0 && attemptTimeout <= 10, "attempt_timeout must be in (0, 10] seconds")
        try AgentCheck.lifetime(deadline)
    }

    func options() -> FirstConnectClient.Options {
        FirstConnectClient.Options(source: IPv4Address(source)!, target: target, interval: interval, attemptTimeout: attemptTimeout,
                                   deadlineSeconds: deadline)
    }

    enum CodingKeys: String, CodingKey { case source, target, interval, deadline, attemptTimeout = "attempt_timeout" }
}
