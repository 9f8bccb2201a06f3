import LabSystem

/// The steps of the `snat-exhaustion` ramp, decided before any traffic: step k's level is a multiple
/// of the SNAT port range, evenly spaced from `from` to `to`, and the ramp is cumulative — step k opens
/// the connections that bring the total *attempted* so far to round(level × range), holding every one
/// that succeeded. Attempted, not succeeded: a failed connection is a port the NAT could not find, and
/// trying again for it would measure a different curve (the offered load would grow with the failures).
public struct SNATRampPlan: Equatable, Sendable {
    /// One process holds every connection it opened: a bound on descriptors and kernel memory.
    public static let maximumConnections = 200_000

    public let range: Int
    /// Per step, the cumulative attempts as a multiple of `range`.
    public let levels: [Double]
    /// Per step, the connections attempted so far once it ends (non-decreasing).
    public let totals: [Int]

    public init(range: Int, from: Double, to: Double, steps: Int) throws {
        guard range >= 1 else { throw LabFailure("snat-exhaustion: the port range must hold at least 1 port, not \(range)") }
        guard steps >= 1 else { throw LabFailure("snat-exhaustion: steps must be at least 1, not \(steps)") }
        guard from > 0, from <= to else { throw LabFailure("snat-exhaustion: from (\(from)) must be above 0 and at most to (\(to))") }
        let levels = steps == 1 ? [to] : (0..<steps).map { from + (to - from) * Double($0) / Double(steps - 1) }
        let totals = levels.map { Int(($0 * Double(range)).rounded()) }
        guard let top = totals.last, top <= Self.maximumConnections else {
            throw LabFailure("snat-exhaustion: \(to) × \(range) ports is \(totals.last ?? 0) connections, more than the "
                             + "\(Self.maximumConnections) one ramp may hold; lower `to` or the range")
        }
        guard totals[0] >= 1 else {
            throw LabFailure("snat-exhaustion: the first step (\(from) × \(range) ports) rounds to no connection; raise `from` or the range")
        }
        self.range = range
        self.levels = levels
        self.totals = totals
    }

    /// New connections step `k` attempts.
    public func attempts(step k: Int) -> Int { totals[k] - (k == 0 ? 0 : totals[k - 1]) }

    public var stepCount: Int { totals.count }
}
