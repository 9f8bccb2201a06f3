/// One step of the ramp as the agent saw it.
public struct SNATRampStep: Codable, Sendable, Equatable {
    public var attempted: Int
    public var succeeded: Int
    public var failed: FailureCounts
    /// Held connections still open when the step began and when it ended.
    public var liveBefore: Int
    public var liveAfter: Int
    public var connectP99Milliseconds: Double?
    public var seconds: Double

    public init(attempted: Int, succeeded: Int, failed: FailureCounts, liveBefore: Int, liveAfter: Int,
                connectP99Milliseconds: Double?, seconds: Double) {
        self.attempted = attempted
        self.succeeded = succeeded
        self.failed = failed
        self.liveBefore = liveBefore
        self.liveAfter = liveAfter
        self.connectP99Milliseconds = connectP99Milliseconds
        self.seconds = seconds
    }

    enum CodingKeys: String, CodingKey {
        case attempted, succeeded, failed, seconds
        case liveBefore = "live_before", liveAfter = "live_after", connectP99Milliseconds = "connect_p99_ms"
    }
}

/// What `benchlab agent snat-ramp` prints at the end.
public struct SNATRampReport: Codable, Sendable, Equatable {
    public var steps: [SNATRampStep]
    /// Connections open at the release, all closed with RST.
    public var released: Int
    /// From the release to the first new connection that opened; nil when none did in time.
    public var recoveryMilliseconds: Double?
    public var recoveryAttempts: Int
    public var connectP99Milliseconds: Double?
    public var firstError: String?

    public init(steps: [SNATRampStep], released: Int, recoveryMilliseconds: Double?, recoveryAttempts: Int,
                connectP99Milliseconds: Double?, firstError: String?) {
        self.steps = steps
        self.released = released
        self.recoveryMilliseconds = recoveryMilliseconds
        self.recoveryAttempts = recoveryAttempts
        self.connectP99Milliseconds = connectP99Milliseconds
        self.firstError = firstError
    }

    enum CodingKeys: String, CodingKey {
        case steps, released
        case recoveryMilliseconds = "recovery_ms", recoveryAttempts = "recovery_attempts"
        case connectP99Milliseconds = "connect_p99_ms", firstError = "first_error"
    }
}
