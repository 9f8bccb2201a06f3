/// Descriptive statistics of one metric's counted samples.
public struct Summary: Sendable, Equatable {
    /// A case whose coefficient of variation exceeds this is flagged noisy (DESIGN.md, "Statistics").
    public static let noisyThreshold = 0.10

    public let count: Int
    public let minimum: Double
    public let maximum: Double
    public let mean: Double
    public let median: Double
    /// Sample standard deviation (n − 1 denominator); nil for a single sample.
    public let standardDeviation: Double?

    /// nil for an empty sample: there is nothing to summarise, and a zero would be a lie.
    public init?(_ values: [Double]) {
        guard !values.isEmpty else { return nil }
        let sorted = values.sorted()
        count = sorted.count
        minimum = sorted[0]
        maximum = sorted[sorted.count - 1]
        mean = sorted.reduce(0, +) / Double(sorted.count)
        median = Quantile.of(sorted: sorted, 0.5)
        if sorted.count > 1 {
            let mean = self.mean
            let squares = sorted.reduce(0) { $0 + ($1 - mean) * ($1 - mean) }
            standardDeviation = (squares / Double(sorted.count - 1)).squareRoot()
        } else {
            standardDeviation = nil
        }
    }

    /// Standard deviation over |mean|; nil when undefined (one sample, or a mean of zero).
    public var coefficientOfVariation: Double? {
        guard let standardDeviation, mean != 0 else { return nil }
        return standardDeviation / abs(mean)
    }

    public var isNoisy: Bool {
        (coefficientOfVariation ?? 0) > Summary.noisyThreshold
    }
}
