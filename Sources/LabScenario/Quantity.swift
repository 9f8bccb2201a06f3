/// The unit-suffixed numbers scenario files use. Each parser returns nil for text that is not in its
/// syntax; a number too large for the machine saturates, so range checks reject it with the text as
/// written rather than failing as "not a number".
enum Quantity {
    /// "5s", "500ms", "2m", or a bare integer meaning seconds → milliseconds.
    static func milliseconds(_ text: String) -> Int? {
        guard let (number, unit) = split(text) else { return nil }
        switch unit {
        case "", "s": return saturatingProduct(number, 1000)
        case "ms": return number
        case "m": return saturatingProduct(number, 60_000)
        default: return nil
        }
    }

    /// "64", "128K", "1M", "1G" (1024-based, suffix in either case) → bytes.
    static func bytes(_ text: String) -> Int? {
        guard let (number, unit) = split(text), let shift = binaryShift[unit.lowercased()] else { return nil }
        return saturatingProduct(number, 1 << shift)
    }

    /// "0" (unlimited), "100k", "500M", "10G" (1000-based, as iperf3 counts bit rates) → bit/s.
    static func bitsPerSecond(_ text: String) -> Int? {
        guard let (number, unit) = split(text), let factor = decimalFactor[unit.lowercased()] else { return nil }
        return saturatingProduct(number, factor)
    }

    private static let binaryShift: [String: Int] = ["": 0, "k": 10, "m": 20, "g": 30]
    private static let decimalFactor: [String: Int] = ["": 1, "k": 1_000, "m": 1_000_000, "g": 1_000_000_000]

    /// Leading decimal digits and the suffix after them; nil without digits.
    private static func split(_ text: String) -> (Int, String)? {
        let digits = text.prefix { $0.isASCII && $0.isNumber }
        guard !digits.isEmpty else { return nil }
        return (Int(digits) ?? Int.max, String(text[digits.endIndex...]))
    }

    private static func saturatingProduct(_ a: Int, _ b: Int) -> Int {
        let (product, overflow) = a.multipliedReportingOverflow(by: b)
        return overflow ? Int.max : product
    }

    /// 1048576 → "1M", 65507 → "65507": sizes in messages, in the file's own syntax where exact.
    static func formatBytes(_ bytes: Int) -> String {
        for (suffix, shift) in [("G", 30), ("M", 20), ("K", 10)] where bytes >= 1 << shift && bytes % (1 << shift) == 0 {
            return "\(bytes >> shift)\(suffix)"
        }
        return "\(bytes)"
    }

    /// 100 → "100ms", 600000 → "600s".
    static func formatMilliseconds(_ milliseconds: Int) -> String {
        milliseconds % 1000 == 0 ? "\(milliseconds / 1000)s" : "\(milliseconds)ms"
    }
}
