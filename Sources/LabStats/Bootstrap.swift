import LabSystem
/// Percentile bootstrap (Efron & Tibshirani, "An Introduction to the Bootstrap", ch. 13): resample with
/// replacement, recompute the statistic, and take the α/2 and 1 − α/2 quantiles of the resampled
/// statistics. Seeded, so the same samples always give the same interval and reports are
/// byte-for-byte reproducible.
public struct Bootstrap: Sendable {
    /// Fewer samples than this get no interval. With one sample every resample is that sample, and
    /// with two the "interval" is just the pair: either would be a fake interval, not an estimate.
    public static let minimumSampleCount = 3

    public var resamples: Int
    public var level: Double
    public var seed: UInt64

    public init(seed: UInt64, resamples: Int = 2000, level: Double = 0.95) {
        precondition(resamples > 0, "bootstrap needs at least one resample")
        precondition(level > 0 && level < 1, "confidence level \(level) outside (0, 1)")
        self.seed = seed
        self.resamples = resamples
        self.level = level
    }

    /// The interval of the median, or nil when there are too few samples.
    public func medianInterval(_ values: [Double]) -> ConfidenceInterval? {
        guard values.count >= Bootstrap.minimumSampleCount else { return nil }
        var random = SplitMix64(seed: seed)
        var resample = Resample(values)
        var medians: [Double] = []
        medians.reserveCapacity(resamples)
        for _ in 0..<resamples {
            medians.append(resample.median(using: &random))
        }
        return interval(of: &medians)
    }

    /// The interval of median(numerator) / median(denominator), resampling each side independently
    /// (they are separate cases, measured in separate repeats). nil with too few samples on either
    /// side, a zero denominator median, or an unbounded interval (a resampled denominator of zero).
    public func ratioOfMediansInterval(numerator: [Double], denominator: [Double]) -> ConfidenceInterval? {
        guard numerator.count >= Bootstrap.minimumSampleCount, denominator.count >= Bootstrap.minimumSampleCount,
              Quantile.median(denominator) != 0 else { return nil }
        var random = SplitMix64(seed: seed)
        var top = Resample(numerator)
        var bottom = Resample(denominator)
        var ratios: [Double] = []
        ratios.reserveCapacity(resamples)
        for _ in 0..<resamples {
            let n = top.median(using: &random)
            let d = bottom.median(using: &random)
            ratios.append(d == 0 ? .infinity : n / d)
        }
        return interval(of: &ratios)
    }

    private func interval(of statistics: inout [Double]) -> ConfidenceInterval? {
        statistics.sort()
        let alpha = 1 - level
        let low = Quantile.of(sorted: statistics, alpha / 2)
        let high = Quantile.of(sorted: statistics, 1 - alpha / 2)
        guard low.isFinite, high.isFinite else { return nil }
        return ConfidenceInterval(low: low, high: high, level: level)
    }
}

/// Draws resamples of one sample and returns their medians without sorting each resample: the sample
/// is sorted once, a resample is just how many times each sorted value was drawn, and its median is
/// found by walking those counts. O(n) per resample instead of O(n log n), which keeps the coverage
/// tests (a million resamples) fast even in debug builds.
private struct Resample {
    private let sorted: [Double]
    private var counts: [Int]

    init(_ values: [Double]) {
        sorted = values.sorted()
        counts = Array(repeating: 0, count: values.count)
    }

    /// Same definition as `Quantile.median`: the mean of the order statistics at (n−1)/2 and n/2.
    mutating func median(using random: inout SplitMix64) -> Double {
        let n = sorted.count
        let bound = UInt64(n)
        // Unsafe buffer: this loop runs millions of times in the coverage tests, and bounds-checked
        // array access dominates it in debug builds. Indices are < n by construction. Plain modulo:
        // its bias is n / 2^64, far below anything a bootstrap can notice, and it never changes
        // between toolchains, unlike `Int.random(in:using:)`.
        return counts.withUnsafeMutableBufferPointer { counts in
            counts.update(repeating: 0)
            for _ in 0..<n { counts[Int(random.next() % bound)] += 1 }
            let lowRank = (n - 1) / 2, highRank = n / 2
            var seen = 0
            var low = sorted[n - 1]
            for index in 0..<n {
                seen += counts[index]
                if seen > lowRank { low = sorted[index]; break }
            }
            seen = 0
            for index in 0..<n {
                seen += counts[index]
                if seen > highRank { return (low + sorted[index]) / 2 }
            }
            return (low + sorted[n - 1]) / 2
        }
    }
}
