/// Outcomes of short connections per 100 ms slice of a churn, by when each attempt ended: what a
/// phase needs to see a table fill up (successes giving way to failures) and recover after a flood.
public struct OutcomeTimeline: Codable, Sendable, Equatable {
    public static let sliceNanoseconds: UInt64 = 100_000_000

    /// Per slice from the churn's start: attempts that completed their request/response, and that failed.
    public private(set) var succeeded: [Int] = []
    public private(set) var failed: [Int] = []

    public init() {}

    /// Adds another client's timeline slice by slice.
    mutating func add(_ other: OutcomeTimeline) {
        while succeeded.count < other.succeeded.count {
            succeeded.append(0)
            failed.append(0)
        }
        for slice in other.succeeded.indices {
            succeeded[slice] += other.succeeded[slice]
            failed[slice] += other.failed[slice]
        }
    }

    mutating func record(success: Bool, atNanoseconds elapsed: UInt64) {
        let slice = Int(elapsed / Self.sliceNanoseconds)
        while succeeded.count <= slice {
            succeeded.append(0)
            failed.append(0)
        }
        if success { succeeded[slice] += 1 } else { failed[slice] += 1 }
    }

    /// Seconds from the start to the first slice after the last one with a failure in which attempts
    /// succeeded again and none failed; nil when no attempt failed or the churn never recovered.
    public var recoverySeconds: Double? {
        guard let lastFailure = failed.lastIndex(where: { $0 > 0 }) else { return nil }
        guard let clean = (lastFailure + 1..<succeeded.count).first(where: { succeeded[$0] > 0 && failed[$0] == 0 }) else { return nil }
        return Double(clean) * Double(Self.sliceNanoseconds) / 1e9
    }
}
