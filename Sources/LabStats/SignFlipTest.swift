import LabSystem

/// The exact one-sided sign-flip permutation test on paired differences (Fisher's randomisation test
/// for paired data; Good, "Permutation, Parametric and Bootstrap Tests of Hypotheses", §3.6.2).
/// Under "no effect" each round's difference is as likely to be +d as −d, so the 2^n sign patterns
/// are equally likely; the p-value is the share of patterns whose sum is at least the observed one.
///
/// Why this test: it is exact for any n (no normality, no large-sample approximation, which five to
/// ten rounds cannot support), it uses the sizes of the differences and not only their signs (unlike
/// the sign test), and its smallest attainable p-value, 1/2^n, says honestly how much n rounds can prove.
public enum SignFlipTest {
    /// Up to this many differences every pattern is enumerated (2^20 ≈ 10⁶ sums); above it a seeded
    /// Monte Carlo sample of patterns is drawn, so results stay reproducible.
    public static let exactLimit = 20
    static let monteCarloDraws = 200_000

    /// P(sum ≥ observed sum) under random signs: small when the differences are mostly positive.
    /// nil for an empty sample (nothing to test).
    public static func pValueGreater(_ differences: [Double], seed: UInt64 = 0x5EED) -> Double? {
        guard !differences.isEmpty else { return nil }
        let observed = differences.reduce(0, +)
        let sizes = differences.map { abs($0) }
        // Sums equal to the observed one count as "at least as extreme"; a relative tolerance keeps
        // floating-point rounding of a reordered sum from breaking such ties.
        let tolerance = 1e-9 * max(sizes.reduce(0, +), .leastNormalMagnitude)
        if sizes.count <= exactLimit {
            return exact(sizes: sizes, atLeast: observed - tolerance)
        }
        return sampled(sizes: sizes, atLeast: observed - tolerance, seed: seed)
    }

    /// P(sum ≤ observed sum): small when the differences are mostly negative.
    public static func pValueLess(_ differences: [Double], seed: UInt64 = 0x5EED) -> Double? {
        pValueGreater(differences.map { -$0 }, seed: seed)
    }

    /// The smallest one-sided p-value n differences can give: every round in the same direction.
    public static func smallestPValue(count: Int) -> Double {
        count > 1000 ? 0 : 1 / Double(1 << min(count, 62))
    }

    /// Walks the patterns in Gray-code order, so each next sum differs from the last by one flip.
    private static func exact(sizes: [Double], atLeast bound: Double) -> Double {
        let n = sizes.count
        let total = 1 << n
        var sum = -sizes.reduce(0, +)  // every sign negative
        var positive = Array(repeating: false, count: n)
        var count = sum >= bound ? 1 : 0
        for step in 1..<total {
            let bit = step.trailingZeroBitCount
            sum += positive[bit] ? -2 * sizes[bit] : 2 * sizes[bit]
            positive[bit].toggle()
            if sum >= bound { count += 1 }
        }
        return Double(count) / Double(total)
    }

    /// (1 + hits) / (1 + draws): never 0, as a sampled p-value must not be.
    private static func sampled(sizes: [Double], atLeast bound: Double, seed: UInt64) -> Double {
        var random = SplitMix64(seed: seed)
        var hits = 0
        for _ in 0..<monteCarloDraws {
            var sum = 0.0
            var bits = random.next()
            for (index, size) in sizes.enumerated() {
                if index % 64 == 0, index > 0 { bits = random.next() }
                sum += bits & (1 << UInt64(index % 64)) != 0 ? size : -size
            }
            if sum >= bound { hits += 1 }
        }
        return Double(hits + 1) / Double(monteCarloDraws + 1)
    }
}
