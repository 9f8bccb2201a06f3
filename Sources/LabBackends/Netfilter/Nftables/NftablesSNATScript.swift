import LabNetwork
import LabPolicy
import LabTopology

/// The nft scripts of an egress gateway's SNAT: one `ip blnat` table (apart from the filter
/// backend's `benchlab`, so neither's removal touches the other) holding
///   - a set per egress rule with several source prefixes (`src_r<i>`, one lookup for the rule), used
///     by both chains; a single prefix stays a plain `ip saddr` compare;
///   - `blegress`: with `dropInvalid`, first `ct state invalid counter drop` (an invalid packet skips
///     NAT and would leave with the pod's address); then per egress rule, accept (translated here) or drop (the rule names other
///     gateways), in order, then drop — only selected sources leave;
///   - `blsnat`: per translated rule, TCP and UDP get the port range (`masquerade to :a-b` or
///     `snat to <gw>:a-b`; nft takes a port mapping only after a transport protocol match), then the
///     rest (ICMP) without ports. NAT statements are terminal, so the second rule sees only what the
///     first did not take;
///   - at install, two base chains: forward at priority filter and postrouting at priority srcnat,
///     each jumping to its chain for `oifname <egress>` (replies leave by another interface).
enum NftablesSNATScript {
    static let table = "blnat"
    static let family = "ip"
    static let filterChain = "blegress"
    static let natChain = "blsnat"
    static let forwardChain = "blforward"
    static let postroutingChain = "blpostrouting"

    static func setName(rule index: Int) -> String { "src_r\(index)" }

    static func ruleset(_ layout: SNATLayout, comment: [String]) -> String {
        var lines = comment.map { "# \($0)" }
        lines.append("table \(family) \(table) {")
        let sources = layout.entries.enumerated().map { index, entry in source(entry.sources, setName: setName(rule: index)) }
        for (index, entry) in layout.entries.enumerated() where entry.sources.count > 1 {
            lines += NftablesScript.setDeclaration(setName(rule: index), entry.sources)
        }
        lines.append("\tchain \(filterChain) {")
        if layout.dropInvalid { lines.append("\t\t\(invalidRule)") }
        for (entry, match) in zip(layout.entries, sources) { lines.append("\t\t" + filterRule(entry, match)) }
        lines.append("\t\tcounter drop")
        lines.append("\t}")
        lines.append("\tchain \(natChain) {")
        for (entry, match) in zip(layout.entries, sources) where entry.translate {
            lines += natRules(match, layout).map { "\t\t" + $0 }
        }
        lines.append("\t}")
        lines.append("}")
        return lines.joined(separator: "\n") + "\n"
    }

    /// `ip saddr <prefix>`, `ip saddr @<set>`, or for an inserted rule an anonymous set `ip saddr { … }`.
    static func source(_ prefixes: [IPv4Prefix], setName: String?) -> String {
        if prefixes.count == 1 { return "ip saddr \(prefixes[0])" }
        if let setName { return "ip saddr @\(setName)" }
        return "ip saddr { \(prefixes.map(\.description).joined(separator: ", ")) }"
    }

    static let invalidRule = "ct state invalid counter drop"

    static func filterRule(_ entry: SNATLayout.Entry, _ match: String) -> String {
        "\(match) counter \(entry.translate ? "accept" : "drop")"
    }

    static func natRules(_ match: String, _ layout: SNATLayout) -> [String] {
        ["\(match) meta l4proto { tcp, udp } counter \(statement(layout, ports: true))",
         "\(match) counter \(statement(layout, ports: false))"]
    }

    static func statement(_ layout: SNATLayout, ports: Bool) -> String {
        let range = ports ? ":\(layout.ports.lower)-\(layout.ports.upper)" : ""
        var text: String
        switch layout.mode {
        case .masquerade: text = "masquerade" + (ports ? " to \(range)" : "")
        case .snat: text = "snat to \(layout.gateway)\(range)"
        }
        if layout.randomFully { text += " fully-random" }
        return text
    }

    static let attachmentSummary = "the base chains \(forwardChain) (hook forward priority filter, oifname <egress> jump \(filterChain)) "
        + "and \(postroutingChain) (hook postrouting priority srcnat, oifname <egress> jump \(natChain))"

    /// The base chains, in the same `nft -f` transaction as the ruleset: never reachable half-built.
    static func attachment(egress: String) -> String {
        """
        table \(family) \(table) {
        \tchain \(forwardChain) {
        \t\ttype filter hook forward priority filter; policy accept;
        \t\toifname "\(egress)" jump \(filterChain)
        \t}
        \tchain \(postroutingChain) {
        \t\ttype nat hook postrouting priority srcnat; policy accept;
        \t\toifname "\(egress)" jump \(natChain)
        \t}
        }

        """
    }

    /// `entry` in front of both chains, one transaction; several prefixes as an anonymous set. nft
    /// `insert` puts a rule at the start of the chain, so the nat rules go in reverse.
    static func insertion(_ entry: SNATLayout.Entry, _ layout: SNATLayout) -> String {
        let match = source(entry.sources, setName: nil)
        var lines: [String] = []
        if entry.translate {
            lines += natRules(match, layout).reversed().map { "insert rule \(family) \(table) \(natChain) \($0)" }
        }
        // `index 1` keeps the invalid-drop rule first.
        lines.append("insert rule \(family) \(table) \(filterChain) \(layout.dropInvalid ? "index 1 " : "")\(filterRule(entry, match))")
        return lines.joined(separator: "\n") + "\n"
    }

    static var removal: String { "table \(family) \(table)\ndelete table \(family) \(table)\n" }
}

/// The SNAT table in one namespace, through `nft -f`.
struct NftablesSNATRuleset: SNATRuleset {
    var backendKind: BackendKind { .nftables }

    func counters(at point: FilterPoint) throws -> SNATRuleCounters {
        func list(_ chain: String) throws -> String {
            try NetfilterQuery.run("nft", ["-j", "list", "chain", NftablesSNATScript.family, NftablesSNATScript.table, chain], in: point.namespace)
        }
        let verdicts = try NftablesCounterReader.packetsByVerdict(try list(NftablesSNATScript.filterChain))
        let translated = try NftablesCounterReader.packets(try list(NftablesSNATScript.natChain), statements: ["masquerade", "snat"])
        return SNATRuleCounters(translated: translated, accepted: verdicts.accepted, dropped: verdicts.dropped)
    }

    func insertion(_ entry: SNATLayout.Entry, layout: SNATLayout) -> BulkLoad {
        NftablesBackend.nft(NftablesSNATScript.insertion(entry, layout))
    }

    func ruleCount(_ layout: SNATLayout) -> Int {
        layout.entries.reduce(1) { $0 + ($1.translate ? 3 : 1) }
    }

    func remove(at point: FilterPoint) throws {
        try NftablesBackend.nft(NftablesSNATScript.removal).run(in: point.namespace)
    }
}
