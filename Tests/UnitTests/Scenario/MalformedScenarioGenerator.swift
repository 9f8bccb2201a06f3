import Foundation
import LabSystem

/// Malformed scenarios of every kind that once hung, stalled or misled the validator (issue 13),
/// drawn from a seed: the same seed gives the same bytes, so a failure is reproduced by its seed.
struct MalformedScenarioGenerator {
    enum Kind: String, CaseIterable {
        case aliasBomb, repeatedKeys, repeatedKeyPerRule, explicitRules, unclosedQuote, notUTF8, deepNesting, flowPlaceholder, longValue
    }

    var random: SplitMix64

    init(seed: UInt64) { random = SplitMix64(seed: seed) }

    private static let header = "name: fuzz\ndescription: A generated malformed scenario.\nbackends: [none, nftables]\n"
    private static let workloads = "workloads:\n  - type: throughput\n    protocol: tcp\n    duration: 1s\n"

    mutating func file(_ kind: Kind) -> Data {
        switch kind {
        case .aliasBomb: return Data(aliasBomb().utf8)
        case .repeatedKeys: return Data(repeatedKeys().utf8)
        case .repeatedKeyPerRule: return Data(repeatedKeyPerRule().utf8)
        case .explicitRules: return Data(explicitRules().utf8)
        case .unclosedQuote: return Data(unclosedQuote().utf8)
        case .notUTF8: return notUTF8()
        case .deepNesting: return Data(deepNesting().utf8)
        case .flowPlaceholder: return Data(flowPlaceholder().utf8)
        case .longValue: return Data(longValue().utf8)
        }
    }

    private mutating func int(_ range: ClosedRange<Int>) -> Int { Int.random(in: range, using: &random) }

    /// Nested aliases, each level repeating the one below 5 to 12 times, 8 to 12 levels deep.
    private mutating func aliasBomb() -> String {
        let width = int(5...12)
        let levels = int(8...12)
        var text = Self.header + "parameters:\n  x: [1]\n"
        text += "a0: &a0 [" + Array(repeating: "\"${x}\"", count: width).joined(separator: ", ") + "]\n"
        for level in 1...levels {
            text += "a\(level): &a\(level) [" + Array(repeating: "*a\(level - 1)", count: width).joined(separator: ",") + "]\n"
        }
        let section = ["workloads", "policy", "backends"][int(0...2)]
        return text + "\(section): *a\(levels)\n"
    }

    /// One key repeated hundreds to thousands of times in one mapping, sometimes beside look-alikes.
    private mutating func repeatedKeys() -> String {
        let key = ["default", "rules", "count", "x", "warmup"][int(0...4)]
        var text = Self.header + Self.workloads + "policy:\n"
        for index in 0..<int(300...3000) {
            text += index % 97 == 0 ? "  \"\(key)\": deny\n" : "  \(key): deny\n"
        }
        return text
    }

    /// Thousands of rules, each repeating a key of its own (a different name in every mapping).
    private mutating func repeatedKeyPerRule() -> String {
        var text = Self.header + Self.workloads + "policy:\n  rules:\n"
        for index in 0..<int(1_000...10_000) {
            text += "    - {action: deny, k\(index): 1, k\(index): 2, src: 198.19.\(index / 256 % 256).\(index % 256)}\n"
        }
        return text
    }

    /// A pasted firewall: thousands of explicit rules in a sweep, one of them wrong.
    private mutating func explicitRules() -> String {
        let count = int(5_000...20_000)
        let bad = int(0...(count - 1))
        var text = Self.header + "parameters:\n  rules: [10, 100, 1000]\npolicy:\n  generate:\n    count: ${rules}\n  rules:\n"
        for index in 0..<count {
            let source = index == bad ? "198.19.300.\(index % 256)" : "198.19.\(index / 256 % 256).\(index % 256)"
            text += "    - {action: deny, proto: tcp, src: \(source), dport: \(1 + index % 65535)}\n"
        }
        return text + Self.workloads
    }

    /// A quote opened somewhere in the file and never closed.
    private mutating func unclosedQuote() -> String {
        let quote = int(0...1) == 0 ? "\"" : "'"
        let lines = ["name: fuzz", "description: \(quote)A description that never ends", "backends: [none]",
                     "repeat: 2"] + Array(repeating: "# filler", count: int(0...50))
        return lines.joined(separator: "\n") + "\n" + Self.workloads
    }

    /// Valid text with a byte that cannot be UTF-8 dropped in at a random line.
    private mutating func notUTF8() -> Data {
        var lines = (Self.header + Self.workloads).split(separator: "\n").map { Data($0.utf8) }
        let line = int(0...(lines.count - 1))
        lines[line].append([0xFF, 0xC0, 0x80, 0xFE][int(0...3)])
        return lines.reduce(into: Data()) { $0.append($1); $0.append(0x0A) }
    }

    /// Lists or mappings nested past the YAML reader's limit.
    private mutating func deepNesting() -> String {
        let depth = int(1_001...5_000)
        let open = int(0...1) == 0 ? ("[", "]") : ("{a: ", "}")
        return Self.header + "workloads: " + String(repeating: open.0, count: depth) + "1" + String(repeating: open.1, count: depth) + "\n"
    }

    /// The README's own flow style with an unquoted placeholder.
    private mutating func flowPlaceholder() -> String {
        let key = ["duration", "protocol", "count"][int(0...2)]
        return Self.header + "parameters:\n  p: [1s, 2s]\nworkloads:\n  - {type: throughput, \(key): ${p}}\n"
    }

    /// A value of a megabyte or so where a short word belongs.
    private mutating func longValue() -> String {
        let value = String(repeating: ["x", "9", "ab "][int(0...2)], count: int(100_000...1_000_000))
        let places = ["backends: [\(value)]\n" + Self.workloads, "backends: [none]\nrepeat: \(value)\n" + Self.workloads,
                      "backends: [none]\ntopology: \(value)\n" + Self.workloads]
        return "name: fuzz\ndescription: x\n" + places[int(0...2)]
    }
}
