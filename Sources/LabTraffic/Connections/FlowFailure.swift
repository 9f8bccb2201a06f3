#if canImport(Glibc)
import Glibc
#endif

/// Why a short connection or a long-lived flow failed, as the connection workloads count it.
public enum FlowFailure: String, Codable, Sendable, CaseIterable, Comparable {
    /// RST in answer to the SYN, or ICMP port unreachable for UDP.
    case refused
    /// RST (or the peer's close) on an open connection.
    case reset
    /// No SYN-ACK within the connect bound.
    case connectTimeout = "connect_timeout"
    /// No reply within the reply bound.
    case replyTimeout = "reply_timeout"
    /// The kernel gave up on the connection (ETIMEDOUT: retransmissions unanswered).
    case timeout
    /// Anything else (no route, no free port), with the first such error in the report.
    case other

    /// The failure an errno from connect, send or receive stands for.
    public static func from(errno code: Int32, connecting: Bool) -> FlowFailure {
        switch code {
        case ECONNREFUSED: return .refused
        case ECONNRESET, EPIPE, ECONNABORTED: return .reset
        case ETIMEDOUT: return connecting ? .connectTimeout : .timeout
        default: return .other
        }
    }

    public static func < (a: FlowFailure, b: FlowFailure) -> Bool { a.rawValue < b.rawValue }
}

/// Failures by reason, every reason present (0 when none), so reports and metrics have fixed keys.
public struct FailureCounts: Codable, Sendable, Equatable {
    public private(set) var counts: [String: Int]

    public init() { counts = Dictionary(uniqueKeysWithValues: FlowFailure.allCases.map { ($0.rawValue, 0) }) }

    public mutating func add(_ failure: FlowFailure, count: Int = 1) { counts[failure.rawValue, default: 0] += count }

    public subscript(_ failure: FlowFailure) -> Int { counts[failure.rawValue] ?? 0 }

    public var total: Int { counts.values.reduce(0, +) }

    public init(from decoder: any Decoder) throws { counts = try decoder.singleValueContainer().decode([String: Int].self) }
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(counts)
    }
}
