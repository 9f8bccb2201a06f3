/// Sample quantiles by linear interpolation between order statistics — Hyndman & Fan's type 7, the
/// default of R and NumPy, so numbers in our reports match what a reader recomputes from summary.csv.
public enum Quantile {
    /// The `p`-quantile (0…1) of values already sorted ascending. Precondition: not empty.
    public static func of(sorted values: [Double], _ p: Double) -> Double {
        precondition(!values.isEmpty, "quantile of an empty sample")
        precondition((0...1).contains(p), "quantile probability \(p) outside 0…1")
        let position = p * Double(values.count - 1)
        let lower = Int(position.rounded(.down))
        let upper = min(lower + 1, values.count - 1)
        let fraction = position - Double(lower)
        return values[lower] + (values[upper] - values[lower]) * fraction
    }

    /// The `p`-quantile of values in any order.
    public static func of(_ values: [Double], _ p: Double) -> Double {
        of(sorted: values.sorted(), p)
    }

    /// The median: the middle value, or the mean of the two middle values.
    public static func median(_ values: [Double]) -> Double {
        of(values, 0.5)
    }
}
