import Foundation

/// HdrHistogram's percentile axis: x = log10(1 / (1 − p)), so 90%, 99%, 99.9% and 99.99% are one
/// decade apart and the tail gets as much room as the median. 100% (the maximum) lies at infinity
/// and is left off the plot.
enum PercentileAxis {
    /// Tick labels and positions: "50%" at 0.30, "90%" at 1, "99%" at 2, …
    static let ticks: [(label: String, percentile: Double)] = [
        ("0%", 0), ("50%", 50), ("90%", 90), ("99%", 99), ("99.9%", 99.9), ("99.99%", 99.99),
    ]

    /// nil for 100% and above, which the axis cannot place.
    static func x(percentile: Double) -> Double? {
        guard percentile >= 0, percentile < 100 else { return nil }
        return log10(1 / (1 - percentile / 100))
    }
}
