import Yams

/// Reads of the packet-rate workload's own kinds of value: a packet rate and a share between 0 and 1.
extension ValueReader {
    /// A ceiling far above what a veth path forwards (a few Mpps); it only catches typos like "100G".
    static let maximumPacketsPerSecond = 100_000_000

    /// "0" (as fast as possible), "250000", "250k", "2M" (1000-based, as rates are counted) → packets/s.
    func packetsPerSecond(_ node: Node, _ subject: String) -> Int? {
        guard let value = scalar(node, subject, expected: "a packet rate") else { return nil }
        guard let rate = PacketRateText.packetsPerSecond(value.text) else {
            log.error("\(subject) must be 0 (as fast as possible) or packets per second such as 100000, 250k or 1M, "
                      + "got \(value.shown)", at: value.site)
            return nil
        }
        guard rate <= Self.maximumPacketsPerSecond else {
            log.error("\(subject) must be at most 100M (packets/s), got \(excerpt(value.text))", at: value.site)
            return nil
        }
        return rate
    }

    /// A plain decimal number from 0 to 1 ("0", "0.25", "1").
    func share(_ node: Node, _ subject: String) -> Double? {
        guard let value = scalar(node, subject, expected: "a number between 0 and 1") else { return nil }
        guard value.isPlain, let share = PacketRateText.decimal(value.text) else {
            let quotedNumber = PacketRateText.decimal(value.text) != nil ? " (the quotes make it text)" : ""
            log.error("\(subject) must be a number between 0 and 1 such as 0.25, got \(value.shown)\(quotedNumber)",
                      at: value.site)
            return nil
        }
        guard (0...1).contains(share) else {
            log.error("\(subject) must be between 0 and 1, got \(excerpt(value.text))", at: value.site)
            return nil
        }
        return share
    }
}

extension ValueReader {
    /// A plain decimal number in `range` ("0.5", "1.1"): a workload's multiple of a size.
    func number(_ node: Node, _ subject: String, in range: ClosedRange<Double>) -> Double? {
        let bounds = "between \(NumberWords.plain(range.lowerBound)) and \(NumberWords.plain(range.upperBound))"
        guard let value = scalar(node, subject, expected: "a number \(bounds)") else { return nil }
        guard value.isPlain, let number = PacketRateText.decimal(value.text) else {
            let quotedNumber = PacketRateText.decimal(value.text) != nil ? " (the quotes make it text)" : ""
            log.error("\(subject) must be a number \(bounds) such as 0.5, got \(value.shown)\(quotedNumber)", at: value.site)
            return nil
        }
        guard range.contains(number) else {
            log.error("\(subject) must be \(bounds), got \(excerpt(value.text))", at: value.site)
            return nil
        }
        return number
    }
}

/// A bound as a scenario writes it: "4", "0.01".
enum NumberWords {
    static func plain(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(value)
    }
}

/// The text forms behind those reads; nil for text not in the syntax.
enum PacketRateText {
    private static let decimalFactor: [String: Int] = ["": 1, "k": 1_000, "m": 1_000_000]

    static func packetsPerSecond(_ text: String) -> Int? {
        let digits = text.prefix { $0.isASCII && $0.isNumber }
        guard !digits.isEmpty, let factor = decimalFactor[text[digits.endIndex...].lowercased()] else { return nil }
        // Saturate, so the range check reports the text as written instead of "not a rate".
        let (product, overflow) = (Int(digits) ?? Int.max).multipliedReportingOverflow(by: factor)
        return overflow ? Int.max : product
    }

    /// Digits with at most one decimal point ("0.5", ".5", "1"): no sign, exponent, nan or inf.
    static func decimal(_ text: String) -> Double? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count <= 2, parts.contains(where: { !$0.isEmpty }),
              parts.allSatisfy({ $0.allSatisfy { $0.isASCII && $0.isNumber } }) else { return nil }
        return Double(text.first == "." ? "0" + text : text)
    }
}
