import Testing
import LabStats

@Suite("Stats: sign-flip test and false discovery rate")
struct StatsPairedTestTests {
    @Test func allPositiveDifferencesGiveTheSmallestPValue() {
        #expect(SignFlipTest.pValueGreater([1, 2, 3]) == 1.0 / 8)
        #expect(SignFlipTest.pValueGreater([0.01, 0.02, 0.015, 0.03, 0.02, 0.01, 0.04, 0.02, 0.01, 0.05]) == 1.0 / 1024)
        #expect(SignFlipTest.smallestPValue(count: 10) == 1.0 / 1024)
    }

    /// Sums over the 8 sign patterns of (1, 2, 3): 6, 4, 2, 0, 0, −2, −4, −6; observed 1 − 2 + 3 = 2.
    @Test func countsPatternsAtLeastAsExtremeIncludingTies() {
        #expect(SignFlipTest.pValueGreater([1, -2, 3]) == 3.0 / 8)
        #expect(SignFlipTest.pValueLess([1, -2, 3]) == 6.0 / 8)
        #expect(SignFlipTest.pValueLess([1, 2, 3]) == 1)
        // Zero differences carry no sign: half the patterns tie the observed sum of zero.
        #expect(SignFlipTest.pValueGreater([0, 0]) == 1)
        #expect(SignFlipTest.pValueGreater([]) == nil)
    }

    @Test func largeSamplesAreSampledReproducibly() {
        let shifted = (0..<24).map { 0.05 + 0.01 * Double($0 % 3) }
        let p = SignFlipTest.pValueGreater(shifted)!
        #expect(p < 1e-4)
        let balanced = (0..<24).map { $0 % 2 == 0 ? 1.0 : -1.0 }
        let q = SignFlipTest.pValueGreater(balanced)!
        #expect(q > 0.5 && q < 0.65)
        #expect(SignFlipTest.pValueGreater(balanced) == q)
    }

    /// R: p.adjust(c(0.01, 0.04, 0.03, 0.005), "BH") = 0.02 0.04 0.04 0.02.
    @Test func benjaminiHochbergMatchesR() {
        let adjusted = FalseDiscoveryRate.adjusted([0.01, 0.04, 0.03, 0.005])
        let expected = [0.02, 0.04, 0.04, 0.02]
        for (a, e) in zip(adjusted, expected) { #expect(abs(a - e) < 1e-12) }
        #expect(FalseDiscoveryRate.adjusted([]) == [])
        #expect(FalseDiscoveryRate.adjusted([0.9, 0.8]) == [0.9, 0.9])
        #expect(FalseDiscoveryRate.adjusted([0.5]) == [0.5])
    }
}
