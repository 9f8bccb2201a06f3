import Foundation
import LabStats
import LabSystem
import Testing

@Suite struct ChiSquareTestTests {
    /// `draws` samples from `shares` (cumulative lookup), by a seeded generator.
    static func draw(_ draws: Int, shares: [Double], seed: UInt64) -> [Int] {
        var random = SplitMix64(seed: seed)
        let total = shares.reduce(0, +)
        var counts = Array(repeating: 0, count: shares.count)
        for _ in 0..<draws {
            var u = Double(random.next() >> 11) / Double(1 << 53) * total
            var bin = 0
            while bin < shares.count - 1, u >= shares[bin] { u -= shares[bin]; bin += 1 }
            counts[bin] += 1
        }
        return counts
    }

    @Test func textbookCriticalValuesGiveTheirPValues() {
        // Upper 5% and 1% points of the χ² distribution (any statistics table, e.g. NIST/SEMATECH 1.3.6.7.4).
        let table: [(statistic: Double, df: Int, p: Double)] = [
            (3.841459, 1, 0.05), (6.634897, 1, 0.01), (5.991465, 2, 0.05), (11.070498, 5, 0.05),
            (15.086272, 5, 0.01), (18.307038, 10, 0.05), (23.209251, 10, 0.01), (124.342113, 100, 0.05),
        ]
        for row in table {
            let p = ChiSquareTest.pValue(statistic: row.statistic, degreesOfFreedom: row.df)
            #expect(abs(p - row.p) < 1e-6, "χ²=\(row.statistic), df=\(row.df): p=\(p), expected \(row.p)")
        }
    }

    @Test func pValuesMatchTheClosedFormsForOneAndTwoDegreesOfFreedom() {
        // df = 1: P(χ² ≥ x) = erfc(√(x/2)); df = 2: P(χ² ≥ x) = e^(−x/2). Both branches of Q (series
        // below a + 1, continued fraction above) are crossed on this grid.
        for x in stride(from: 0.01, through: 60, by: 0.37) {
            let one = ChiSquareTest.pValue(statistic: x, degreesOfFreedom: 1)
            let two = ChiSquareTest.pValue(statistic: x, degreesOfFreedom: 2)
            #expect(abs(one - erfc(sqrt(x / 2))) <= 1e-12 + 1e-9 * erfc(sqrt(x / 2)), "df 1 at \(x)")
            #expect(abs(two - exp(-x / 2)) <= 1e-12 + 1e-9 * exp(-x / 2), "df 2 at \(x)")
        }
        #expect(ChiSquareTest.pValue(statistic: 0, degreesOfFreedom: 4) == 1)
    }

    @Test func incompleteGammaHalvesAddUpToOne() {
        for a in [0.5, 1, 2.5, 10, 50, 500] {
            for x in [0.1, 1, a, a + 1, 2 * a, 5 * a] {
                let sum = IncompleteGamma.lowerRegularized(a: a, x: x) + IncompleteGamma.upperRegularized(a: a, x: x)
                #expect(abs(sum - 1) < 1e-12, "a=\(a), x=\(x)")
            }
        }
    }

    @Test func uniformDrawsPassAtOnePercent() throws {
        let counts = Self.draw(20_000, shares: Array(repeating: 1, count: 10), seed: 7)
        let test = try ChiSquareTest(observed: counts)
        #expect(test.degreesOfFreedom == 9)
        #expect(test.passes(significance: 0.01), "\(test)")
    }

    @Test func theTestRejectsAFairSpreadAboutAsOftenAsItsSignificance() throws {
        // Calibration: over 400 seeded fair samples, a 5% test must reject roughly 5% of them
        // (binomial sd ≈ 1.1%, so 2%–9% holds with a wide margin) — a wrong p-value would show here.
        var rejected = 0
        for seed in 0..<400 {
            let test = try ChiSquareTest(observed: Self.draw(1_000, shares: [1, 1, 1, 1, 1], seed: UInt64(seed)))
            if !test.passes(significance: 0.05) { rejected += 1 }
        }
        #expect((8...36).contains(rejected), "rejected \(rejected) of 400")
    }

    @Test func aClearlySkewedSpreadFails() throws {
        // One endpoint of ten gets 20% more, one 20% less: a biased balancer, 10k connections.
        let test = try ChiSquareTest(observed: [1200, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 800])
        #expect(abs(test.statistic - 80) < 1e-9)
        #expect(!test.passes(significance: 0.01))
        #expect(test.pValue < 1e-12)
        let skewedDraws = Self.draw(10_000, shares: [1.2, 1, 1, 0.8], seed: 3)
        #expect(!(try ChiSquareTest(observed: skewedDraws)).passes(significance: 0.01))
    }

    @Test func givenSharesAreTestedAgainstThemselvesNotUniform() throws {
        let shares = [0.5, 0.25, 0.25]
        let counts = Self.draw(8_000, shares: shares, seed: 11)
        #expect(try ChiSquareTest(observed: counts, expectedShares: shares).passes(significance: 0.01))
        #expect(!(try ChiSquareTest(observed: counts)).passes(significance: 0.01))
        // Shares are normalised: weights 2:1:1 mean the same.
        #expect(try ChiSquareTest(observed: counts, expectedShares: [2, 1, 1]).statistic
            == ChiSquareTest(observed: counts, expectedShares: shares).statistic)
    }

    @Test func smallExpectedCountsAndBadInputAreRefusedWithAReason() {
        #expect(throws: ChiSquareTest.InputError.expectedCountTooSmall(bin: 0, expected: 4.5)) {
            try ChiSquareTest(observed: [5, 4])
        }
        #expect(ChiSquareTest.InputError.expectedCountTooSmall(bin: 0, expected: 4.5).description
            == "bin 0 expects 4.5 counts, below the chi-square test's minimum of 5: draw more samples")
        #expect(throws: ChiSquareTest.InputError.tooFewBins(1)) { try ChiSquareTest(observed: [100]) }
        #expect(throws: ChiSquareTest.InputError.binCountMismatch(observed: 2, expected: 3)) {
            try ChiSquareTest(observed: [50, 50], expectedShares: [1, 1, 1])
        }
        #expect(throws: ChiSquareTest.InputError.invalidShares) { try ChiSquareTest(observed: [50, 50], expectedShares: [1, 0]) }
        // Exactly 5 expected per bin is enough.
        #expect(throws: Never.self) { try ChiSquareTest(observed: [5, 5]) }
    }
}
