/// Pearson's chi-square goodness-of-fit test: do observed counts per bin (connections per endpoint)
/// fit the expected shares (uniform, for a load balancer)? statistic = Σ (O − E)² / E over k bins,
/// compared with the χ² distribution with k − 1 degrees of freedom; the p-value is Q((k−1)/2, χ²/2).
///
/// The χ² approximation is poor when a bin expects few counts; the usual rule (Cochran 1954) asks for
/// at least 5 expected per bin, and the test refuses below it rather than give a p-value it cannot
/// stand behind — draw more connections instead.
public struct ChiSquareTest: Hashable, Sendable, CustomStringConvertible {
    public static let minimumExpectedCount = 5.0

    public let statistic: Double
    public let degreesOfFreedom: Int
    /// P(χ² ≥ statistic) if the counts came from the expected shares.
    public let pValue: Double

    public enum InputError: Error, Hashable, Sendable, CustomStringConvertible {
        case tooFewBins(Int)
        case binCountMismatch(observed: Int, expected: Int)
        case invalidShares
        case expectedCountTooSmall(bin: Int, expected: Double)

        public var description: String {
            switch self {
            case .tooFewBins(let count):
                return "a chi-square test needs at least 2 bins (got \(count))"
            case .binCountMismatch(let observed, let expected):
                return "\(observed) observed bins but \(expected) expected shares"
            case .invalidShares:
                return "expected shares must be positive and finite"
            case .expectedCountTooSmall(let bin, let expected):
                return "bin \(bin) expects \(formatted(expected)) counts, below the chi-square test's minimum of 5: draw more samples"
            }
        }

        private func formatted(_ value: Double) -> String {
            let rounded = (value * 100).rounded() / 100
            return rounded == rounded.rounded() ? String(Int(rounded)) : String(rounded)
        }
    }

    /// Against the uniform distribution: every bin equally likely.
    public init(observed: [Int]) throws(InputError) {
        try self.init(observed: observed, expectedShares: Array(repeating: 1, count: observed.count))
    }

    /// Against `expectedShares`, one per bin; they need not sum to 1 (they are normalised).
    public init(observed: [Int], expectedShares: [Double]) throws(InputError) {
        guard observed.count >= 2 else { throw .tooFewBins(observed.count) }
        guard expectedShares.count == observed.count else {
            throw .binCountMismatch(observed: observed.count, expected: expectedShares.count)
        }
        guard expectedShares.allSatisfy({ $0 > 0 && $0.isFinite }) else { throw .invalidShares }
        let total = Double(observed.reduce(0, +))
        let shareSum = expectedShares.reduce(0, +)
        var statistic = 0.0
        for (bin, (count, share)) in zip(observed, expectedShares).enumerated() {
            let expected = total * share / shareSum
            guard expected >= Self.minimumExpectedCount else { throw .expectedCountTooSmall(bin: bin, expected: expected) }
            let difference = Double(count) - expected
            statistic += difference * difference / expected
        }
        self.statistic = statistic
        degreesOfFreedom = observed.count - 1
        pValue = Self.pValue(statistic: statistic, degreesOfFreedom: degreesOfFreedom)
    }

    /// P(χ²_df ≥ statistic).
    public static func pValue(statistic: Double, degreesOfFreedom: Int) -> Double {
        precondition(degreesOfFreedom > 0 && statistic >= 0, "χ² p-value needs df > 0 and a statistic ≥ 0")
        return IncompleteGamma.upperRegularized(a: Double(degreesOfFreedom) / 2, x: statistic / 2)
    }

    /// The counts are consistent with the expected shares at this significance level: the test does
    /// not reject (p ≥ significance). A level of 0.01 fails a fair balancer one run in a hundred.
    public func passes(significance: Double) -> Bool { pValue >= significance }

    public var description: String {
        "χ² = \(statistic), df = \(degreesOfFreedom), p = \(pValue)"
    }
}
