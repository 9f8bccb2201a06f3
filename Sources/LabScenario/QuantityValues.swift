import Yams

/// Reads of durations, sizes and bit rates, checked against a range and reported in the file's
/// own units ("must be between 100ms and 600s, got 50ms").
extension ValueReader {
    func milliseconds(_ node: Node, _ subject: String, in range: ClosedRange<Int>, wholeSeconds: Bool = false) -> Int? {
        guard let value = scalar(node, subject, expected: "a duration") else { return nil }
        guard let milliseconds = Quantity.milliseconds(value.text) else {
            log.error("\(subject) must be a duration such as 5s, 500ms or 2m, got \(value.shown)", at: value.site)
            return nil
        }
        if wholeSeconds && milliseconds % 1000 != 0 {
            log.error("\(subject) must be whole seconds for throughput (iperf3 counts in seconds), got \(excerpt(value.text))", at: value.site)
            return nil
        }
        guard range.contains(milliseconds) else {
            let bounds = "\(Quantity.formatMilliseconds(range.lowerBound)) and \(Quantity.formatMilliseconds(range.upperBound))"
            log.error("\(subject) must be between \(bounds), got \(excerpt(value.text))", at: value.site)
            return nil
        }
        return milliseconds
    }

    func bytes(_ node: Node, _ subject: String, in range: ClosedRange<Int>) -> (bytes: Int, value: ScalarValue)? {
        guard let value = scalar(node, subject, expected: "a size") else { return nil }
        guard let bytes = Quantity.bytes(value.text) else {
            log.error("\(subject) must be a size in bytes such as 64, 128K or 1M, got \(value.shown)", at: value.site)
            return nil
        }
        guard range.contains(bytes) else {
            let bounds = "\(Quantity.formatBytes(range.lowerBound)) and \(Quantity.formatBytes(range.upperBound))"
            log.error("\(subject) must be between \(bounds) bytes, got \(excerpt(value.text))", at: value.site)
            return nil
        }
        return (bytes, value)
    }

    /// A ceiling far above anything a veth pair carries; it only catches typos like "10000G".
    static let maximumBitsPerSecond = 1_000_000_000_000

    func bitsPerSecond(_ node: Node, _ subject: String) -> Int? {
        guard let value = scalar(node, subject, expected: "a bit rate") else { return nil }
        guard let rate = Quantity.bitsPerSecond(value.text) else {
            log.error("\(subject) must be 0 (unlimited) or a bit rate such as 10G, 500M or 100k, got \(value.shown)",
                      at: value.site)
            return nil
        }
        guard rate <= Self.maximumBitsPerSecond else {
            log.error("\(subject) must be at most 1000G (bit/s), got \(excerpt(value.text))", at: value.site)
            return nil
        }
        return rate
    }
}
