import LabNetwork
import LabPolicy
import LabTopology

/// The iptables-restore text of an egress gateway's SNAT, as kube-proxy- and Cilium-era rulesets
/// write it: two lab chains, each reached by one `-o <egress>` jump spliced in at install.
///   - nat `BLSNAT` (from POSTROUTING): per translated prefix, TCP and UDP get the port range
///     (`MASQUERADE --to-ports a-b` / `SNAT --to-source <gw>:a-b`; iptables accepts a port range only
///     after `-p tcp|udp`), then one rule without ports for the rest (ICMP). NAT targets are
///     terminal, so the catch-all sees only what the first two did not take.
///   - filter `BLEGRESS` (from FORWARD): first, with `dropInvalid`, `-m conntrack --ctstate INVALID
///     -j DROP` (an invalid packet skips NAT and would leave with the pod's address); then per egress
///     rule and source prefix, ACCEPT (translated here)
///     or DROP (the rule names other gateways) in policy order, then DROP: only selected sources
///     leave. Replies arrive on the egress interface and leave by another, so `-o` never sees them.
/// nat comes first in the file: iptables-restore commits table by table, and with the translation in
/// place before the filter chain, the lab's rules never let a selected flow out untranslated.
enum IptablesSNATFile {
    static let natChain = "BLSNAT"
    static let filterChain = "BLEGRESS"

    static func ruleset(_ layout: SNATLayout, comment: [String]) -> String {
        var lines = comment.map { "# \($0)" }
        lines.append("*nat")
        lines.append(":\(natChain) - [0:0]")
        for entry in layout.entries where entry.translate { lines += natRules(entry, layout).map { "-A \(natChain) \($0)" } }
        lines.append("COMMIT")
        lines.append("*filter")
        lines.append(":\(filterChain) - [0:0]")
        if layout.dropInvalid { lines.append("-A \(filterChain) \(invalidRule)") }
        for entry in layout.entries { lines += filterRules(entry).map { "-A \(filterChain) \($0)" } }
        lines.append("-A \(filterChain) -j DROP")
        lines.append("COMMIT")
        return lines.joined(separator: "\n") + "\n"
    }

    /// The nat rules of one translated entry, without `-A <chain>`.
    static func natRules(_ entry: SNATLayout.Entry, _ layout: SNATLayout) -> [String] {
        entry.sources.flatMap { prefix in
            ["-s \(prefix) -p tcp -j \(target(layout, ports: true))",
             "-s \(prefix) -p udp -j \(target(layout, ports: true))",
             "-s \(prefix) -j \(target(layout, ports: false))"]
        }
    }

    static let invalidRule = "-m conntrack --ctstate INVALID -j DROP"

    static func filterRules(_ entry: SNATLayout.Entry) -> [String] {
        entry.sources.map { "-s \($0) -j \(entry.translate ? "ACCEPT" : "DROP")" }
    }

    /// The target as iptables-save prints it.
    static func target(_ layout: SNATLayout, ports: Bool) -> String {
        let range = "\(layout.ports.lower)-\(layout.ports.upper)"
        var text: String
        switch layout.mode {
        case .masquerade: text = "MASQUERADE" + (ports ? " --to-ports \(range)" : "")
        case .snat: text = "SNAT --to-source \(layout.gateway)" + (ports ? ":\(range)" : "")
        }
        if layout.randomFully { text += " --random-fully" }
        return text
    }

    /// The jumps, without `-A`/`-D`.
    static func natJump(egress: String) -> String { "POSTROUTING -o \(egress) -j \(natChain)" }
    static func filterJump(egress: String) -> String { "FORWARD -o \(egress) -j \(filterChain)" }

    static let attachmentSummary = "-A POSTROUTING -o <egress> -j \(natChain) and -A FORWARD -o <egress> -j \(filterChain), each before its table's COMMIT"

    /// `text` with each jump spliced in before its table's COMMIT, so a chain and its jump land in
    /// one commit. nil for a text that is not a `ruleset` (a nat then a filter table).
    static func attaching(_ text: String, egress: String) -> String? {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        guard let nat = lines.firstIndex(of: "*nat"), let natCommit = lines[nat...].firstIndex(of: "COMMIT"),
              let filter = lines[natCommit...].firstIndex(of: "*filter"), let filterCommit = lines[filter...].firstIndex(of: "COMMIT")
        else { return nil }
        lines.insert("-A \(filterJump(egress: egress))", at: filterCommit)
        lines.insert("-A \(natJump(egress: egress))", at: natCommit)
        return lines.joined(separator: "\n")
    }

    /// `entry` put in front of both chains (nat first, as at install); rules inserted at 1 in reverse
    /// keep their compiled order.
    static func insertion(_ entry: SNATLayout.Entry, _ layout: SNATLayout) -> String {
        var lines = ["*nat"]
        if entry.translate { lines += natRules(entry, layout).reversed().map { "-I \(natChain) 1 \($0)" } }
        lines += ["COMMIT", "*filter"]
        // Behind the invalid-drop rule, which stays first.
        let position = layout.dropInvalid ? 2 : 1
        lines += filterRules(entry).reversed().map { "-I \(filterChain) \(position) \($0)" }
        lines.append("COMMIT")
        return lines.joined(separator: "\n") + "\n"
    }
}
