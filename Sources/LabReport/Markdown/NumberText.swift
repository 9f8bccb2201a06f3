import Foundation
import LabStats

/// Number formatting for people (report.md, compare tables). Fixed rules, no locale: the same number
/// prints the same everywhere, which golden files and byte-identical rebuilds depend on.
public enum NumberText {
    /// Three significant figures below 1000 (9.41, 0.0312, 127), whole numbers above (12873): enough to
    /// read a benchmark, not so many that noise looks like precision.
    public static func value(_ x: Double) -> String {
        guard x.isFinite else { return x.isNaN ? "nan" : (x > 0 ? "inf" : "-inf") }
        if x == 0 { return "0" }
        let magnitude = abs(x)
        if magnitude >= 1000 { return String(format: "%.0f", x) }
        let decimals = min(9, max(0, 2 - Int(log10(magnitude).rounded(.down))))
        return String(format: "%.\(decimals)f", x)
    }

    /// An event count: whole when whole ("3"), else one decimal (a median of an even count, "2.5").
    public static func count(_ x: Double) -> String {
        guard x.isFinite else { return value(x) }
        return x == x.rounded() ? String(format: "%.0f", x) : String(format: "%.1f", x)
    }

    /// "0.97×": two decimals, or three significant figures for small ratios.
    public static func ratio(_ x: Double) -> String {
        guard x.isFinite, abs(x) >= 0.1, abs(x) < 1000 else { return value(x) + "×" }
        return String(format: "%.2f×", x)
    }

    /// "9.41 [9.32, 9.47]".
    public static func withInterval(_ x: Double, _ interval: ConfidenceInterval?, format: (Double) -> String = value) -> String {
        guard let interval else { return format(x) }
        return "\(format(x)) [\(format(interval.low)), \(format(interval.high))]"
    }

    /// "0.97× [0.95, 0.99]".
    public static func ratioWithInterval(_ x: Double, _ interval: ConfidenceInterval?) -> String {
        guard let interval else { return ratio(x) }
        return "\(ratio(x)) [\(ratioBound(interval.low)), \(ratioBound(interval.high))]"
    }

    /// "+4.1%", "−17.5%" (a real minus sign, as tables align it better than a hyphen).
    public static func percentChange(_ fraction: Double) -> String {
        guard fraction.isFinite else { return fraction > 0 ? "+inf" : "−inf" }
        let text = String(format: "%.1f%%", abs(fraction) * 100)
        if text == "0.0%" { return "±0.0%" }
        return (fraction < 0 ? "−" : "+") + text
    }

    /// "15.6 GiB".
    public static func bytes(_ count: UInt64) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB"]
        var amount = Double(count)
        var unit = 0
        while amount >= 1024, unit < units.count - 1 {
            amount /= 1024
            unit += 1
        }
        return unit == 0 ? "\(count) B" : String(format: "%.1f ", amount) + units[unit]
    }

    /// Machine-readable: Swift's shortest round-trip representation ("9.41", "1e-05", "10000.0").
    public static func exact(_ x: Double) -> String {
        guard x.isFinite else { return x.isNaN ? "nan" : (x > 0 ? "inf" : "-inf") }
        return "\(x)"
    }

    private static func ratioBound(_ x: Double) -> String {
        String(ratio(x).dropLast())
    }
}
