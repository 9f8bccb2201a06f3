/// Benjamini–Hochberg control of the false discovery rate over a family of tests (Benjamini &
/// Hochberg 1995, step-up procedure). A gate that tests dozens of comparisons at 5% each would flag
/// something on most unchanged builds; BH keeps the expected share of false flags among all flags at
/// q, and when nothing changed (every null true) it keeps the chance of any flag at q as well.
public enum FalseDiscoveryRate {
    /// BH-adjusted p-values, in the input order: p_(i) · m / i, made monotone from the largest down
    /// and capped at 1. A test is a discovery at level q when its adjusted value is ≤ q.
    public static func adjusted(_ pValues: [Double]) -> [Double] {
        let m = pValues.count
        guard m > 0 else { return [] }
        let order = pValues.indices.sorted { pValues[$0] < pValues[$1] }
        var adjusted = Array(repeating: 1.0, count: m)
        var running = 1.0
        for rank in stride(from: m, through: 1, by: -1) {
            let index = order[rank - 1]
            running = min(running, pValues[index] * Double(m) / Double(rank))
            adjusted[index] = min(1, running)
        }
        return adjusted
    }
}
