import Testing
import LabStats

@Suite("Stats: quantiles and summaries")
struct StatsDescriptiveTests {
    @Test func medianOfOddAndEvenCounts() {
        #expect(Quantile.median([5, 1, 3]) == 3)
        #expect(Quantile.median([4, 1, 3, 2]) == 2.5)
        #expect(Quantile.median([7]) == 7)
    }

    @Test func percentilesInterpolateBetweenOrderStatistics() {
        // Type 7 (R's default): position p·(n−1) between sorted values.
        let values: [Double] = [10, 20, 30, 40]
        #expect(Quantile.of(values, 0) == 10)
        #expect(Quantile.of(values, 1) == 40)
        #expect(Quantile.of(values, 0.25) == 17.5)
        #expect(abs(Quantile.of(values, 0.9) - 37) < 1e-12)
    }

    @Test func summaryOfKnownSample() throws {
        let summary = try #require(Summary([2, 4, 4, 4, 5, 5, 7, 9]))
        #expect(summary.count == 8)
        #expect(summary.minimum == 2)
        #expect(summary.maximum == 9)
        #expect(summary.mean == 5)
        #expect(summary.median == 4.5)
        // Sample standard deviation: sqrt(32 / 7).
        #expect(abs(summary.standardDeviation! - (32.0 / 7).squareRoot()) < 1e-12)
    }

    @Test func coefficientOfVariationAndNoisyFlag() throws {
        let steady = try #require(Summary([9.9, 10, 10.1]))
        #expect(abs(steady.coefficientOfVariation! - 0.01) < 1e-12)
        #expect(!steady.isNoisy)
        let noisy = try #require(Summary([8, 10, 12]))
        #expect(abs(noisy.coefficientOfVariation! - 0.2) < 1e-12)
        #expect(noisy.isNoisy)
        // Exactly 10% is not "above 10%".
        let boundary = try #require(Summary([9, 10, 11]))
        #expect(abs(boundary.coefficientOfVariation! - 0.1) < 1e-12)
        #expect(!boundary.isNoisy)
    }

    @Test func tinySamplesHaveNoSpreadAndNoSummaryWhenEmpty() throws {
        #expect(Summary([]) == nil)
        let single = try #require(Summary([3.5]))
        #expect(single.median == 3.5)
        #expect(single.standardDeviation == nil)
        #expect(single.coefficientOfVariation == nil)
        #expect(!single.isNoisy)
        #expect(Summary([0, 0])?.coefficientOfVariation == nil, "CV of a zero mean is undefined, not infinite")
    }
}
