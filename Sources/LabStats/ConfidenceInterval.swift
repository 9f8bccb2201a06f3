/// A two-sided confidence interval, e.g. 95% [low, high].
public struct ConfidenceInterval: Sendable, Equatable, Codable {
    public let low: Double
    public let high: Double
    /// Nominal coverage, 0…1 (0.95 for a 95% interval).
    public let level: Double

    public init(low: Double, high: Double, level: Double) {
        precondition(low <= high, "confidence interval with low \(low) > high \(high)")
        self.low = low
        self.high = high
        self.level = level
    }

    public func contains(_ value: Double) -> Bool {
        low <= value && value <= high
    }

    /// Whether the two intervals share at least one point: `compare` calls a change noise when they do.
    public func overlaps(_ other: ConfidenceInterval) -> Bool {
        low <= other.high && other.low <= high
    }
}
