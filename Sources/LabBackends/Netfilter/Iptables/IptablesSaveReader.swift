import Foundation

/// Reads `iptables-{legacy,nft}-save [-c] -t <filter|raw>` output: the policy chain's per-rule counters,
/// the jumps into it, and whether the table holds anything else.
struct IptablesSaveReader {
    let lines: [Substring]

    init(_ text: String) {
        // '#' lines are comments, including iptables-nft-save's "# Warning: iptables-legacy tables
        // present" when both front ends were used in one namespace.
        lines = text.split(whereSeparator: \.isNewline).filter { !$0.hasPrefix("#") }
    }

    /// Packets matched per verdict by the rules of `chain` (`-save -c` prints `[packets:bytes]`
    /// before each rule). Rules without an ACCEPT/DROP target are not counted.
    func packetsByVerdict(in chain: String) -> (accepted: UInt64, dropped: UInt64) {
        var accepted: UInt64 = 0
        var dropped: UInt64 = 0
        for line in lines where line.hasPrefix("[") {
            guard let close = line.firstIndex(of: "]") else { continue }
            let rule = line[line.index(after: close)...].trimmingCharacters(in: .whitespaces)
            guard rule.hasPrefix("-A \(chain) ") else { continue }
            let packets = UInt64(line[line.index(after: line.startIndex)..<close].split(separator: ":").first ?? "") ?? 0
            switch Self.target(of: rule) {
            case "ACCEPT": accepted += packets
            case "DROP": dropped += packets
            default: break
            }
        }
        return (accepted, dropped)
    }

    /// Packets matched by the rules of `chain` whose target is one of `targets` (nat's MASQUERADE, SNAT).
    func packets(in chain: String, targets: Set<String>) -> UInt64 {
        var total: UInt64 = 0
        for line in lines where line.hasPrefix("[") {
            guard let close = line.firstIndex(of: "]") else { continue }
            let rule = line[line.index(after: close)...].trimmingCharacters(in: .whitespaces)
            guard rule.hasPrefix("-A \(chain) "), let target = Self.target(of: rule), targets.contains(target) else { continue }
            total += UInt64(line[line.index(after: line.startIndex)..<close].split(separator: ":").first ?? "") ?? 0
        }
        return total
    }

    /// The rules (without `-A` and counters) of the built-in chains that jump to `chain`.
    func jumps(to chain: String) -> [String] {
        rules.filter { rule in
            Self.builtInChains.contains { rule.hasPrefix("\($0) ") } && Self.target(of: "-A \(rule)") == chain
        }
    }

    /// The built-in chains a lab chain is hooked from: filter's FORWARD and INPUT, raw's PREROUTING,
    /// nat's POSTROUTING (the SNAT chain).
    static let builtInChains = ["FORWARD", "INPUT", "PREROUTING", "POSTROUTING"]

    /// Whether the table holds `rule` (written without `-A`, as `iptables-save` prints it).
    func contains(rule: String) -> Bool { rules.contains(rule) }

    func declaresChain(_ chain: String) -> Bool { lines.contains { $0.hasPrefix(":\(chain) ") } }

    /// True when the table has no rule, no user chain and only ACCEPT policies: nothing a user set.
    var isPristine: Bool {
        rules.isEmpty && lines.filter { $0.hasPrefix(":") }.allSatisfy { $0.split(separator: " ").dropFirst().first == "ACCEPT" }
    }

    /// Every `-A` rule, without the counters and the `-A `.
    private var rules: [String] {
        lines.compactMap { line in
            let body = line.hasPrefix("[") ? line.drop { $0 != "]" }.dropFirst().drop { $0 == " " } : line[...]
            return body.hasPrefix("-A ") ? String(body.dropFirst(3)) : nil
        }
    }

    /// The word after `-j`.
    static func target(of rule: String) -> String? {
        let words = rule.split(separator: " ")
        guard let jump = words.lastIndex(of: "-j"), jump + 1 < words.count else { return nil }
        return String(words[jump + 1])
    }
}
