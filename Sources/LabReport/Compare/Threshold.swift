/// The relative change `compare` tolerates, as a fraction (0.05 for 5%).
public enum Threshold {
    public static let defaultText = "5%"

    /// "5%", "5" and "2.5%" all mean percent; a bare number is read as percent too, since "0.05"
    /// meaning 5% and "5" meaning 5% cannot both hold. 0 is allowed: gate on the CIs alone.
    public static func parse(_ text: String) throws -> Double {
        let trimmed = text.hasSuffix("%") ? String(text.dropLast()) : text
        guard let percent = Double(trimmed), percent.isFinite, percent >= 0, percent < 1000 else {
            throw CompareError.badThreshold(text)
        }
        return percent / 100
    }
}
